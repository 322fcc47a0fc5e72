#pragma once
// The numbers of the explain walk-throughs, and how they compare their results.
#include <cstdint>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace minicnn {

// Small integers that a student can multiply by hand: signals (pixels) in 0..4, kernel taps and gradients in
// {-2, -1, 1, 2} (no zeros, so that every tap shows in the sums), biases in -2..2. Or random values in
// [-1, 1] with two decimals, so that the printed inputs are exactly the ones computed with.
class ExampleValues {
 public:
  ExampleValues(bool random, uint64_t seed) : random_(random), rng_(seed) {}
  double signal() { return random_ ? two_decimals() : static_cast<double>(rng_.below(5)); }
  double tap() {
    static const double taps[] = {-2, -1, 1, 2};
    return random_ ? two_decimals() : taps[rng_.below(4)];
  }
  double bias() { return random_ ? two_decimals() : static_cast<double>(rng_.below(5)) - 2; }

 private:
  double two_decimals() { return static_cast<double>(static_cast<int64_t>(rng_.below(201)) - 100) / 100; }
  bool random_;
  Rng rng_;
};

// The largest |a[i] - b[i]|: how far two ways of computing the same result disagree.
double max_difference(const Tensor<double>& a, const Tensor<double>& b);

}  // namespace minicnn
