// Shape and Tensor: sizes, NCHW layout, and the storage rules (copy is deep, view and sample share,
// resize reuses what is there); all_finite.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "core/error.hpp"
#include "core/shape.hpp"
#include "core/tensor.hpp"

using namespace minicnn;

TEST_CASE("a shape counts its elements and adds or drops the batch axis") {
  const Shape s{2, 3, 4, 5};
  CHECK(s.rank == 4);
  CHECK(s.numel() == 2 * 3 * 4 * 5);
  CHECK(s.str() == "2x3x4x5");
  CHECK(Shape{}.numel() == 0);
  CHECK(Shape{7}.numel() == 7);
  CHECK(Shape{3, 0, 2}.numel() == 0);

  const Shape sample = s.without_batch();
  CHECK(sample == Shape{3, 4, 5});
  CHECK(sample.with_batch(9) == Shape{9, 3, 4, 5});
  CHECK_FALSE(Shape{3, 4} == Shape{3, 4, 1});
  CHECK_FALSE(Shape{3, 4} == Shape{4, 3});
  CHECK_THROWS_AS(s.with_batch(2), Error);
  CHECK_THROWS_AS((Shape{1, 2, 3, 4, 5}), Error);
}

TEST_CASE("a new tensor is zero-filled and 64-byte aligned") {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor<float> t(Shape{n, 3});
    CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
    for (float v : t) CHECK(v == 0.0f);
  }
  const Tensor<double> empty;
  CHECK(empty.empty());
  CHECK(empty.numel() == 0);
}

TEST_CASE("a negative size is an Error, checked before anything is allocated") {
  CHECK_THROWS_AS(Tensor<float>(Shape{-1, 3}), Error);
  CHECK_THROWS_AS(Tensor<float>(Shape{-1000000}), Error);
  CHECK_THROWS_AS(Tensor<float>(Shape{-2, -3}), Error);  // a positive product must not hide it
  Tensor<float> t(Shape{4});
  CHECK_THROWS_AS(t.resize(Shape{2, -2}), Error);
  CHECK(t.shape() == Shape{4});  // unchanged by the failed resize
}

TEST_CASE("at(n, c, h, w) is the NCHW flat index ((n·C + c)·H + h)·W + w") {
  Tensor<double> t(Shape{2, 3, 4, 5});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<double>(i);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t w = 0; w < 5; ++w) CHECK(t.at(n, c, h, w) == static_cast<double>(((n * 3 + c) * 4 + h) * 5 + w));
}

TEST_CASE("copying a tensor copies its values") {
  Tensor<float> a(Shape{2, 3});
  for (int64_t i = 0; i < a.numel(); ++i) a[i] = static_cast<float>(i);

  Tensor<float> constructed(a);
  CHECK(constructed.shape() == a.shape());
  CHECK(constructed.data() != a.data());
  constructed[0] = 100.0f;
  CHECK(a[0] == 0.0f);

  Tensor<float> assigned(Shape{7});
  assigned = a;
  CHECK(assigned.shape() == a.shape());
  CHECK(assigned.data() != a.data());
  for (int64_t i = 0; i < a.numel(); ++i) CHECK(assigned[i] == a[i]);
  assigned[5] = -1.0f;
  CHECK(a[5] == 5.0f);
}

TEST_CASE("resize keeps the storage while it is large enough, and allocates zeroed storage when not") {
  Tensor<float> t(Shape{4, 5});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(i + 1);
  const float* storage = t.data();

  t.resize(Shape{2, 3});  // smaller: same storage, the leading values kept
  CHECK(t.data() == storage);
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t[0] == 1.0f);
  CHECK(t[5] == 6.0f);

  t.resize(Shape{5, 4});  // back up to the capacity: still no allocation
  CHECK(t.data() == storage);
  CHECK(t[19] == 20.0f);

  t.resize(Shape{3, 7});  // beyond the capacity: new storage, zeroed
  CHECK(t.numel() == 21);
  for (float v : t) CHECK(v == 0.0f);
}

TEST_CASE("a view shares the storage, and keeps it alive after the tensor it came from is gone") {
  Tensor<double> flat;  // move-assigned below, so it holds the view itself, not a copy
  {
    Tensor<double> t(Shape{2, 3, 2});
    flat = t.view(Shape{12});
    CHECK(flat.data() == t.data());
    t[7] = 3.5;
    CHECK(flat[7] == 3.5);  // writes through either are seen by the other
    flat[2] = -1.0;
    CHECK(t[2] == -1.0);
    CHECK_THROWS_AS(t.view(Shape{5, 2}), Error);  // a view must have the same number of elements
    Tensor<double> reused = t.view(Shape{12});
    reused.resize(Shape{6});  // a smaller batch...
    reused.resize(Shape{3, 4});  // ...and a full one again, within the storage: still shared
    CHECK(reused.data() == t.data());
  }
  CHECK(flat[7] == 3.5);  // the storage outlived t (ASan would report a use after free)
}

TEST_CASE("sample(n) is a view of the n-th sample along the batch axis") {
  Tensor<float> batch(Shape{3, 2, 2, 2});
  for (int64_t i = 0; i < batch.numel(); ++i) batch[i] = static_cast<float>(i);
  for (int64_t n = 0; n < 3; ++n) {
    Tensor<float> one = batch.sample(n);
    CHECK(one.shape() == Shape{2, 2, 2});
    CHECK(one.data() == batch.data() + n * 8);
    for (int64_t i = 0; i < 8; ++i) CHECK(one[i] == batch[n * 8 + i]);
    one[0] = -1.0f;
    CHECK(batch[n * 8] == -1.0f);
  }
}

TEST_CASE("a parameter's value and gradient have its shape and are separate tensors") {
  Param<float> p("conv1.weight", Shape{4, 1, 3, 3});
  CHECK(p.name == "conv1.weight");
  CHECK(p.value.shape() == Shape{4, 1, 3, 3});
  CHECK(p.grad.shape() == p.value.shape());
  CHECK(p.grad.data() != p.value.data());
}

TEST_CASE("all_finite finds a NaN or an infinity wherever it is, and passes every finite value") {
  for (const int64_t size : {1, 7, 8, 9, 100}) {
    Tensor<float> t(Shape{size});
    t.fill(-0.0f);
    t[size / 2] = std::numeric_limits<float>::max();  // max · 0 is still 0
    if (size > 2) t[1] = std::numeric_limits<float>::denorm_min();
    CHECK(all_finite(t));
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()})
      for (const int64_t at : {int64_t{0}, size / 2, size - 1}) {  // first, middle, the vector loop's tail
        INFO("size " << size << ", at " << at << ": " << bad);
        Tensor<float> u = t;
        u[at] = bad;
        CHECK_FALSE(all_finite(u));
      }
  }
  Tensor<double> d(Shape{5});
  CHECK(all_finite(d));
  d[4] = std::numeric_limits<double>::infinity();
  CHECK_FALSE(all_finite(d));
  CHECK(all_finite(Tensor<float>()));  // empty
}
