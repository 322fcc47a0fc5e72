#pragma once
// Several tensors' elements laid end to end, so that one parallel loop covers all of them: one parallel
// region instead of one per tensor, and the small tensors shared out with the large ones instead of each
// cleared or updated on one thread (the optimizer's update, clearing a step's gradients).
#include <algorithm>
#include <cstdint>
#include <vector>

namespace minicnn {

class EndToEnd {
 public:
  // Appends a tensor of `size` elements, as the next index k.
  void add(int64_t size) {
    first_.push_back(total_);
    total_ += size;
  }
  int64_t total() const { return total_; }

  // Calls part(k, first, last) for every tensor k that [begin, end) of the whole covers, with [first, last)
  // the covered elements in tensor k's own indices.
  template <typename Part>
  void for_each_part(int64_t begin, int64_t end, Part part) const {
    // The first tensor that ends after begin, then on while they start before end.
    size_t k = std::upper_bound(first_.begin(), first_.end(), begin) - first_.begin() - 1;
    for (; k < first_.size() && first_[k] < end; ++k) {
      const int64_t tensor_end = k + 1 < first_.size() ? first_[k + 1] : total_;
      const int64_t first = std::max(begin, first_[k]), last = std::min(end, tensor_end);
      if (first < last) part(k, first - first_[k], last - first_[k]);
    }
  }

 private:
  std::vector<int64_t> first_;  // where tensor k starts in the whole
  int64_t total_ = 0;
};

}  // namespace minicnn
