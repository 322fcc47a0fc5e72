#pragma once
// minicnn's threading policy: OpenMP threads over independent work items (images of a batch, channels,
// rows), each calling a single-threaded OpenBLAS. Static scheduling gives every thread the same items on
// every run, so results are reproducible for a given thread count.
#include <omp.h>

#include <cstdint>

namespace minicnn {

void set_num_threads(int threads);  // also makes OpenBLAS single-threaded
int num_threads();

// The grain of elementwise loops (activations, the optimizer's update): below this many elements per
// thread, one thread does the loop faster than two.
constexpr int64_t kElementwiseGrain = int64_t{1} << 15;

// Calls body(begin, end, thread) for contiguous blocks of [0, count) split over the threads, giving each
// thread at least `grain` items: starting and joining threads costs microseconds (far more when the
// machine is busy and a thread must wait for a core), which small loops cannot repay.
template <typename Body>
void parallel_for(int64_t count, Body body, int64_t grain = 1) {
  const int64_t most = count / (grain > 0 ? grain : 1);
  int threads = static_cast<int>(most < omp_get_max_threads() ? most : omp_get_max_threads());
  if (threads <= 1) {
    if (count > 0) body(int64_t{0}, count, 0);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    // The team can be smaller than asked for (a region nested in another runs on one thread): the blocks are
    // split over the threads that actually came, so that no block is left undone.
    const int team = omp_get_num_threads(), thread = omp_get_thread_num();
    body(count * thread / team, count * (thread + 1) / team, thread);
  }
}

}  // namespace minicnn
