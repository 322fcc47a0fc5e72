#pragma once
// What several test programs share: random tensors, a thread-count guard, the assertions that a gradient
// check passed and that backward adds, the convolution geometries the im2col and conv2d tests sweep, and
// the rounding bound of Winograd's F(2x2, 3x3).
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/im2col.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "layers/layer.hpp"
#include "models/gradcheck.hpp"

namespace minicnn::test {

// A tensor of values drawn uniformly from [low, high).
template <typename T>
Tensor<T> random_tensor(const Shape& shape, Rng& rng, double low = -1.0, double high = 1.0) {
  Tensor<T> t(shape);
  for (T& v : t) v = static_cast<T>(rng.uniform(low, high));
  return t;
}

// Sets the number of threads for one scope and restores it after.
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : previous_(num_threads()) { set_num_threads(threads); }
  ~ThreadCount() { set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

// Whether a gradient check may skip kinks. Tests built to avoid kinks forbid them, so that every element is
// really compared.
enum class Kinks { Forbidden, Allowed };

// Checks that every tensor passed; a failure prints the report: worst index, analytic and numeric values.
inline void check_gradients(const std::vector<GradcheckReport>& reports, Kinks kinks = Kinks::Forbidden) {
  for (const GradcheckReport& report : reports) {
    INFO(describe(report));
    CHECK(report.passed);
    if (kinks == Kinks::Forbidden) CHECK(report.kinks_skipped == 0);
  }
}

// backward() writes dx, whatever it held, and adds into the parameter gradients: run it on buffers of zeros,
// then on buffers of ones, and expect the same dx and 1 + the first parameter gradients.
inline void check_backward_writes_dx_adds_into_params(Layer<double>& layer, const Tensor<double>& x, Rng& rng) {
  Tensor<double> y;
  layer.forward(x, y, Context{});
  const Tensor<double> dy = random_tensor<double>(y.shape(), rng);
  auto gradients_from = [&](double start) {
    Tensor<double> dx(x.shape());
    dx.fill(start);
    for (Param<double>* p : layer.params()) p->grad.fill(start);
    layer.backward(x, y, dy, dx);
    std::vector<Tensor<double>> gradients{dx};
    for (Param<double>* p : layer.params()) gradients.push_back(p->grad);
    return gradients;
  };
  const std::vector<Tensor<double>> from_zero = gradients_from(0.0), from_one = gradients_from(1.0);
  for (size_t k = 0; k < from_zero.size(); ++k)
    for (int64_t i = 0; i < from_zero[k].numel(); ++i) {
      INFO("gradient " << k << " (0 = input), element " << i);
      const double expected = k == 0 ? from_zero[k][i] : 1.0 + from_zero[k][i];
      CHECK(from_one[k][i] == doctest::Approx(expected).epsilon(1e-13));
    }
}

// An empty dx asks backward() for the parameter gradients only: they must equal those of a full backward.
inline void check_input_gradient_optional(Layer<double>& layer, const Tensor<double>& x, Rng& rng) {
  Tensor<double> y;
  layer.forward(x, y, Context{});
  const Tensor<double> dy = random_tensor<double>(y.shape(), rng);
  auto parameter_gradients = [&](Tensor<double>& dx) {
    for (Param<double>* p : layer.params()) p->grad.zero();
    layer.backward(x, y, dy, dx);
    std::vector<double> all;
    for (Param<double>* p : layer.params()) all.insert(all.end(), p->grad.begin(), p->grad.end());
    return all;
  };
  Tensor<double> dx(x.shape()), not_wanted;
  const std::vector<double> full = parameter_gradients(dx);
  CHECK(parameter_gradients(not_wanted) == full);
  CHECK(not_wanted.empty());
}

// The rules of backward(): it writes a given dx and adds into the parameter gradients, and an empty dx gives
// the same parameter gradients without dL/dx.
inline void check_backward_contract(Layer<double>& layer, const Tensor<double>& x, Rng& rng) {
  check_backward_writes_dx_adds_into_params(layer, x, rng);
  check_input_gradient_optional(layer, x, rng);
}

// A convolution to test: a batch of images and the geometry applied to each.
struct ConvCase {
  int batch = 1;
  ConvGeometry geometry;
  int out_channels = 1;
  bool bias = true;
};

// count cases (a multiple of 36 covers every combination of the options below equally). The height axis
// cycles through stride 1-3 x padding 0-2 x dilation 1-2 x bias on/off; the width axis draws its own, so
// kernels and images are mostly non-square. Image sizes are drawn so that the dilated kernel fits.
inline std::vector<ConvCase> conv_cases(int count, uint64_t seed, int max_extra_size = 5) {
  Rng rng(seed);
  auto draw = [&](int low, int high) { return low + static_cast<int>(rng.below(high - low + 1)); };
  std::vector<ConvCase> cases;
  for (int k = 0; k < count; ++k) {
    ConvCase c;
    ConvGeometry& g = c.geometry;
    g.stride_h = 1 + k % 3;
    g.pad_h = (k / 3) % 3;
    g.dilation_h = 1 + (k / 9) % 2;
    c.bias = (k / 18) % 2 == 0;
    g.stride_w = draw(1, 3);
    g.pad_w = draw(0, 2);
    g.dilation_w = draw(1, 2);
    g.kernel_h = draw(1, 4);
    g.kernel_w = draw(1, 4);
    const int extent_h = g.dilation_h * (g.kernel_h - 1) + 1, extent_w = g.dilation_w * (g.kernel_w - 1) + 1;
    g.height = std::max(1, extent_h - 2 * g.pad_h) + draw(0, max_extra_size);
    g.width = std::max(1, extent_w - 2 * g.pad_w) + draw(0, max_extra_size);
    g.channels = draw(1, 3);
    c.out_channels = draw(1, 4);
    c.batch = draw(1, 3);
    cases.push_back(c);
  }
  return cases;
}

// "C=2 H=5 W=7 kernel 3x2 stride 2x1 padding 1x0 dilation 1x2, out 3, batch 2, bias"
inline std::string describe(const ConvCase& c) {
  const ConvGeometry& g = c.geometry;
  auto pair = [](int a, int b) { return std::to_string(a) + "x" + std::to_string(b); };
  return "C=" + std::to_string(g.channels) + " H=" + std::to_string(g.height) + " W=" + std::to_string(g.width) +
         " kernel " + pair(g.kernel_h, g.kernel_w) + " stride " + pair(g.stride_h, g.stride_w) + " padding " +
         pair(g.pad_h, g.pad_w) + " dilation " + pair(g.dilation_h, g.dilation_w) + ", out " +
         std::to_string(c.out_channels) + ", batch " + std::to_string(c.batch) + (c.bias ? ", bias" : ", no bias");
}

// A bound on Winograd's rounding error, for inputs and weights of magnitude at most 1 (first order in the
// unit roundoff ε): a transformed input adds up to 4 values (|V| ≤ 4, error ≤ 8ε), a transformed kernel up
// to 9 (|U| ≤ 9, error ≤ 36ε); the GEMM sums C products (error ≤ (C + 2 + 2)ε · C·36 with the inputs'
// errors); the output transform adds 9 of those (|y| ≤ 9·36·C, 4 more roundings).
template <typename T>
inline double winograd_bound(int channels) {
  return 9.0 * 36.0 * channels * (channels + 8) * double(std::numeric_limits<T>::epsilon());
}

// The same for Winograd's weight gradient over `tiles` 2x2 tiles of output (all the images'), for |x|, |dy| ≤ 1:
// a transformed dy adds up to 4 values (|Z| ≤ 4), a transformed input too (|V| ≤ 4); the GEMM sums `tiles`
// products (|S| ≤ 16·tiles, error ≤ (tiles + 4)ε · 16·tiles); Gᵀ S G weighs S's entries by at most 4 in all.
template <typename T>
inline double winograd_weight_bound(int tiles) {
  return 4.0 * 16.0 * tiles * (tiles + 8) * double(std::numeric_limits<T>::epsilon());
}

// What one forward and backward of a layer with a weight and a bias produced.
struct LayerPass {
  Tensor<float> y, dx, dweight, dbias;
};

// Runs the layer forward on x (in evaluation mode unless told) and backward for a dy drawn from dy_seed, on
// `threads` threads; Layer is a Conv2d<float> or a Linear<float>.
template <typename Layer>
LayerPass run_layer_pass(Layer& layer, const Tensor<float>& x, int threads, uint64_t dy_seed,
                         const Context& ctx = Context{}) {
  ThreadCount scope(threads);
  LayerPass pass;
  layer.forward(x, pass.y, ctx);
  Rng dy_rng(dy_seed);  // the same dy for every thread count
  const Tensor<float> dy = random_tensor<float>(pass.y.shape(), dy_rng);
  pass.dx = Tensor<float>(x.shape());
  layer.weight().grad.zero();
  layer.bias().grad.zero();
  layer.backward(x, pass.y, dy, pass.dx);
  pass.dweight = layer.weight().grad;
  pass.dbias = layer.bias().grad;
  return pass;
}

// The message of the minicnn::Error that `action` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace minicnn::test
