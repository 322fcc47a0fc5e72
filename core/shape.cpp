#include "core/shape.hpp"

#include "core/error.hpp"

namespace minicnn {

Shape::Shape(std::initializer_list<int64_t> sizes) {
  if (sizes.size() > kMaxRank) throw Error("a shape has at most 4 axes, got " + std::to_string(sizes.size()));
  for (int64_t size : sizes) dims[rank++] = size;
}

int64_t Shape::numel() const {
  if (rank == 0) return 0;  // the empty shape of a default tensor holds nothing
  int64_t count = 1;
  for (int axis = 0; axis < rank; ++axis) count *= dims[axis];
  return count;
}

bool Shape::numel_at_most(int64_t limit) const {
  if (rank == 0) return limit >= 0;
  int64_t count = 1;
  for (int axis = 0; axis < rank; ++axis) {
    if (dims[axis] < 0) return false;
    if (dims[axis] == 0) return true;
  }
  for (int axis = 0; axis < rank; ++axis) {
    if (dims[axis] > limit / count) return false;  // count · size > limit, tested without multiplying
    count *= dims[axis];
  }
  return true;
}

bool Shape::operator==(const Shape& other) const {
  if (rank != other.rank) return false;
  for (int axis = 0; axis < rank; ++axis)
    if (dims[axis] != other.dims[axis]) return false;
  return true;
}

Shape Shape::with_batch(int64_t n) const {
  if (rank >= kMaxRank) throw Error("cannot add a batch axis to the 4-axis shape " + str());
  Shape batched;
  batched.rank = rank + 1;
  batched.dims[0] = n;
  for (int axis = 0; axis < rank; ++axis) batched.dims[axis + 1] = dims[axis];
  return batched;
}

Shape Shape::without_batch() const {
  Shape sample;
  sample.rank = rank - 1;
  for (int axis = 1; axis < rank; ++axis) sample.dims[axis - 1] = dims[axis];
  return sample;
}

std::string Shape::str() const {
  std::string text;
  for (int axis = 0; axis < rank; ++axis) {
    if (axis > 0) text += 'x';
    text += std::to_string(dims[axis]);
  }
  return text;
}

std::string Shape::index_text(int64_t flat) const {
  std::array<int64_t, kMaxRank> index{};
  for (int axis = rank - 1; axis >= 0; --axis) {
    index[axis] = flat % dims[axis];
    flat /= dims[axis];
  }
  std::string text = "[";
  for (int axis = 0; axis < rank; ++axis) {
    if (axis > 0) text += ',';
    text += std::to_string(index[axis]);
  }
  return text + "]";
}

}  // namespace minicnn
