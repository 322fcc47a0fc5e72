#include "layers/activation.hpp"

#include <cmath>

#include "core/parallel.hpp"

namespace minicnn {

template <typename T>
std::string Activation<T>::kind() const {
  switch (activation_) {
    case ActivationKind::ReLU: return "relu";
    case ActivationKind::LeakyReLU: return "leaky_relu";
    case ActivationKind::Sigmoid: return "sigmoid";
    case ActivationKind::Tanh: return "tanh";
  }
  return "?";
}

template <typename T>
void Activation<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context&) {
  y.resize(x.shape());
  const T slope = negative_slope_;
  const ActivationKind f = activation_;
  parallel_for(x.numel(), [&](const Block& b) {
    for (int64_t i = b.begin; i < b.end; ++i) {
      const T v = x[i];
      switch (f) {
        case ActivationKind::ReLU: y[i] = v > 0 ? v : T(0); break;
        case ActivationKind::LeakyReLU: y[i] = v > 0 ? v : slope * v; break;
        case ActivationKind::Sigmoid: y[i] = T(1) / (T(1) + std::exp(-v)); break;
        case ActivationKind::Tanh: y[i] = std::tanh(v); break;
      }
    }
  }, kElementwiseGrain);
}

template <typename T>
void Activation<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) {
  if (dx.empty()) return;  // dL/dx is not wanted, and there is nothing else to compute
  const T slope = negative_slope_;
  const ActivationKind f = activation_;
  parallel_for(x.numel(), [&](const Block& b) {
    for (int64_t i = b.begin; i < b.end; ++i) {
      T derivative = 0;
      switch (f) {
        case ActivationKind::ReLU: derivative = x[i] > 0 ? T(1) : T(0); break;
        case ActivationKind::LeakyReLU: derivative = x[i] > 0 ? T(1) : slope; break;
        case ActivationKind::Sigmoid: derivative = y[i] * (T(1) - y[i]); break;
        case ActivationKind::Tanh: derivative = T(1) - y[i] * y[i]; break;
      }
      dx[i] = dy[i] * derivative;
    }
  }, kElementwiseGrain);
}

template class Activation<float>;
template class Activation<double>;

}  // namespace minicnn
