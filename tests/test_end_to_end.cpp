// EndToEnd: blocks of the whole, cut anywhere, reach every element of every tensor exactly once, in each
// tensor's own indices, whatever the sizes (empty tensors first, in the middle, last).
#include <doctest/doctest.h>

#include <vector>

#include "core/end_to_end.hpp"

using namespace minicnn;

namespace {

// How many times each element of each tensor is reached when [0, total) is cut every `block` elements.
std::vector<std::vector<int>> reached(const std::vector<int64_t>& sizes, int64_t block) {
  EndToEnd whole;
  std::vector<std::vector<int>> counts;
  for (int64_t size : sizes) {
    whole.add(size);
    counts.emplace_back(size, 0);
  }
  for (int64_t begin = 0; begin < whole.total(); begin += block)
    whole.for_each_part(begin, std::min(begin + block, whole.total()), [&](size_t k, int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i) ++counts.at(k).at(i);
    });
  return counts;
}

}  // namespace

TEST_CASE("EndToEnd reaches every element of every tensor once, for blocks cut anywhere") {
  for (const std::vector<int64_t>& sizes : std::vector<std::vector<int64_t>>{
           {7}, {3, 5, 1}, {0, 4}, {4, 0, 0, 6}, {5, 0}, {1, 1, 1, 1}, {}}) {
    int64_t total = 0;
    for (int64_t size : sizes) total += size;
    for (int64_t block = 1; block <= total + 1; ++block) {
      INFO(sizes.size() << " tensors, " << total << " elements, blocks of " << block);
      const std::vector<std::vector<int>> counts = reached(sizes, block);
      for (size_t k = 0; k < sizes.size(); ++k)
        for (int64_t i = 0; i < sizes[k]; ++i) {
          INFO("tensor " << k << ", element " << i);
          CHECK(counts[k][i] == 1);
        }
    }
  }
  EndToEnd whole;
  whole.add(3);
  whole.add(4);
  CHECK(whole.total() == 7);
}
