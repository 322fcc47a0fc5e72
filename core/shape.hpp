#pragma once
// A tensor shape of rank 1 to 4, stored inline so that making one never allocates (shapes are built inside
// the training step).
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace minicnn {

struct Shape {
  static constexpr int kMaxRank = 4;
  std::array<int64_t, kMaxRank> dims{};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> sizes);

  int64_t operator[](int axis) const { return dims[axis]; }
  int64_t& operator[](int axis) { return dims[axis]; }
  int64_t numel() const;
  // Whether numel() <= limit, decided without overflowing however large the sizes: for checking a shape
  // that came from a file before anything of its size is allocated or multiplied out.
  bool numel_at_most(int64_t limit) const;
  bool operator==(const Shape& other) const;

  // The same shape with a batch axis of size n in front: [C,H,W] -> [n,C,H,W].
  Shape with_batch(int64_t n) const;
  // The shape without its first (batch) axis.
  Shape without_batch() const;
  // "1x28x28"
  std::string str() const;
  // "[1,0,2]": the element at a flat (row-major) index, one index per axis.
  std::string index_text(int64_t flat) const;
};

}  // namespace minicnn
