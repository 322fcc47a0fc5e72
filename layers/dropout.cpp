#include "layers/dropout.hpp"

#include "core/error.hpp"

namespace minicnn {

template <typename T>
Shape Dropout<T>::setup(const Shape& input) {
  if (!(probability_ >= 0.0 && probability_ < 1.0))
    throw Error(this->name + ": the drop probability must be in [0, 1), got " + std::to_string(probability_));
  return input;
}

template <typename T>
void Dropout<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) {
  y.resize(x.shape());
  mask_.resize(x.shape());
  const bool active = ctx.training && probability_ > 0.0;
  if (active && ctx.rng == nullptr) throw Error(this->name + ": dropout in training needs a random generator");
  const T keep_scale = static_cast<T>(1.0 / (1.0 - probability_));
  // Drawn serially, so that the mask depends on the seed only, not on the thread count.
  for (int64_t i = 0; i < x.numel(); ++i) {
    mask_[i] = !active ? T(1) : (ctx.rng->uniform() >= probability_ ? keep_scale : T(0));
    y[i] = x[i] * mask_[i];
  }
}

template <typename T>
void Dropout<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  if (dx.empty()) return;  // dL/dx is not wanted, and there is nothing else to compute
  const int64_t count = x.numel();
  const T *from = dy.data(), *mask = mask_.data();
  T* to = dx.data();
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) to[i] = from[i] * mask[i];
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace minicnn
