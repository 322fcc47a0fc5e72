// The filters and featuremaps commands as a user runs them on a trained run: the picture with the run's
// scale, the raw dumps (.npy checked by numpy itself when /usr/bin/python3 has it, JSON, CSV) equal to the
// checkpoint's weights, the nearest-kernel table, the layer choice, and exit status 2 with one error line.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/image.hpp"
#include "core/npy.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"
#include "inspect/filter_history.hpp"
#include "models/checkpoint.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::temp_directory_path() / ("minicnn-inspect-test-" + std::to_string(::getpid()));

struct Run {
  int status;
  std::string out, err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Run run(const std::string& program, const std::string& arguments) {
  const std::string out = (kDir / "stdout").string(), err = (kDir / "stderr").string();
  const int raw = std::system((program + " " + arguments + " >" + out + " 2>" + err).c_str());
  return Run{WEXITSTATUS(raw), slurp(out), slurp(err)};
}

Run run_minicnn(const std::string& arguments) { return run(MINICNN_BINARY, arguments); }

// A run of 2 epochs on generated bars, trained once for all the test cases.
struct TrainedRun {
  std::string dir = (kDir / "run").string(), image = (kDir / "bar.png").string();
  TrainedRun() {
    fs::remove_all(kDir);
    fs::create_directories(kDir / "data");
    Rng rng(5);
    for (auto [split, count] : {std::pair{Split::Train, 400}, std::pair{Split::Test, 100}}) {
      write_idx_split((kDir / "data").string(), split, make_bars(count, 12, rng), false);
    }
    std::ofstream(kDir / "bars.json") << R"({
      "input": {"channels": 1, "height": 12, "width": 12},
      "layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
                 {"type": "flatten"}, {"type": "linear", "units": 10}],
      "optimizer": {"lr": 0.05},
      "data": {"path": ")" + (kDir / "data").string() + R"("},
      "training": {"epochs": 2, "batch_size": 16, "threads": 1}
    })";
    // A vertical bar, as in class 1, to look at through the network.
    Image bar{12, 12, 1, std::vector<uint8_t>(144, 10)};
    for (int y = 2; y < 11; ++y) bar.pixels[y * 12 + 5] = bar.pixels[y * 12 + 6] = 220;
    save_png(image, bar);
    const Run r = run_minicnn("train " + (kDir / "bars.json").string() + " --out " + dir);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("report:  " + dir + "/report.html") != std::string::npos);
    CHECK(r.out.find("filters: " + dir + "/filters.png") != std::string::npos);
  }
  ~TrainedRun() { fs::remove_all(kDir); }

  Tensor<float> weight() const {
    for (const NamedTensor& p : load_checkpoint(dir + "/checkpoint.bin").params)
      if (p.name == "conv1.weight") return p.tensor;
    FAIL("no conv1.weight in the checkpoint");
    return {};
  }
};

TrainedRun& trained() {
  static TrainedRun run;
  return run;
}

// The value of a PNG's "minicnn.scale" text chunk.
std::string png_scale(const fs::path& path) {
  const std::string bytes = slurp(path), key = std::string("minicnn.scale") + '\0';
  const size_t at = bytes.find(key);
  if (at == std::string::npos) return "(none)";
  const size_t length = static_cast<uint8_t>(bytes[at - 6]) << 8 | static_cast<uint8_t>(bytes[at - 5]);
  return bytes.substr(at + key.size(), length - key.size());
}

}  // namespace

TEST_CASE("filters draws the first convolution with the run's scale and names the nearest classical kernels") {
  TrainedRun& t = trained();
  const fs::path out = kDir / "grid.png";
  const Run r = run_minicnn("filters " + t.dir + " --out " + out.string() + " --scale 5");
  CHECK(r.status == 0);
  CAPTURE(r.out);
  CHECK(r.out.find("conv1 (epoch 2), 4 filters of 1x3x3, 5 pixels per weight; global normalization") != std::string::npos);
  CHECK(r.out.find("the run's scale") != std::string::npos);
  CHECK(r.out.find("nearest classical kernel") != std::string::npos);
  for (const char* row : {"\n     0  ", "\n     1  ", "\n     2  ", "\n     3  "}) CHECK(r.out.find(row) != std::string::npos);
  const Image grid = load_image(out.string(), 0);
  CHECK(grid.width == 2 * (15 + 1) + 1);  // 4 filters: 2x2 cells of 3x3 weights at 5 pixels each
  CHECK(grid.height == 2 * (15 + 1) + 1);
  // The same scale as every picture of the run's history.
  char scale[32];
  std::snprintf(scale, sizeof scale, "%.9g", read_run_filter_scale(t.dir)->scale);
  CHECK(png_scale(out) == scale);
  CHECK(png_scale(fs::path(t.dir) / "filters" / "epoch-000.png") == scale);
  CHECK(png_scale(fs::path(t.dir) / "filters.png") == scale);

  CHECK(run_minicnn("filters " + t.dir + " --normalize per-filter --out " + out.string()).status == 0);
  CHECK(png_scale(out) == "per-filter");
  // By index (its place in the layer list) and from the checkpoint file: the same picture as by name.
  CHECK(run_minicnn("filters " + t.dir + "/checkpoint.bin --layer 0 --out " + (kDir / "by-index.png").string()).status == 0);
  CHECK(run_minicnn("filters " + t.dir + " --layer conv1 --out " + (kDir / "by-name.png").string()).status == 0);
  CHECK(slurp(kDir / "by-index.png") == slurp(kDir / "by-name.png"));
}

TEST_CASE("filters writes the weights as .npy, JSON and CSV, equal to the checkpoint's") {
  TrainedRun& t = trained();
  const Tensor<float> weight = t.weight();
  const fs::path npy = kDir / "w.npy";
  Run r = run_minicnn("filters " + t.dir + " --out " + npy.string());  // the format from the extension
  CHECK(r.status == 0);
  CHECK(r.out.find("float32 [4x1x3x3]") != std::string::npos);
  const NpyArray array = load_npy(npy.string());
  CHECK_FALSE(array.is_double);
  CHECK(array.shape == std::vector<int64_t>{4, 1, 3, 3});
  for (int64_t i = 0; i < weight.numel(); ++i) CHECK(array.values[i] == weight[i]);

  // numpy itself, where it is installed: np.load gives float32 [4, 1, 3, 3] with the same values.
  if (fs::exists("/usr/bin/python3") && run("/usr/bin/python3", "-c 'import numpy'").status == 0) {
    r = run("/usr/bin/python3", "-c 'import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape); "
                                "print(\" \".join(repr(float(v)) for v in a.ravel()))' " + npy.string());
    CHECK(r.status == 0);
    CAPTURE(r.err);
    std::istringstream lines(r.out);
    std::string header, value;
    std::getline(lines, header);
    CHECK(header == "float32 (4, 1, 3, 3)");
    for (int64_t i = 0; i < weight.numel(); ++i) {
      lines >> value;
      CHECK(static_cast<float>(std::stod(value)) == weight[i]);
    }
  } else {
    MESSAGE("no /usr/bin/python3 with numpy: the np.load check is skipped");
  }

  const fs::path json_path = kDir / "w.json";
  CHECK(run_minicnn("filters " + t.dir + " --format json --out " + json_path.string()).status == 0);
  const nlohmann::json j = nlohmann::json::parse(slurp(json_path));
  CHECK(j["layer"] == "conv1");
  CHECK(j["epoch"] == 2);
  CHECK(j["shape"] == nlohmann::json{4, 1, 3, 3});
  CHECK(j["bias"].size() == 4);
  for (int o = 0; o < 4; ++o)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 3; ++x) CHECK(j["weights"][o][0][y][x].get<float>() == weight[(o * 3 + y) * 3 + x]);

  const fs::path csv = kDir / "w.csv";
  CHECK(run_minicnn("filters " + t.dir + " --out " + csv.string()).status == 0);
  std::istringstream rows(slurp(csv));
  std::string line;
  std::getline(rows, line);
  CHECK(line == "filter,channel,row,column,value");
  int64_t i = 0;
  while (std::getline(rows, line)) {
    const int o = static_cast<int>(i / 9), y = static_cast<int>(i % 9 / 3), x = static_cast<int>(i % 3);
    const std::string prefix = std::to_string(o) + ",0," + std::to_string(y) + "," + std::to_string(x) + ",";
    REQUIRE(line.rfind(prefix, 0) == 0);
    CHECK(std::stof(line.substr(prefix.size())) == weight[i]);
    ++i;
  }
  CHECK(i == 36);
}

TEST_CASE("featuremaps draws a layer's maps for an image, beside it") {
  TrainedRun& t = trained();
  const std::string& image = t.image;
  const std::string out = (kDir / "maps.png").string();
  Run r = run_minicnn("featuremaps " + t.dir + " " + image + " --out " + out);
  CHECK(r.status == 0);
  CAPTURE(r.out);
  CHECK(r.out.find("conv1 (conv2d), 4 maps of 10x10") != std::string::npos);
  const Image picture = load_image(out, 0);
  // Maps of 10 rows at 5 pixels each (about 48): a 2x2 grid 103 pixels tall; the input upscaled 8 times.
  CHECK(picture.height == 2 * (50 + 1) + 1);
  CHECK(picture.width == 1 + 12 * 8 + 8 + 2 * (50 + 1) + 1);
  CHECK(picture.pixels[(1 + 3 * 8) * picture.width + 1 + 5 * 8] == 220);  // the bar, upscaled
  CHECK(picture.pixels[(1 + 3 * 8) * picture.width + 1 + 2 * 8] == 10);

  r = run_minicnn("featuremaps " + t.dir + " " + image + " --layer relu1 --out " + out);
  CHECK(r.status == 0);
  CHECK(slurp(out).find("relu1 output for bar.png: black is 0") != std::string::npos);
}

TEST_CASE("a layer that is not there, or not of the right kind, is one error line and exit status 2") {
  TrainedRun& t = trained();
  Run r = run_minicnn("filters " + t.dir + " --layer relu1");
  CHECK(r.status == 2);
  CHECK(r.err == "minicnn: error: relu1 (layers[1]) is a relu, not a convolution; the convolutions: conv1 (layers[0])\n");
  r = run_minicnn("filters " + t.dir + " --layer conv9");
  CHECK(r.status == 2);
  CHECK(r.err.find("no layer 'conv9'; the layers are conv1, relu1, pool1, flatten1, fc1 (layers[0] to layers[4])") !=
        std::string::npos);
  CHECK(run_minicnn("filters " + t.dir + " --format gif").status == 2);
  CHECK(run_minicnn("filters " + (kDir / "nothing").string()).status == 2);
  r = run_minicnn("featuremaps " + t.dir + " " + t.image + " --layer flatten1 --out " + (kDir / "x.png").string());
  CHECK(r.status == 2);
  CHECK(r.err.find("flatten1 output for bar.png: feature maps are [channels, height, width]") != std::string::npos);
  r = run_minicnn("featuremaps " + t.dir + " " + (kDir / "missing.png").string());
  CHECK(r.status == 2);
  CHECK(r.err.find("missing.png: cannot open") != std::string::npos);
}
