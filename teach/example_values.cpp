#include "teach/example_values.hpp"

#include <algorithm>
#include <cmath>

namespace minicnn {

double max_difference(const Tensor<double>& a, const Tensor<double>& b) {
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

}  // namespace minicnn
