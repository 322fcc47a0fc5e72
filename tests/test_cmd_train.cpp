// The train, eval, predict and summary commands as a user runs them: their output, and exit status 2 with
// one error line for bad arguments, configs, checkpoints and images.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/image.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

struct Run {
  int status;
  std::string out, err;
};

const fs::path kDir = fs::temp_directory_path() / ("minicnn-cmd-test-" + std::to_string(::getpid()));

// Runs the program with these arguments; with interrupt_after > 0, sends it SIGINT that many seconds in.
Run run_minicnn(const std::string& arguments, int interrupt_after = 0) {
  const std::string out = (kDir / "stdout").string(), err = (kDir / "stderr").string();
  std::string command = std::string(MINICNN_BINARY) + " " + arguments + " >" + out + " 2>" + err;
  if (interrupt_after > 0)
    command += " & pid=$!; sleep " + std::to_string(interrupt_after) + "; kill -INT $pid; wait $pid";
  const int raw = std::system(command.c_str());
  auto slurp = [](const std::string& path) {
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
  };
  return Run{WEXITSTATUS(raw), slurp(out), slurp(err)};
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

struct Scratch {
  Scratch() {
    fs::remove_all(kDir);
    fs::create_directories(kDir);
  }
  ~Scratch() { fs::remove_all(kDir); }
};

}  // namespace

TEST_CASE("bad input gives one error line and exit status 2") {
  Scratch scratch;
  write(kDir / "typo.json", R"({"layers": [{"type": "conv2d", "filters": 2, "kernal": 3}]})");
  Run r = run_minicnn("train " + (kDir / "typo.json").string() + " --out " + (kDir / "never").string());
  CHECK(r.status == 2);
  CHECK(r.err == "minicnn: error: " + (kDir / "typo.json").string() +
                     ": layers[0].kernal: unknown field (did you mean 'kernel'?)\n");
  CHECK_FALSE(fs::exists(kDir / "never" / "checkpoint.bin"));

  CHECK(run_minicnn("train").status == 2);                       // neither config nor --resume
  CHECK(run_minicnn("train a.json --bogus").status == 2);        // unknown option
  CHECK(run_minicnn("frobnicate").status == 2);                  // unknown command
  CHECK(run_minicnn("train --help").status == 0);
  CHECK(run_minicnn("train --help").out.find("--resume") != std::string::npos);

  write(kDir / "corrupt.bin", "MCNNCKPT this is not a checkpoint");
  r = run_minicnn("eval " + (kDir / "corrupt.bin").string());
  CHECK(r.status == 2);
  CHECK(r.err.rfind("minicnn: error: " + (kDir / "corrupt.bin").string() + ": ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

  r = run_minicnn("summary " + (kDir / "missing.json").string());
  CHECK(r.status == 2);
  CHECK(r.err == "minicnn: error: " + (kDir / "missing.json").string() + ": cannot open: No such file or directory\n");
}

TEST_CASE("train, eval and predict from the command line on a generated data set") {
  Scratch scratch;
  Rng rng(3);
  for (auto [split, count] : {std::pair{Split::Train, 1200}, std::pair{Split::Test, 100}}) {
    write_idx_split((kDir / "data").string(), split, make_bars(count, 12, rng), false);
  }
  write(kDir / "bars.json", R"({
    "input": {"channels": 1, "height": 12, "width": 12},
    "layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
               {"type": "flatten"}, {"type": "linear", "units": 10}],
    "optimizer": {"lr": 0.05},
    "data": {"path": ")" + (kDir / "data").string() + R"("},
    "training": {"epochs": 3, "batch_size": 16, "threads": 1}
  })");
  const std::string run = (kDir / "run").string();
  Run r = run_minicnn("train " + (kDir / "bars.json").string() + " --out " + run);
  CHECK(r.status == 0);
  CHECK(r.out.find("epoch 3/3") != std::string::npos);
  CHECK(r.out.find("filters: " + run + "/filters.png") != std::string::npos);

  r = run_minicnn("eval " + run);
  CHECK(r.status == 0);
  CHECK(r.out.find("confusion matrix") != std::string::npos);
  CHECK(r.out.find("100 images") != std::string::npos);

  // A vertical bar, as in class 1 of the training images.
  Image bar{12, 12, 1, std::vector<uint8_t>(144, 10)};
  for (int y = 2; y < 11; ++y) bar.pixels[y * 12 + 5] = bar.pixels[y * 12 + 6] = 220;
  save_png((kDir / "bar.png").string(), bar);
  r = run_minicnn("predict " + run + " " + (kDir / "bar.png").string());
  CHECK(r.status == 0);
  CHECK(r.out.find("preprocessing: grayscale") != std::string::npos);
  CAPTURE(r.out);
  CHECK(r.out.find("  1. 1 ") != std::string::npos);  // the digit-named class 1 comes first

  r = run_minicnn("predict " + run + " " + (kDir / "no-such.png").string());
  CHECK(r.status == 2);
  CHECK(r.err.find("no-such.png") != std::string::npos);

  r = run_minicnn("summary " + (kDir / "bars.json").string());
  CHECK(r.status == 0);
  CHECK(r.out.find("total (per image)") != std::string::npos);

  // Ctrl-C (a real SIGINT, one second in) saves the unfinished epoch, exits 130, and the run resumes.
  const std::string long_run = (kDir / "long").string();
  r = run_minicnn("train " + (kDir / "bars.json").string() + " --epochs 100000 --out " + long_run, 1);
  CHECK(r.status == 130);
  CHECK(r.out.find("interrupted: the unfinished epoch is saved in " + long_run) != std::string::npos);
  r = run_minicnn("eval " + long_run);
  CHECK(r.status == 0);
}
