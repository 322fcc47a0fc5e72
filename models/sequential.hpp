#pragma once
// Sequential: a stack of layers, each fed by the one before. It owns the activations and their gradients,
// one buffer per layer, reused across steps.
//
//   forward:  a_0 = x,  a_{i+1} = layer_i(a_i)
//   backward: g_L = dL/da_L (written by the loss),  g_i = layer_i.backward(a_i, a_{i+1}, g_{i+1})
#include <memory>
#include <string>
#include <vector>

#include "core/end_to_end.hpp"
#include "layers/layer.hpp"

namespace minicnn {

// The most values one image may hold at any layer's input or output (2^26: 256 MiB of float32 per image).
// Besides refusing absurd configs, it keeps every size a layer computes far from overflowing an int.
inline constexpr int64_t kMaxValuesPerImage = int64_t{1} << 26;

template <typename T>
class Sequential {
 public:
  // Appends a layer. One without a name is called after its kind and rank among that kind: conv1 (for
  // conv2d), relu1, conv2, maxpool1, linear1...
  Layer<T>& add(std::unique_ptr<Layer<T>> layer);

  // Checks every layer against the shape of the one before, starting from one input sample's shape (no batch
  // axis). Throws Error naming the first layer that does not fit, with the numbers, or whose output would
  // hold more than kMaxValuesPerImage values, or whose parameters bring the network past kMaxParameters.
  void build(const Shape& input);
  void init_params(Rng& rng);

  // Runs the batch x through every layer and returns the output (the logits).
  const Tensor<T>& forward(const Tensor<T>& x, const Context& ctx);
  // dL/d(output), for the loss to write, sized by the last forward.
  Tensor<T>& output_gradient() { return gradients_.back(); }
  // Back-propagates output_gradient() through every layer, writing every activation's gradient (and, when
  // `input_gradient` is Wanted, input_gradient()) and adding into each parameter's gradient. x must be the
  // batch of the last forward.
  enum class InputGradient { Wanted, NotWanted };
  void backward(const Tensor<T>& x, InputGradient input_gradient = InputGradient::Wanted);
  // The first layer output, parameter or gradient holding a NaN or an infinity ("conv2 output",
  // "fc1.weight gradient"), or "" when all are finite.
  std::string first_non_finite() const;
  // Clears every parameter's gradient, the one place they are reset (backward adds into them).
  void zero_grad();

  const std::vector<Param<T>*>& params() const { return params_; }
  size_t size() const { return layers_.size(); }
  Layer<T>& layer(size_t i) { return *layers_[i]; }
  const Layer<T>& layer(size_t i) const { return *layers_[i]; }
  // Shapes of one sample: input_shape() enters layer 0, output_shape(i) leaves layer i.
  const Shape& input_shape() const { return shapes_.front(); }
  const Shape& output_shape(size_t i) const { return shapes_[i + 1]; }
  // The output of layer i in the last forward, and dL/d(that output) after backward.
  const Tensor<T>& activation(size_t i) const { return activations_[i]; }
  const Tensor<T>& activation_gradient(size_t i) const { return gradients_[i + 1]; }
  const Tensor<T>& input_gradient() const { return gradients_.front(); }

  // Where the time goes: with a LayerTimes attached, every forward and backward adds each layer's wall-clock
  // seconds to it (one entry per layer). Detach with nullptr.
  struct LayerTimes {
    std::vector<double> forward, backward;
  };
  void time_layers(LayerTimes* times);

 private:
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<Shape> shapes_;            // shapes_[0] is the input; shapes_[i+1] the output of layer i
  std::vector<Tensor<T>> activations_;   // activations_[i]: output of layer i
  std::vector<Tensor<T>> gradients_;     // gradients_[0]: dL/dx; gradients_[i+1]: dL/d(activations_[i])
  std::vector<Param<T>*> params_;
  bool built_ = false;
  LayerTimes* times_ = nullptr;
  EndToEnd param_elements_;  // params_' elements laid end to end, for zero_grad()
};

}  // namespace minicnn
