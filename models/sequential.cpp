#include "models/sequential.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/stopwatch.hpp"

namespace minicnn {

namespace {

// The stem of automatic layer names, as in Caffe's and PyTorch's examples: conv1, pool1, fc1, relu1.
std::string name_stem(const std::string& kind) {
  if (kind == "conv2d") return "conv";
  if (kind == "maxpool" || kind == "avgpool" || kind == "global_avgpool") return "pool";
  if (kind == "linear") return "fc";
  return kind;
}

}  // namespace

template <typename T>
Layer<T>& Sequential<T>::add(std::unique_ptr<Layer<T>> layer) {
  if (layer->name.empty()) {
    const std::string stem = name_stem(layer->kind());
    int same_stem = 1;
    for (const auto& existing : layers_) same_stem += name_stem(existing->kind()) == stem;
    layer->name = stem + std::to_string(same_stem);
  }
  layers_.push_back(std::move(layer));
  built_ = false;
  return *layers_.back();
}

template <typename T>
void Sequential<T>::build(const Shape& input) {
  if (layers_.empty()) throw Error("the network has no layers");
  if (!input.numel_at_most(kMaxValuesPerImage))
    throw Error("the input " + input.str() + " holds more than the " + std::to_string(kMaxValuesPerImage) +
                " values an image may have");
  shapes_ = {input};
  params_.clear();
  param_elements_ = EndToEnd{};
  int64_t parameters = 0;
  for (auto& layer : layers_) {
    for (const auto& other : layers_)
      if (other != layer && other->name == layer->name)
        throw Error(layer->name + ": two layers have this name; names must be unique");
    shapes_.push_back(layer->setup(shapes_.back()));
    // Checked layer by layer, so that the next layer's sizes stay far from overflowing and the parameters
    // allocated so far stay within kMaxParameters plus one layer's.
    if (!shapes_.back().numel_at_most(kMaxValuesPerImage))
      throw Error(layer->name + ": its output " + shapes_.back().str() + " holds more than the " +
                  std::to_string(kMaxValuesPerImage) + " values an image may have");
    for (Param<T>* p : layer->params()) {
      params_.push_back(p);
      param_elements_.add(p->grad.numel());
      parameters += p->value.numel();
    }
    if (parameters > kMaxParameters)
      throw Error(layer->name + ": the network's parameters reach " + std::to_string(parameters) + " values here, " +
                  "more than the " + std::to_string(kMaxParameters) + " a network may have");
  }
  activations_.assign(layers_.size(), Tensor<T>());
  gradients_.assign(layers_.size() + 1, Tensor<T>());
  built_ = true;
}

template <typename T>
void Sequential<T>::init_params(Rng& rng) {
  for (auto& layer : layers_) layer->init_params(rng);
}

template <typename T>
const Tensor<T>& Sequential<T>::forward(const Tensor<T>& x, const Context& ctx) {
  if (!built_) throw Error("the network must be built before it runs");
  if (!(x.shape().without_batch() == input_shape()))
    throw Error("the network expects samples of shape " + input_shape().str() + ", got a batch of shape " +
                x.shape().str());
  const Tensor<T>* input = &x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Stopwatch watch;
    layers_[i]->forward(*input, activations_[i], ctx);
    if (times_ != nullptr) times_->forward[i] += watch.seconds();
    input = &activations_[i];
  }
  // Gradient buffers follow the batch size; resize() allocates only when the batch grows.
  gradients_[0].resize(x.shape());
  for (size_t i = 0; i < layers_.size(); ++i) gradients_[i + 1].resize(activations_[i].shape());
  return activations_.back();
}

template <typename T>
void Sequential<T>::backward(const Tensor<T>& x, InputGradient input_gradient) {
  // Training never needs dL/dx: skipping it saves the first layer's largest backward step (for a conv, a
  // GEMM and a col2im over the biggest image of the network).
  Tensor<T> not_wanted;
  for (size_t i = layers_.size(); i-- > 0;) {
    const Tensor<T>& input = i == 0 ? x : activations_[i - 1];
    Tensor<T>& dx = i == 0 && input_gradient == InputGradient::NotWanted ? not_wanted : gradients_[i];
    const Stopwatch watch;
    layers_[i]->backward(input, activations_[i], gradients_[i + 1], dx);
    if (times_ != nullptr) times_->backward[i] += watch.seconds();
  }
}

template <typename T>
void Sequential<T>::time_layers(LayerTimes* times) {
  times_ = times;
  if (times_ != nullptr) {
    times_->forward.assign(layers_.size(), 0.0);
    times_->backward.assign(layers_.size(), 0.0);
  }
}

template <typename T>
std::string Sequential<T>::first_non_finite() const {
  // Forward order for outputs, then backward order for gradients: the first place the values went bad.
  for (size_t i = 0; i < layers_.size(); ++i)
    if (!all_finite(activations_[i])) return layers_[i]->name + " output";
  for (size_t i = layers_.size(); i-- > 0;) {
    for (Param<T>* p : layers_[i]->params())
      if (!all_finite(p->value)) return p->name + " (the parameter itself)";
    if (!all_finite(gradients_[i + 1])) return layers_[i]->name + " output gradient";
    for (Param<T>* p : layers_[i]->params())
      if (!all_finite(p->grad)) return p->name + " gradient";
  }
  return "";
}

template <typename T>
void Sequential<T>::zero_grad() {
  // Megabytes of gradients, every step: cleared by all threads, in one loop over all of them end to end.
  // (Activation gradients are written by each backward, never added into: they need no clearing.)
  parallel_for(param_elements_.total(), [&](const Block& b) {
    param_elements_.for_each_part(b.begin, b.end, [&](size_t k, int64_t first, int64_t last) {
      T* grad = params_[k]->grad.data();
      std::fill(grad + first, grad + last, T(0));
    });
  }, kElementwiseGrain);
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace minicnn
