// Config parsing: every field's default and check, and every bad-config case as one clear error.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "layers/conv2d.hpp"
#include "models/config.hpp"

using namespace minicnn;
using nlohmann::json;

namespace {

json lenet() {
  return json::parse(R"({
    "input": {"channels": 1, "height": 28, "width": 28},
    "layers": [{"type": "conv2d", "filters": 20, "kernel": 5}, {"type": "maxpool", "kernel": 2, "stride": 2},
               {"type": "conv2d", "filters": 50, "kernel": 5}, {"type": "maxpool", "kernel": 2, "stride": 2},
               {"type": "flatten"}, {"type": "linear", "units": 500}, {"type": "relu"}, {"type": "linear", "units": 10}]
  })");
}

// The message of the Error that parsing `document` throws ("" if none).
std::string error_of(const json& document) {
  try {
    parse_config(document, "net.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a minimal config gets every default, recorded in the config as used") {
  const Config config = parse_config(lenet(), "net.json");
  CHECK(config.input == Shape{1, 28, 28});
  CHECK(config.sgd.learning_rate == 0.01);
  CHECK(config.sgd.momentum == 0.9);
  CHECK(config.sgd.weight_decay == 0.0);
  CHECK(config.schedule.type == "constant");
  CHECK(config.data.path == "/usr/share/datasets/fashion-mnist");
  CHECK(config.training.epochs == 10);
  CHECK(config.training.batch_size == 64);
  CHECK(config.used["layers"][0]["stride"] == 1);
  CHECK(config.used["layers"][0]["init"] == "xavier_uniform");
  CHECK(config.used["layers"][1]["padding"] == 0);
  CHECK(config.used["optimizer"]["schedule"]["type"] == "constant");
  CHECK(config.used["training"]["seed"] == 1);
  // The config as used parses to the same config.
  const Config again = parse_config(config.used, "used.json");
  CHECK(again.used == config.used);
}

TEST_CASE("the built network follows the config, with conventional layer names") {
  Sequential<float> net;
  build_network(parse_config(lenet(), "net.json"), net);
  REQUIRE(net.size() == 8);
  CHECK(net.layer(0).name == "conv1");
  CHECK(net.layer(1).name == "pool1");
  CHECK(net.layer(2).name == "conv2");
  CHECK(net.layer(5).name == "fc1");
  CHECK(net.output_shape(0) == Shape{20, 24, 24});
  CHECK(net.output_shape(3) == Shape{50, 4, 4});
  CHECK(net.output_shape(7) == Shape{10});
  CHECK(net.params().size() == 8);
}

TEST_CASE("padding \"same\" keeps the size; pairs give per-axis values") {
  json c = lenet();
  c["layers"][0] = {{"type", "conv2d"}, {"filters", 4}, {"kernel", {3, 5}}, {"padding", "same"}};
  c["layers"][2] = {{"type", "conv2d"}, {"filters", 50}, {"kernel", 3}, {"padding", "same"}, {"dilation", 2}};
  const Config config = parse_config(c, "net.json");
  CHECK(config.layers[0]["padding"] == json::array({1, 2}));
  CHECK(config.layers[2]["padding"] == 2);
  Sequential<float> net;
  build_network(config, net);
  CHECK(net.output_shape(0) == Shape{4, 28, 28});
  CHECK(net.output_shape(2) == Shape{50, 14, 14});
}

TEST_CASE("a convolution's algorithm is the config's, and auto picks one by the layer's shape") {
  json c = lenet();
  c["layers"][0]["algorithm"] = "im2col";
  c["layers"][2]["algorithm"] = "direct";
  Sequential<float> net;
  build_network(parse_config(c, "net.json"), net);
  CHECK(dynamic_cast<Conv2d<float>&>(net.layer(0)).algorithm() == ConvAlgorithm::Im2col);
  CHECK(dynamic_cast<Conv2d<float>&>(net.layer(2)).algorithm() == ConvAlgorithm::Direct);
  c["layers"][0] = {{"type", "conv2d"}, {"filters", 8}, {"kernel", 3}, {"padding", 1}, {"algorithm", "winograd"}};
  c["layers"][2] = {{"type", "conv2d"}, {"filters", 50}, {"kernel", 5}};  // auto, the default: 8x14x14 is small
  Sequential<float> other;
  build_network(parse_config(c, "net.json"), other);
  CHECK(dynamic_cast<Conv2d<float>&>(other.layer(0)).algorithm() == ConvAlgorithm::Winograd);
  CHECK(dynamic_cast<Conv2d<float>&>(other.layer(2)).algorithm() == ConvAlgorithm::Direct);
  c["layers"][2]["algorithm"] = "fft";
  CHECK(error_of(c).find("net.json") != std::string::npos);
  CHECK(error_of(c).find("direct") != std::string::npos);  // the message lists the choices
}

TEST_CASE("bad configs are one clear error naming the file, the JSON path and what was expected") {
  struct Case {
    const char* what;
    std::function<void(json&)> spoil;
    const char* expected;
  };
  const Case cases[] = {
      {"unknown layer type", [](json& c) { c["layers"][2]["type"] = "conv3d"; },
       "net.json: layers[2].type: unknown value 'conv3d' (did you mean 'conv2d'?)"},
      {"misspelled field", [](json& c) { c["layers"][0]["kernal"] = 5; },
       "net.json: layers[0].kernal: unknown field (did you mean 'kernel'?)"},
      {"misspelled top-level field", [](json& c) { c["optimiser"] = json::object(); },
       "net.json: optimiser: unknown field (did you mean 'optimizer'?)"},
      {"wrong JSON type", [](json& c) { c["layers"][0]["filters"] = "20"; },
       "net.json: layers[0].filters: expected an integer, got a string"},
      {"non-positive size", [](json& c) { c["layers"][3]["kernel"] = 0; },
       "net.json: layers[3].kernel: expected values from 1 to 4096, got 0"},
      {"negative padding", [](json& c) { c["layers"][0]["padding"] = -1; },
       "net.json: layers[0].padding: expected values from 0 to 4096, got -1"},
      {"missing required field", [](json& c) { c["layers"][5].erase("units"); },
       "net.json: layers[5].units: missing (the number of outputs)"},
      {"missing type", [](json& c) { c["layers"][4] = json::object(); }, "net.json: layers[4].type: missing"},
      {"layers not a list", [](json& c) { c["layers"] = json::object(); },
       "net.json: layers: expected a non-empty array of layer objects"},
      {"learning rate of the wrong type", [](json& c) { c["optimizer"] = {{"lr", true}}; },
       "net.json: optimizer.lr: expected a number, got a boolean"},
      {"unknown schedule", [](json& c) { c["optimizer"] = {{"schedule", {{"type", "cosin"}}}}; },
       "net.json: optimizer.schedule.type: unknown value 'cosin' (did you mean 'cosine'?)"},
      {"zero epochs", [](json& c) { c["training"] = {{"epochs", 0}}; },
       "net.json: training.epochs: expected an integer from 1 to 100000, got 0"},
      {"same with stride", [](json& c) { c["layers"][0]["padding"] = "same", c["layers"][0]["stride"] = 2; },
       "net.json: layers[0].padding: \"same\" needs stride 1"},
      {"a shape that does not fit",
       [](json& c) { c["input"]["height"] = 12, c["input"]["width"] = 12; },
       "net.json: layers[2] conv2: kernel 5x5 does not fit input 4x4 (padding 0)"},
      {"linear without flatten", [](json& c) { c["layers"].erase(4); },
       "net.json: layers[4] fc1: expects a flat input, got 50x4x4 (add a flatten layer before it)"},
      {"duplicate names", [](json& c) { c["layers"][2]["name"] = "conv1"; },
       "conv1: two layers have this name"},
      {"dropout probability 1", [](json& c) { c["layers"][6] = {{"type", "dropout"}, {"p", 1.0}}; },
       "net.json: layers[6].p: expected a number from 0.0 to 0.999, got 1.0"},
      {"a path for generated data", [](json& c) { c["data"] = {{"format", "bars"}, {"path", "/tmp"}}; },
       "net.json: data.path: unknown field"},
      {"no images to generate", [](json& c) { c["data"] = {{"format", "bars"}, {"test_images", 0}}; },
       "net.json: data.test_images: expected an integer from 1 to 1000000, got 0"},
  };
  for (const Case& test : cases) {
    const std::string what = test.what;
    CAPTURE(what);
    json c = lenet();
    test.spoil(c);
    const std::string message = error_of(c);
    CAPTURE(message);
    CHECK(message.find(test.expected) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("a config file with a JSON syntax error names the file, line and column") {
  const std::string path = "test_config_syntax.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\n  \"layers\": [\n    {\"type\": \"relu\",}\n  ]\n}\n", f);
  std::fclose(f);
  std::string message;
  try {
    load_config(path);
  } catch (const Error& e) {
    message = e.what();
  }
  std::remove(path.c_str());
  CHECK(message.find("test_config_syntax.json: invalid JSON: parse error at line 3") != std::string::npos);
  std::string missing;
  try {
    load_config("no-such-config.json");
  } catch (const Error& e) {
    missing = e.what();
  }
  CHECK(missing == "no-such-config.json: cannot open: No such file or directory");
}

TEST_CASE("learning-rate schedules follow PyTorch's formulas") {
  Schedule s;
  CHECK(s.learning_rate(0.1, 7, 10) == doctest::Approx(0.1));
  s.type = "step", s.step_epochs = 3, s.gamma = 0.5;
  CHECK(s.learning_rate(0.1, 2, 10) == doctest::Approx(0.1));
  CHECK(s.learning_rate(0.1, 3, 10) == doctest::Approx(0.05));
  CHECK(s.learning_rate(0.1, 7, 10) == doctest::Approx(0.025));
  s.type = "multistep", s.milestones = {2, 5};
  CHECK(s.learning_rate(0.1, 1, 10) == doctest::Approx(0.1));
  CHECK(s.learning_rate(0.1, 2, 10) == doctest::Approx(0.05));
  CHECK(s.learning_rate(0.1, 5, 10) == doctest::Approx(0.025));
  s.type = "exponential", s.gamma = 0.9;
  CHECK(s.learning_rate(0.1, 3, 10) == doctest::Approx(0.1 * 0.729));
  s.type = "cosine", s.min_lr = 0.001;
  CHECK(s.learning_rate(0.1, 0, 10) == doctest::Approx(0.1));
  CHECK(s.learning_rate(0.1, 5, 10) == doctest::Approx(0.001 + 0.099 * 0.5));
  CHECK(s.learning_rate(0.1, 10, 10) == doctest::Approx(0.001));
  s.type = "constant", s.warmup_epochs = 4, s.warmup_start = 0.2;
  CHECK(s.learning_rate(0.1, 0, 10) == doctest::Approx(0.02));
  CHECK(s.learning_rate(0.1, 2, 10) == doctest::Approx(0.1 * 0.6));
  CHECK(s.learning_rate(0.1, 4, 10) == doctest::Approx(0.1));
}

TEST_CASE("the shipped configs parse") {
  for (const char* name : {"lenet", "lenet-mnist", "vgg-small", "tiny", "teach-tiny"}) {
    CAPTURE(name);
    CHECK_NOTHROW(load_config(std::string(MINICNN_SOURCE_DIR) + "/configs/" + name + ".json"));
  }
}

TEST_CASE("generated bars data: counts and seed, with defaults") {
  json c = lenet();
  c["data"] = {{"format", "bars"}, {"train_images", 300}};
  const Config config = parse_config(c, "net.json");
  CHECK(config.data.format == "bars");
  CHECK(config.data.train_images == 300);
  CHECK(config.data.test_images == 500);
  CHECK(config.data.seed == 1);
  CHECK(config.used["data"]["test_images"] == 500);
  CHECK_FALSE(config.used["data"].contains("path"));
}

TEST_CASE("a registered layer type takes a built-in type's fields and wraps its layer") {
  // A "noted_linear" is a linear layer whose kind says so: the wrapper sees the layer the built-in type made.
  struct Noted : Layer<float> {
    std::unique_ptr<Layer<float>> inner;
    explicit Noted(std::unique_ptr<Layer<float>> layer) : inner(std::move(layer)) {}
    std::string kind() const override { return "noted_" + inner->kind(); }
    Shape setup(const Shape& input) override { return inner->setup(input); }
    void forward(const Tensor<float>& x, Tensor<float>& y, const Context& ctx) override { inner->forward(x, y, ctx); }
    void backward(const Tensor<float>& x, const Tensor<float>& y, const Tensor<float>& dy, Tensor<float>& dx) override {
      inner->backward(x, y, dy, dx);
    }
  };
  register_layer_type(LayerTypeExtension{
      "noted_linear", "linear",
      [](std::unique_ptr<Layer<float>> layer) -> std::unique_ptr<Layer<float>> {
        return std::make_unique<Noted>(std::move(layer));
      },
      [](std::unique_ptr<Layer<double>> layer) { return layer; }});
  json c = lenet();
  c["layers"][7] = {{"type", "noted_linear"}, {"units", 10}};
  const Config config = parse_config(c, "net.json");
  CHECK(config.layers[7]["type"] == "noted_linear");
  CHECK(config.layers[7]["bias"] == true);  // linear's defaults, filled in
  Sequential<float> net;
  build_network(config, net);
  CHECK(net.layer(7).kind() == "noted_linear");
  CHECK(net.output_shape(7) == Shape{10});
  c["layers"][7]["kernel"] = 3;  // not a field of linear
  CHECK(error_of(c).find("net.json: layers[7].kernel: unknown field") == 0);
  CHECK_THROWS_WITH_AS(register_layer_type(LayerTypeExtension{"relu", "linear", {}, {}}),
                       "layer type relu exists already", Error);
  CHECK_THROWS_WITH_AS(register_layer_type(LayerTypeExtension{"noted_linear", "linear", {}, {}}),
                       "layer type noted_linear exists already", Error);
  CHECK_THROWS_WITH_AS(register_layer_type(LayerTypeExtension{"noted_conv3d", "conv3d", {}, {}}),
                       "layer type noted_conv3d: conv3d is not a built-in layer type", Error);
}
