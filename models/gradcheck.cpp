#include "models/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.hpp"
#include "layers/softmax_cross_entropy.hpp"

namespace minicnn {
namespace {

// The scale of an element's error: max(|analytic|, |numeric|, 1).
double error_scale(double a, double b) { return std::max({std::abs(a), std::abs(b), 1.0}); }

// Whether error beats the record so far. NaN beats everything, so that a NaN gradient can never pass.
bool worse(double error, double record) { return std::isnan(error) ? !std::isnan(record) : error > record; }

// The flat indices to check: all of them, or max_elements drawn without repetition, in increasing order.
std::vector<int64_t> elements_to_check(int64_t numel, const GradcheckOptions& options) {
  std::vector<int64_t> indices(numel);
  std::iota(indices.begin(), indices.end(), int64_t{0});
  if (options.max_elements <= 0 || options.max_elements >= numel) return indices;
  Rng draw(options.seed);  // a partial Fisher-Yates shuffle: the first max_elements places
  for (int64_t k = 0; k < options.max_elements; ++k)
    std::swap(indices[k], indices[k + static_cast<int64_t>(draw.below(numel - k))]);
  indices.resize(options.max_elements);
  std::sort(indices.begin(), indices.end());
  return indices;
}

// What the checker needs of a layer or of a network.
template <typename T>
struct Differentiable {
  std::function<const Tensor<T>&(const Tensor<T>& x)> forward;  // y = f(x)
  // dx = dL/dx and each param.grad += dL/dparam, for dy = dL/dy at the last forward
  std::function<void(const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dx)> backward;
  std::vector<Param<T>*> params;
};

template <typename T>
std::vector<GradcheckReport> check_all(const Differentiable<T>& f, const Tensor<T>& input, const Context& ctx,
                                       const GradcheckOptions& options) {
  Tensor<T> x = input;  // a copy, perturbed in place
  // Every forward starts from the same generator state, so dropout draws the same mask every time.
  const Rng::State rng_start = ctx.rng != nullptr ? ctx.rng->state() : Rng::State{};
  auto forward = [&]() -> const Tensor<T>& {
    if (ctx.rng != nullptr) ctx.rng->set_state(rng_start);
    return f.forward(x);
  };

  // The output weighting r, drawn once the output's shape is known; L = Σ r·y, summed in double.
  Tensor<T> r(forward().shape());
  Rng weighting(options.seed);
  for (T& w : r) w = static_cast<T>(weighting.uniform(-1.0, 1.0));
  auto loss = [&] {
    const Tensor<T>& y = forward();
    double sum = 0.0;
    for (int64_t i = 0; i < y.numel(); ++i) sum += static_cast<double>(r[i]) * static_cast<double>(y[i]);
    return sum;
  };

  // The analytic gradients: one backward from the forward at x above, with dy = dL/dy = r.
  Tensor<T> dx(x.shape());
  for (Param<T>* p : f.params) p->grad.zero();
  f.backward(x, r, dx);

  std::vector<GradcheckReport> reports{check_gradient("input", x, dx, loss, options)};
  for (Param<T>* p : f.params) reports.push_back(check_gradient(p->name, p->value, p->grad, loss, options));
  forward();  // leaves the layer's state (max-pool argmax, dropout mask) as after a forward at x
  return reports;
}

}  // namespace

template <>
GradcheckOptions default_gradcheck_options<double>() {
  return GradcheckOptions{};
}

template <>
GradcheckOptions default_gradcheck_options<float>() {
  return GradcheckOptions{.step = 1e-2, .tolerance = 1e-2, .kink_threshold = 1.5e-2};
}

template <typename T>
GradcheckReport check_gradient(const std::string& name, Tensor<T>& values, const Tensor<T>& analytic,
                               const std::function<double()>& loss, const GradcheckOptions& options) {
  if (!(analytic.shape() == values.shape()))
    throw Error("gradcheck: the gradient of " + name + " has shape " + analytic.shape().str() + ", not " +
                values.shape().str());
  GradcheckReport report{.name = name, .shape = values.shape(), .tolerance = options.tolerance};
  const double loss_here = loss();
  for (const int64_t i : elements_to_check(values.numel(), options)) {
    const T v = values[i];
    // v ± h are rounded to T: the differences divide by the steps actually taken.
    const T up = static_cast<T>(v + options.step), down = static_cast<T>(v - options.step);
    values[i] = up;
    const double loss_up = loss();
    values[i] = down;
    const double loss_down = loss();
    values[i] = v;

    const double step_up = static_cast<double>(up) - v, step_down = static_cast<double>(v) - down;
    const double slope_right = (loss_up - loss_here) / step_up, slope_left = (loss_here - loss_down) / step_down;
    if (std::abs(slope_right - slope_left) > options.kink_threshold * error_scale(slope_right, slope_left)) {
      ++report.kinks_skipped;
      continue;
    }
    const double numeric = (loss_up - loss_down) / (step_up + step_down);
    const double abs_error = std::abs(analytic[i] - numeric);
    const double rel_error = abs_error / error_scale(analytic[i], numeric);
    ++report.checked;
    if (worse(abs_error, report.max_abs_error)) report.max_abs_error = abs_error;
    if (report.worst_index < 0 || worse(rel_error, report.max_rel_error)) {
      report.max_rel_error = rel_error;
      report.worst_index = i;
      report.analytic = analytic[i];
      report.numeric = numeric;
    }
  }
  report.passed = report.checked > 0 && report.max_rel_error <= options.tolerance;
  return report;
}

template <typename T>
std::vector<GradcheckReport> gradcheck(Layer<T>& layer, const Tensor<T>& x, const Context& ctx,
                                       const GradcheckOptions& options) {
  Tensor<T> y;
  const Differentiable<T> f{
      [&](const Tensor<T>& input) -> const Tensor<T>& {
        layer.forward(input, y, ctx);
        return y;
      },
      [&](const Tensor<T>& input, const Tensor<T>& dy, Tensor<T>& dx) { layer.backward(input, y, dy, dx); },
      layer.params()};
  return check_all(f, x, ctx, options);
}

template <typename T>
std::vector<GradcheckReport> gradcheck(Sequential<T>& net, const Tensor<T>& x, const Context& ctx,
                                       const GradcheckOptions& options) {
  const Differentiable<T> f{
      [&](const Tensor<T>& input) -> const Tensor<T>& { return net.forward(input, ctx); },
      [&](const Tensor<T>& input, const Tensor<T>& dy, Tensor<T>& dx) {
        net.zero_grad();
        std::copy(dy.begin(), dy.end(), net.output_gradient().begin());
        net.backward(input);
        std::copy(net.input_gradient().begin(), net.input_gradient().end(), dx.begin());
      },
      net.params()};
  return check_all(f, x, ctx, options);
}

template <typename T>
std::vector<LayerGradcheck> gradcheck_layers(Sequential<T>& net, const Tensor<T>& x, std::span<const int32_t> labels,
                                             Rng& rng, const GradcheckOptions& options,
                                             const std::string& only_layer) {
  std::string names;
  bool found = only_layer.empty() || only_layer == "loss";
  for (size_t i = 0; i < net.size(); ++i) {
    names += net.layer(i).name + ", ";
    found = found || net.layer(i).name == only_layer;
  }
  if (!found) throw Error("there is no layer called " + only_layer + "; the layers are " + names + "and loss");

  const Context ctx{true, &rng};
  const Tensor<T> logits = net.forward(x, ctx);  // every layer's input, kept in the network's activations
  std::vector<LayerGradcheck> rows;
  for (size_t i = 0; i < net.size(); ++i) {
    Layer<T>& layer = net.layer(i);
    if (!only_layer.empty() && layer.name != only_layer) continue;
    const Tensor<T>& input = i == 0 ? x : net.activation(i - 1);
    for (GradcheckReport& report : gradcheck(layer, input, ctx, options)) {
      // "conv1.weight" -> "weight"
      std::string tensor = report.name.rfind(layer.name + ".", 0) == 0 ? report.name.substr(layer.name.size() + 1)
                                                                       : report.name;
      rows.push_back(LayerGradcheck{layer.name, std::move(tensor), std::move(report)});
    }
  }
  if (only_layer.empty() || only_layer == "loss") {
    // L = softmax cross-entropy of the logits; its gradient (p - onehot)/N from the loss's backward().
    SoftmaxCrossEntropy<T> cross_entropy;
    Tensor<T> z = logits, analytic(logits.shape());
    cross_entropy.forward(z, labels);
    cross_entropy.backward(analytic);
    GradcheckReport report =
        check_gradient("logits", z, analytic, [&] { return cross_entropy.forward(z, labels); }, options);
    rows.push_back(LayerGradcheck{"loss", "logits", std::move(report)});
  }
  return rows;
}

std::string describe(const GradcheckReport& report) {
  char numbers[320];
  std::snprintf(numbers, sizeof numbers,
                "max scaled error %.3g (analytic %.12g, numeric %.12g), max abs error %.3g, %lld checked, "
                "%lld kinks skipped: %s at tolerance %.3g",
                report.max_rel_error, report.analytic, report.numeric, report.max_abs_error,
                static_cast<long long>(report.checked), static_cast<long long>(report.kinks_skipped),
                report.passed ? "pass" : "FAIL", report.tolerance);
  std::string text = report.name;
  if (report.worst_index >= 0) text += ' ' + report.shape.index_text(report.worst_index);
  return text + " of " + report.shape.str() + ": " + numbers;
}

#define MINICNN_GRADCHECK_INSTANTIATE(T)                                                                          \
  template std::vector<GradcheckReport> gradcheck(Layer<T>&, const Tensor<T>&, const Context&,                     \
                                                  const GradcheckOptions&);                                       \
  template std::vector<GradcheckReport> gradcheck(Sequential<T>&, const Tensor<T>&, const Context&,                \
                                                  const GradcheckOptions&);                                       \
  template GradcheckReport check_gradient(const std::string&, Tensor<T>&, const Tensor<T>&,                        \
                                          const std::function<double()>&, const GradcheckOptions&);               \
  template std::vector<LayerGradcheck> gradcheck_layers(Sequential<T>&, const Tensor<T>&, std::span<const int32_t>, \
                                                        Rng&, const GradcheckOptions&, const std::string&);
MINICNN_GRADCHECK_INSTANTIATE(float)
MINICNN_GRADCHECK_INSTANTIATE(double)
#undef MINICNN_GRADCHECK_INSTANTIATE

}  // namespace minicnn
