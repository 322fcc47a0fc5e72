#pragma once
// Gradient checking: does backward() really compute the derivative of forward()?
//
// The output y of a layer (or a network) is reduced to one number with a fixed random weighting,
//   L(x, θ) = Σ_i r_i · y_i,   r_i ~ U(-1, 1) from a seeded Rng, summed in double,
// so that every output element matters and a mistake in any of them shows. backward() with dy = r then gives
// the analytic gradients dL/dx and dL/dθ, and each of their elements is compared with the central difference
//   numeric = (L(v + h) - L(v - h)) / 2h     (error O(h²) where L is smooth),
// perturbing one element v of the input or of a parameter at a time. The error of an element is scaled by
// max(|analytic|, |numeric|, 1): relative for large gradients, absolute for small ones.
//
// Kinks. ReLU at 0 and a max-pool window with a tie are not differentiable: there the central difference
// averages two different slopes and matches neither side. They show as one-sided slopes that disagree,
//   (L(v + h) - L(v)) / h  vs  (L(v) - L(v - h)) / h,
// which for a smooth L differ only by about h·L''(v). An element whose one-sided slopes differ (scaled as above)
// by more than kink_threshold, i.e. more than any curvature |L''| <= kink_threshold / h would explain, is
// skipped and counted: a test that means to exercise every element asserts that none were skipped.
//
// Precision. In double, h = 1e-5 leaves errors near 1e-10, and 1e-6 is a strict tolerance. In float (the
// precision minicnn trains in) every L carries rounding errors near 1e-7·|L|, which a difference divides by h:
// h = 1e-2 balances them with the O(h²) truncation, and errors up to 1e-2 are normal. A wrong backward is
// usually wrong by far more; check in double to see the last digits.
//
// Dropout draws its mask from ctx.rng in every forward. The checker saves the generator before the first
// forward and restores it before every later one, so that all of them use the same mask: dropout is checked
// in training mode with its mask held fixed.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "layers/layer.hpp"
#include "models/sequential.hpp"

namespace minicnn {

struct GradcheckOptions {
  double step = 1e-5;            // h: balances the O(h²) truncation error with rounding error ~ ε·|L|/h
  double tolerance = 1e-6;       // the largest scaled error that passes
  double kink_threshold = 1e-3;  // scaled disagreement of the one-sided slopes that marks a kink
  uint64_t seed = 1;             // of the output weighting r and of the elements drawn
  int64_t max_elements = 0;      // 0: check every element; else at most this many of each tensor, drawn at random
};

// The options above for double; for float h = 1e-2, tolerance 1e-2, kink threshold 1.5e-2 (see Precision).
// An undetected kink (slopes differing by less than the threshold) errs by at most half the threshold.
template <typename T>
GradcheckOptions default_gradcheck_options();

// The outcome for one tensor (the input or one parameter).
struct GradcheckReport {
  std::string name;          // "input", "conv1.weight", ...
  Shape shape;
  int64_t checked = 0;       // elements compared
  int64_t kinks_skipped = 0; // elements skipped as kinks
  double max_abs_error = 0;  // max |analytic - numeric|
  double max_rel_error = 0;  // max |analytic - numeric| / max(|analytic|, |numeric|, 1)
  int64_t worst_index = -1;  // flat index of the element with the largest scaled error
  double analytic = 0, numeric = 0;  // the two gradients there
  double tolerance = 0;
  bool passed = false;       // something was checked and max_rel_error <= tolerance
};

// Checks one layer: the gradient of its input and of each of its parameters, for the batch x. The layer must
// be set up for x's sample shape and its parameters initialized. It is left as after a forward at x, with
// its parameter gradients holding the analytic values.
template <typename T>
std::vector<GradcheckReport> gradcheck(Layer<T>& layer, const Tensor<T>& x, const Context& ctx = {},
                                       const GradcheckOptions& options = default_gradcheck_options<T>());

// The same for a whole built network, end to end.
template <typename T>
std::vector<GradcheckReport> gradcheck(Sequential<T>& net, const Tensor<T>& x, const Context& ctx = {},
                                       const GradcheckOptions& options = default_gradcheck_options<T>());

// The engine under both: compares analytic (same shape as values) with central differences of loss() in
// each element of values (or max_elements of them), which is perturbed in place and restored. Usable for any
// scalar function, e.g. a loss of logits.
template <typename T>
GradcheckReport check_gradient(const std::string& name, Tensor<T>& values, const Tensor<T>& analytic,
                               const std::function<double()>& loss,
                               const GradcheckOptions& options = default_gradcheck_options<T>());

// One tensor of a network check: the input or a parameter of one layer, or the logits of the loss.
struct LayerGradcheck {
  std::string layer;   // "conv1", or "loss" (softmax cross-entropy)
  std::string tensor;  // "input", "weight", "bias", or "logits"
  GradcheckReport report;
};

// Checks every layer of a built, initialized network on its own, which names the layer at fault: the network
// runs forward on the batch x in training mode (dropout drawing from rng), and each layer is then checked at
// the input it received there. Last, the softmax cross-entropy loss of the logits for `labels`. With
// only_layer, just that layer ("loss" for the loss); an Error lists the names when there is no such layer.
template <typename T>
std::vector<LayerGradcheck> gradcheck_layers(Sequential<T>& net, const Tensor<T>& x, std::span<const int32_t> labels,
                                             Rng& rng, const GradcheckOptions& options = default_gradcheck_options<T>(),
                                             const std::string& only_layer = "");

// One line: "conv1.weight [2,1,0,1] of 3x2x3x3: max scaled error 2.1e-10 (analytic 0.41..., numeric 0.41...),
// max abs error 2.1e-10, 54 checked, 0 kinks skipped: pass at tolerance 1e-06"
std::string describe(const GradcheckReport& report);

}  // namespace minicnn
