// minicnn gradcheck as a user runs it: every layer type and option passes, in float and in double; a
// deliberately wrong backward (in the test-only program minicnn_wrong_backward) fails with exit status 1 and
// the layer named; bad arguments exit 2.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Run {
  int status;
  std::string out, err;
};

const fs::path kDir = fs::temp_directory_path() / ("minicnn-gradcheck-test-" + std::to_string(::getpid()));

Run run(const std::string& binary, const std::string& arguments) {
  const std::string out = (kDir / "stdout").string(), err = (kDir / "stderr").string();
  const int raw = std::system((binary + " " + arguments + " >" + out + " 2>" + err).c_str());
  auto slurp = [](const std::string& path) {
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
  };
  return Run{WEXITSTATUS(raw), slurp(out), slurp(err)};
}

struct Scratch {
  Scratch() {
    fs::remove_all(kDir);
    fs::create_directories(kDir);
  }
  ~Scratch() { fs::remove_all(kDir); }
};

std::string write_config(const std::string& name, const std::string& input, const std::string& layers) {
  const fs::path path = kDir / (name + ".json");
  std::ofstream(path) << R"({"input": )" << input << R"(, "layers": [)" << layers << "]}";
  return path.string();
}

// The table's row for layer and tensor: "conv1  weight  ...", or "" when there is none.
std::string row_of(const std::string& out, const std::string& layer, const std::string& tensor) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == layer && second == tensor) return line;
  }
  return "";
}

// The number of table rows whose result is `result` ("pass" or "FAIL").
int count_rows(const std::string& out, const std::string& result) {
  const std::string ending = "  " + result;
  int rows = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    rows += line.size() >= ending.size() && line.compare(line.size() - ending.size(), ending.size(), ending) == 0;
  return rows;
}

// Every layer type and every option of the framework, in two configs whose shapes fit.
struct Network {
  std::string name, input, layers;
  std::vector<std::pair<std::string, std::string>> rows;  // (layer, tensor) expected in the table
};

std::vector<Network> every_layer_type() {
  return {
      {"convolutions", R"({"channels": 2, "height": 9, "width": 8})",
       R"({"type": "conv2d", "filters": 3, "kernel": [3, 2], "stride": [2, 1], "padding": [1, 2],
           "dilation": [1, 2], "bias": false, "init": "he_normal"},
          {"type": "leaky_relu", "negative_slope": 0.1},
          {"type": "avgpool", "kernel": 3, "stride": 2, "padding": 1},
          {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "dilation": 2, "init": "he_uniform"},
          {"type": "tanh"},
          {"type": "maxpool", "kernel": 2, "stride": 1, "padding": 1},
          {"type": "conv2d", "filters": 3, "kernel": 1, "init": "xavier_normal"},
          {"type": "sigmoid"},
          {"type": "global_avgpool"},
          {"type": "flatten"},
          {"type": "linear", "units": 3})",
       {{"conv1", "input"}, {"conv1", "weight"}, {"leaky_relu1", "input"}, {"pool1", "input"},
        {"conv2", "input"}, {"conv2", "weight"}, {"conv2", "bias"}, {"tanh1", "input"}, {"pool2", "input"},
        {"conv3", "weight"}, {"sigmoid1", "input"}, {"pool3", "input"}, {"flatten1", "input"},
        {"fc1", "weight"}, {"fc1", "bias"}, {"loss", "logits"}}},
      {"dense", R"({"channels": 1, "height": 6, "width": 6})",
       R"({"type": "conv2d", "filters": 2, "kernel": 3, "stride": 3},
          {"type": "relu"},
          {"type": "flatten"},
          {"type": "dropout", "p": 0.4},
          {"type": "linear", "units": 5, "bias": false},
          {"type": "relu"},
          {"type": "dropout"},
          {"type": "linear", "units": 3})",
       {{"conv1", "input"}, {"relu1", "input"}, {"dropout1", "input"}, {"fc1", "input"}, {"fc1", "weight"},
        {"relu2", "input"}, {"dropout2", "input"}, {"fc2", "weight"}, {"fc2", "bias"}, {"loss", "logits"}}},
  };
}

}  // namespace

TEST_CASE("gradcheck passes on every layer type and option, in float and in double") {
  Scratch scratch;
  for (const Network& net : every_layer_type()) {
    const std::string config = write_config(net.name, net.input, net.layers);
    for (const std::string precision : {"", " --double"}) {
      const Run r = run(MINICNN_BINARY, "gradcheck " + config + " --samples 3" + precision);
      INFO(net.name << precision << "\n" << r.out << r.err);
      CHECK(r.status == 0);
      CHECK(r.out.find(precision.empty() ? "float32" : "float64") != std::string::npos);
      for (const auto& [layer, tensor] : net.rows) {
        const std::string row = row_of(r.out, layer, tensor);
        INFO(layer << " " << tensor);
        CHECK(row.size() > 4);
        CHECK(row.substr(row.size() - 4) == "pass");
      }
      CHECK(count_rows(r.out, "FAIL") == 0);
      CHECK(r.out.find("tensors pass") != std::string::npos);
    }
  }
}

TEST_CASE("gradcheck on the shipped configs, one layer alone, and every element") {
  Scratch scratch;
  const std::string configs = std::string(MINICNN_SOURCE_DIR) + "/configs/";
  for (const char* name : {"teach-tiny", "tiny", "lenet"}) {
    const Run r = run(MINICNN_BINARY, "gradcheck " + configs + name + ".json --elements 24");
    INFO(name << "\n" << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("At most 24 elements per tensor") != std::string::npos);
  }
  const Run one = run(MINICNN_BINARY, "gradcheck " + configs + "teach-tiny.json --layer conv1 --elements 0 --double");
  INFO(one.out);
  CHECK(one.status == 0);
  CHECK(count_rows(one.out, "pass") == 3);  // conv1 input, weight and bias only
  CHECK(one.out.find("Every element is checked") != std::string::npos);
  // Every element: 2 samples of 1x12x12 inputs.
  const std::string input_row = row_of(one.out, "conv1", "input");
  CHECK(input_row.find(" 288 ") != std::string::npos);
}

TEST_CASE("a wrong backward fails: exit status 1, the layer and the tensor named") {
  Scratch scratch;
  // wrong_conv2d drops dx of the last input column; wrong_linear counts its bias gradient twice.
  const std::string config = write_config("wrong", R"({"channels": 1, "height": 6, "width": 6})",
                                          R"({"type": "wrong_conv2d", "name": "conv1", "filters": 2, "kernel": 3},
                                             {"type": "relu"}, {"type": "flatten"},
                                             {"type": "wrong_linear", "name": "fc1", "units": 3})");
  for (const std::string precision : {"", " --double"}) {
    const Run r = run(MINICNN_WRONG_BACKWARD_BINARY, "gradcheck " + config + precision);
    INFO(r.out << r.err);
    CHECK(r.status == 1);
    CHECK(r.out.find("2 of 9 tensors FAIL: conv1 input, fc1 bias") != std::string::npos);
    CHECK(row_of(r.out, "conv1", "weight").find("pass") != std::string::npos);  // only what is wrong fails
    CHECK(row_of(r.out, "fc1", "weight").find("pass") != std::string::npos);
    // The worst element of conv1's input gradient is in the last column (index 5 of width 6).
    const std::string conv_row = row_of(r.out, "conv1", "input");
    CHECK(conv_row.find(",5]") != std::string::npos);
    CHECK(conv_row.find("FAIL") != std::string::npos);
  }
  // The same layers as the built-in types pass: the mistake, not the check, makes the difference.
  const std::string right = write_config("right", R"({"channels": 1, "height": 6, "width": 6})",
                                         R"({"type": "conv2d", "name": "conv1", "filters": 2, "kernel": 3},
                                            {"type": "relu"}, {"type": "flatten"},
                                            {"type": "linear", "name": "fc1", "units": 3})");
  CHECK(run(MINICNN_WRONG_BACKWARD_BINARY, "gradcheck " + right).status == 0);
  // The shipped program does not know the test-only types.
  const Run shipped = run(MINICNN_BINARY, "gradcheck " + config);
  CHECK(shipped.status == 2);
  CHECK(shipped.err.find("layers[0].type") != std::string::npos);
}

TEST_CASE("gradcheck: a missing layer, a bad option or a bad config exit with status 2 and one error line") {
  Scratch scratch;
  const std::string config = std::string(MINICNN_SOURCE_DIR) + "/configs/teach-tiny.json";
  Run r = run(MINICNN_BINARY, "gradcheck " + config + " --layer conv7");
  CHECK(r.status == 2);
  CHECK(r.err == "minicnn: error: there is no layer called conv7; the layers are conv1, relu1, pool1, flatten1, fc1, "
                 "and loss\n");
  CHECK(run(MINICNN_BINARY, "gradcheck " + config + " --samples 0").status == 2);
  CHECK(run(MINICNN_BINARY, "gradcheck " + config + " --eps -1").status == 2);
  CHECK(run(MINICNN_BINARY, "gradcheck").status == 2);
  r = run(MINICNN_BINARY, "gradcheck " + (kDir / "missing.json").string());
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot open") != std::string::npos);
}
