#include "core/tensor.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/error.hpp"

namespace minicnn {
namespace {

constexpr size_t kAlignment = 64;
std::atomic<int64_t> allocations{0};

template <typename T>
std::shared_ptr<T> allocate_zeroed(int64_t count) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  size_t bytes = std::max<size_t>(kAlignment, (count * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment);
  void* block = std::aligned_alloc(kAlignment, bytes);
  if (block == nullptr) throw std::bad_alloc();
  std::fill_n(static_cast<T*>(block), count, T(0));
  return std::shared_ptr<T>(static_cast<T*>(block), [](T* p) { std::free(p); });
}

// Returns the shape after checking that no size is negative. It runs before anything is allocated: a negative
// element count would become a huge allocation request.
const Shape& checked(const Shape& shape) {
  for (int axis = 0; axis < shape.rank; ++axis)
    if (shape[axis] < 0) throw Error("negative size in shape " + shape.str());
  return shape;
}

}  // namespace

int64_t tensor_allocations() { return allocations.load(std::memory_order_relaxed); }

template <typename T>
Tensor<T>::Tensor(const Shape& shape)
    : storage_(allocate_zeroed<T>(checked(shape).numel())), capacity_(shape.numel()), shape_(shape) {}

template <typename T>
Tensor<T>::Tensor(const Tensor& other) : Tensor(other.shape_) {
  std::copy(other.begin(), other.end(), begin());
}

template <typename T>
Tensor<T>& Tensor<T>::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_);
    std::copy(other.begin(), other.end(), begin());
  }
  return *this;
}

template <typename T>
void Tensor<T>::resize(const Shape& shape) {
  if (checked(shape).numel() > capacity_) {
    storage_ = allocate_zeroed<T>(shape.numel());
    capacity_ = shape.numel();
  }
  shape_ = shape;
}

template <typename T>
Tensor<T> Tensor<T>::view(const Shape& shape) const {
  if (shape.numel() != numel())
    throw Error("cannot view a tensor of shape " + shape_.str() + " as " + shape.str());
  Tensor viewed;
  viewed.storage_ = storage_;
  viewed.capacity_ = capacity_;  // the same first element, so the same room after it
  viewed.shape_ = shape;
  return viewed;
}

template <typename T>
Tensor<T> Tensor<T>::sample(int64_t n) const {
  assert(rank() >= 2 && n >= 0 && n < shape_[0]);
  Tensor one;
  Shape sample_shape = shape_.without_batch();
  // The aliasing constructor: shares ownership of the whole block, points at sample n.
  one.storage_ = std::shared_ptr<T>(storage_, storage_.get() + n * sample_shape.numel());
  one.capacity_ = sample_shape.numel();
  one.shape_ = sample_shape;
  return one;
}

template <typename T>
void Tensor<T>::fill(T value) {
  std::fill(begin(), end(), value);
}

template <typename T>
bool all_finite(const T* v, int64_t count) {
  // v·0 is ±0 for a finite v and NaN for ±inf and NaN, so the sum of those products is 0 exactly when every
  // value is finite: a loop without a branch, which the compiler vectorizes (it may not drop v·0 under IEEE
  // rules).
  T sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < count; ++i) sum += v[i] * T(0);
  return sum == T(0);
}

template bool all_finite(const float*, int64_t);
template bool all_finite(const double*, int64_t);
template class Tensor<float>;
template class Tensor<double>;
template class Tensor<uint8_t>;  // image pixels as loaded

}  // namespace minicnn
