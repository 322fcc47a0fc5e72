#include "models/sgd_trace.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace minicnn {
namespace {

std::string g6(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// A number inside a formula: a negative one in parentheses.
std::string term(double v) { return v < 0 ? std::string("(").append(g6(v)).append(")") : g6(v); }

// "0,0,1,1" -> the flat index of [0,0,1,1] in shape, or -1 when it is not an index of shape.
int64_t parse_index(const std::string& text, const Shape& shape) {
  int64_t flat = 0;
  int axis = 0;
  size_t at = 0;
  while (true) {
    const size_t end = text.find(',', at);
    const std::string part = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos ||
        axis == shape.rank || std::stoll(part) >= shape[axis])
      return -1;
    flat = flat * shape[axis] + std::stoll(part);
    ++axis;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return axis == shape.rank ? flat : -1;
}

}  // namespace

SgdTracer::SgdTracer(const SgdTraceRequest& request, const std::vector<Param<float>*>& params, Sgd<float>& sgd)
    : sgd_(&sgd), chosen_step_(request.step) {
  if (request.step < 1) throw Error("--trace-step: steps count from 1, got " + std::to_string(request.step));
  const std::string& spec = request.weight;
  const size_t bracket = spec.find('[');
  const std::string name = spec.substr(0, bracket);
  std::string known;
  for (size_t k = 0; k < params.size(); ++k) {
    known += (known.empty() ? "" : ", ") + params[k]->name + " " + params[k]->value.shape().str();
    if (param_ == nullptr && (spec.empty() || params[k]->name == name)) {
      param_ = params[k];
      velocity_ = &sgd.velocities()[k];
    }
  }
  if (param_ == nullptr) throw Error("--trace-weight: no parameter called " + name + "; the parameters are " + known);
  const Shape& shape = param_->value.shape();
  if (!spec.empty()) {
    const bool bracketed = bracket != std::string::npos && spec.size() > bracket + 1 && spec.back() == ']';
    index_ = bracketed ? parse_index(spec.substr(bracket + 1, spec.size() - bracket - 2), shape) : -1;
    if (index_ < 0)
      throw Error("--trace-weight: \"" + spec + "\" is not an element of " + param_->name + " (" + shape.str() +
                  "); name one like " + param_->name + shape.index_text(0));
  }
  weight_ = param_->name + shape.index_text(index_);
  w_before_ = param_->value[index_];
  velocity_before_ = (*velocity_)[index_];
}

std::optional<SgdTrace> SgdTracer::after_step(int64_t step, int epoch, int64_t batch, int64_t batches,
                                              int batch_size) {
  const float w = param_->value[index_], velocity = (*velocity_)[index_];
  std::optional<SgdTrace> trace;
  if (step == chosen_step_)
    trace = SgdTrace{.weight = weight_, .step = step, .batch = batch, .batches = batches, .epoch = epoch,
                     .batch_size = batch_size, .sgd = sgd_->options(), .w = w_before_,
                     .grad = param_->grad[index_],  // zeroed only when the next batch starts
                     .velocity_before = velocity_before_, .velocity = velocity, .new_w = w};
  w_before_ = w;
  velocity_before_ = velocity;
  return trace;
}

std::string describe(const SgdTrace& t) {
  const SgdOptions& o = t.sgd;
  const double g = t.grad + o.weight_decay * t.w;  // as the optimizer computes it, for the formulas
  std::string text = "SGD step " + std::to_string(t.step) + " (epoch " + std::to_string(t.epoch) + ", batch " +
                     std::to_string(t.batch) + " of " + std::to_string(t.batches) + ") for " + t.weight + "\n";
  text += "lr " + g6(o.learning_rate) + ", momentum " + g6(o.momentum) + ", weight decay " + g6(o.weight_decay) +
          (o.nesterov ? ", Nesterov" : "") + "\n";
  char values[320];
  std::snprintf(values, sizeof values,
                "  w      = %-12s the weight before the step\n"
                "  grad   = %-12s dL/dw from backprop, the mean over a batch of %d images\n"
                "  v      = %-12s the momentum buffer before the step\n",
                g6(t.w).c_str(), g6(t.grad).c_str(), t.batch_size, g6(t.velocity_before).c_str());
  text += values;
  text += "  g      = grad + weight_decay*w = " + term(t.grad) + " + " + term(o.weight_decay) + "*" + term(t.w) +
          " = " + g6(g) + "\n";
  text += "  v      = momentum*v + g = " + term(o.momentum) + "*" + term(t.velocity_before) + " + " + term(g) + " = " +
          g6(t.velocity) + "\n";
  if (o.nesterov)
    text += "  new w  = w - lr*(g + momentum*v) = " + term(t.w) + " - " + term(o.learning_rate) + "*(" + term(g) +
            " + " + term(o.momentum) + "*" + term(t.velocity) + ") = " + g6(t.new_w) + "\n";
  else
    text += "  new w  = w - lr*v = " + term(t.w) + " - " + term(o.learning_rate) + "*" + term(t.velocity) + " = " +
            g6(t.new_w) + "\n";
  return text;
}

}  // namespace minicnn
