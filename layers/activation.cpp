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

namespace {

// out[i] = value(i) for i in [0, count), in parallel blocks. One loop per kind of activation, so that each
// vectorizes: with the kind switched inside the loop, ReLU stayed scalar (LeNet's 32,000 fc1 outputs: 47 µs
// forward, 38 backward; 7 and 7 as one loop each).
template <typename T, typename Value>
void map_elements(int64_t count, T* out, Value value) {
  parallel_for(count, [&](const Block& b) {
#pragma omp simd
    for (int64_t i = b.begin; i < b.end; ++i) out[i] = value(i);
  }, kElementwiseGrain);
}

}  // namespace

template <typename T>
void Activation<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context&) {
  y.resize(x.shape());
  const T* in = x.data();
  const T slope = negative_slope_;
  const int64_t n = x.numel();
  switch (activation_) {
    case ActivationKind::ReLU: map_elements(n, y.data(), [=](int64_t i) { return in[i] > 0 ? in[i] : T(0); }); break;
    case ActivationKind::LeakyReLU:
      map_elements(n, y.data(), [=](int64_t i) { return in[i] > 0 ? in[i] : slope * in[i]; });
      break;
    case ActivationKind::Sigmoid:
      map_elements(n, y.data(), [=](int64_t i) { return T(1) / (T(1) + std::exp(-in[i])); });
      break;
    case ActivationKind::Tanh: map_elements(n, y.data(), [=](int64_t i) { return std::tanh(in[i]); }); break;
  }
}

template <typename T>
void Activation<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) {
  if (dx.empty()) return;  // dL/dx is not wanted, and there is nothing else to compute
  // dx = dy · dy/dx, the derivative from x for the piecewise-linear kinds and from y for the others.
  const T *in = x.data(), *out = y.data(), *grad = dy.data();
  const T slope = negative_slope_;
  const int64_t n = x.numel();
  switch (activation_) {
    case ActivationKind::ReLU:
      map_elements(n, dx.data(), [=](int64_t i) {
        const T g = grad[i];  // loaded whatever x is, so that the loop vectorizes
        return in[i] > 0 ? g : T(0);
      });
      break;
    case ActivationKind::LeakyReLU:
      map_elements(n, dx.data(), [=](int64_t i) {
        const T g = grad[i];
        return in[i] > 0 ? g : slope * g;
      });
      break;
    case ActivationKind::Sigmoid:
      map_elements(n, dx.data(), [=](int64_t i) { return grad[i] * out[i] * (T(1) - out[i]); });
      break;
    case ActivationKind::Tanh:
      map_elements(n, dx.data(), [=](int64_t i) { return grad[i] * (T(1) - out[i] * out[i]); });
      break;
  }
}

template class Activation<float>;
template class Activation<double>;

}  // namespace minicnn
