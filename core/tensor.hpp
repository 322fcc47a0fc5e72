#pragma once
// Tensor<T>: a dense float32 (or float64, for gradient checks, or uint8, for stored pixels) array in NCHW order, with owning contiguous
// storage aligned to 64 bytes (one cache line, the widest SIMD load).
//
// Copying a tensor copies its values; view() shares them. resize() keeps the storage when it is large
// enough, so buffers reused across training steps stop allocating after the first (largest) batch.
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/shape.hpp"

namespace minicnn {

template <typename T>
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape);  // zero-filled
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  int64_t dim(int axis) const { return shape_[axis]; }
  int rank() const { return shape_.rank; }
  int64_t numel() const { return shape_.numel(); }
  bool empty() const { return numel() == 0; }

  T* data() { return storage_.get(); }
  const T* data() const { return storage_.get(); }
  T* begin() { return data(); }
  T* end() { return data() + numel(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + numel(); }

  // Flat access, bounds-checked in debug builds.
  T& operator[](int64_t i) {
    assert(i >= 0 && i < numel());
    return storage_.get()[i];
  }
  const T& operator[](int64_t i) const {
    assert(i >= 0 && i < numel());
    return storage_.get()[i];
  }
  // NCHW access, bounds-checked in debug builds.
  T& at(int64_t n, int64_t c, int64_t h, int64_t w) { return storage_.get()[offset(n, c, h, w)]; }
  const T& at(int64_t n, int64_t c, int64_t h, int64_t w) const { return storage_.get()[offset(n, c, h, w)]; }

  // Gives the tensor a new shape. Values are kept only where the storage was large enough (then nothing is
  // allocated); otherwise new zeroed storage is allocated.
  void resize(const Shape& shape);
  // A tensor of another shape with the same number of elements, sharing this one's storage (no copy), and
  // its capacity: resized within it, the view still shares the storage (a view reused as a batch buffer, as
  // flatten's output is, does not allocate when the batch grows back to its size).
  Tensor view(const Shape& shape) const;
  // The n-th sample along the batch axis, as a view.
  Tensor sample(int64_t n) const;

  void fill(T value);
  void zero() { fill(T(0)); }

 private:
  int64_t offset(int64_t n, int64_t c, int64_t h, int64_t w) const {
    assert(rank() == 4);
    assert(n >= 0 && n < shape_[0] && c >= 0 && c < shape_[1] && h >= 0 && h < shape_[2] && w >= 0 &&
           w < shape_[3]);
    return ((n * shape_[1] + c) * shape_[2] + h) * shape_[3] + w;
  }

  // Points at this tensor's first element; views share ownership of the block they point into.
  std::shared_ptr<T> storage_;
  int64_t capacity_ = 0;  // elements available from data() on
  Shape shape_;
};

// How many storage blocks tensors of any type have allocated so far: a test checks with it that a training
// step allocates nothing once the first batches have sized every buffer.
int64_t tensor_allocations();

// The most values a network's parameters may hold, together (2^26: 256 MiB of float32, several times the
// networks minicnn is for). A config asking for more is refused before the tensors are allocated.
inline constexpr int64_t kMaxParameters = int64_t{1} << 26;

// A trainable parameter: its value and the gradient of the loss with respect to it, side by side, so that
// one optimizer can walk all of a network's parameters.
template <typename T>
struct Param {
  std::string name;  // "conv1.weight"
  Tensor<T> value;
  Tensor<T> grad;

  Param() = default;
  // Throws Error naming the parameter when its shape holds more than kMaxParameters values.
  Param(std::string param_name, const Shape& shape)
      : name(std::move(param_name)), value(checked_size(name, shape)), grad(shape) {}

 private:
  static const Shape& checked_size(const std::string& name, const Shape& shape) {
    if (!shape.numel_at_most(kMaxParameters))
      throw Error(name + ": a parameter of shape " + shape.str() + " holds more than the " +
                  std::to_string(kMaxParameters) + " values a network may have");
    return shape;
  }
};

// Whether every one of `count` values from v is finite: no NaN, no ±inf.
template <typename T>
bool all_finite(const T* v, int64_t count);
template <typename T>
bool all_finite(const Tensor<T>& t) {
  return all_finite(t.data(), t.numel());
}

}  // namespace minicnn
