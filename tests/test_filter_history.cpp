// inspect/filter_history.hpp: a run's recorded filters share one scale, the largest |w| of all recorded
// epochs, redrawn when an epoch raises it; the .npy files hold the exact weights; the gradient is dL/dW in
// evaluation mode.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "core/npy.hpp"
#include "core/rng.hpp"
#include "inspect/filter_grid.hpp"
#include "inspect/filter_history.hpp"
#include "layers/conv2d.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/softmax_cross_entropy.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

struct TempRun {
  std::string dir = (fs::temp_directory_path() / ("minicnn-history-test-" + std::to_string(::getpid()))).string();
  TempRun() { fs::remove_all(dir); fs::create_directories(dir); }
  ~TempRun() { fs::remove_all(dir); }
};

Tensor<float> filled(const Shape& shape, uint64_t seed, double largest) {
  Rng rng(seed);
  Tensor<float> t(shape);
  for (float& v : t) v = static_cast<float>(rng.uniform(-largest / 2, largest / 2));
  t[3] = static_cast<float>(-largest);  // exactly the largest |value|
  return t;
}

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// The value of the PNG's "minicnn.scale" text chunk.
std::string scale_text(const std::string& path) {
  const std::string bytes = read_bytes(path), key = std::string("minicnn.scale") + '\0';
  const size_t at = bytes.find(key);
  if (at == std::string::npos) return "(none)";
  // The chunk's data (key, NUL, value) starts with the key; its length is the 4 bytes before the type "tEXt".
  const size_t length = static_cast<uint8_t>(bytes[at - 6]) << 8 | static_cast<uint8_t>(bytes[at - 5]);
  return bytes.substr(at + key.size(), length - key.size());
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

}  // namespace

TEST_CASE("every recorded epoch is drawn with the run's scale, redrawn when a later epoch raises it") {
  TempRun run;
  const Shape shape{3, 1, 2, 2};
  const Tensor<float> w0 = filled(shape, 1, 0.5), w1 = filled(shape, 2, 1.0), w2 = filled(shape, 3, 0.8);
  const Tensor<float> g = filled(shape, 4, 0.01);
  auto drawn_with = [&](int epoch, const Tensor<float>& w, double scale) {
    const Image image = load_image(filter_history_path(run.dir, epoch, ".png"), 0);
    return image.pixels == filter_grid(w, {.value_scale = scale}).pixels &&
           scale_text(filter_history_path(run.dir, epoch, ".png")) == number(scale);
  };

  CHECK(record_filters(run.dir, "conv1", 0, w0, g) == doctest::Approx(0.5));
  CHECK(drawn_with(0, w0, 0.5));
  CHECK(record_filters(run.dir, "conv1", 1, w1, g) == doctest::Approx(1.0));
  CHECK(drawn_with(0, w0, 1.0));  // redrawn
  CHECK(drawn_with(1, w1, 1.0));
  CHECK(record_filters(run.dir, "conv1", 2, w2, g) == doctest::Approx(1.0));
  for (auto [epoch, w] : {std::pair{0, &w0}, std::pair{1, &w1}, std::pair{2, &w2}}) {
    INFO("epoch " << epoch);
    CHECK(drawn_with(epoch, *w, 1.0));
  }
  const std::optional<RunFilterScale> scale = read_run_filter_scale(run.dir);
  REQUIRE(scale);
  CHECK(scale->layer == "conv1");
  CHECK(scale->scale == doctest::Approx(1.0));
  CHECK(recorded_filter_epochs(run.dir, 1) == std::vector<int>{0, 1});
  CHECK(recorded_filter_epochs(run.dir, 9) == std::vector<int>{0, 1, 2});
  CHECK(filter_history_path(run.dir, 7, "-grad.png") == run.dir + "/filters/epoch-007-grad.png");

  // The gradient is drawn with its own scale.
  CHECK(scale_text(filter_history_path(run.dir, 2, "-grad.png")) == number(max_abs(g)));
  // The .npy files hold the exact float32 weights, [OC, IC, KH, KW].
  const NpyArray saved = load_npy(filter_history_path(run.dir, 1, ".npy"));
  CHECK_FALSE(saved.is_double);
  CHECK(saved.shape == std::vector<int64_t>{3, 1, 2, 2});
  for (int64_t i = 0; i < w1.numel(); ++i) CHECK(saved.values[i] == w1[i]);
}

TEST_CASE("a run without a history has no scale") {
  TempRun run;
  CHECK_FALSE(read_run_filter_scale(run.dir));
  CHECK(recorded_filter_epochs(run.dir, 5).empty());
}

TEST_CASE("the recorded gradient is dL/dW in evaluation mode: finite differences agree, dropout is off") {
  Sequential<float> net;
  net.add(std::make_unique<Conv2d<float>>(Conv2dOptions{.out_channels = 2, .kernel_h = 2, .kernel_w = 2}));
  net.add(std::make_unique<Dropout<float>>(0.5));
  net.add(std::make_unique<Flatten<float>>());
  net.add(std::make_unique<Linear<float>>(LinearOptions{.units = 3}));
  net.build(Shape{1, 4, 4});
  Rng rng(5);
  net.init_params(rng);
  Tensor<float> images(Shape{6, 1, 4, 4});
  for (float& v : images) v = static_cast<float>(rng.uniform(-1, 1));
  const std::vector<int32_t> labels{0, 1, 2, 0, 1, 2};

  const Tensor<float> gradient = conv_weight_gradient(net, 0, images, labels);
  const Tensor<float> again = conv_weight_gradient(net, 0, images, labels);
  CHECK(std::equal(gradient.begin(), gradient.end(), again.begin()));  // no random dropout mask

  // Central differences of the loss (the network is linear in each weight up to the softmax: smooth).
  Tensor<float>& w = dynamic_cast<Conv2d<float>&>(net.layer(0)).weight().value;
  auto loss = [&] {
    SoftmaxCrossEntropy<float> l;
    return l.forward(net.forward(images, Context{}), labels);
  };
  for (int64_t i = 0; i < w.numel(); ++i) {
    const float kept = w[i], h = 1e-2f;
    w[i] = kept + h;
    const double up = loss();
    w[i] = kept - h;
    const double down = loss();
    w[i] = kept;
    INFO("weight " << i);
    CHECK(gradient[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-3));
  }
}
