#pragma once
// Wall-clock time since construction, from a monotonic clock.
#include <chrono>

namespace minicnn {

class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace minicnn
