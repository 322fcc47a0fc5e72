#pragma once
// minicnn's threading policy: OpenMP threads over independent work items (images of a batch, channels,
// rows), each calling a single-threaded OpenBLAS.
//
// The items are cut into more blocks than there are threads, each thread has a range of the blocks, and a
// thread that is done with its own range takes blocks from the others'. On a shared machine the cores do
// not run at the same speed (another tenant on a core's sibling, a host busy elsewhere), and a fixed half of
// the work each would leave the faster core waiting for the slower one at the end of every loop; but the
// same range for each thread, loop after loop, keeps each core on the items it has in its cache. Which
// thread runs which block still changes from run to run, so work must not depend on it beyond scratch
// space: sums over blocks go to one share per block, added up in block order (the blocks depend only on the
// item count, the grain and the thread count), and results are reproducible for a given thread count.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

namespace minicnn {

void set_num_threads(int threads);  // also makes OpenBLAS single-threaded
int num_threads();

// The grain of elementwise loops (activations, the optimizer's update): below this many elements per
// block, one thread does the loop faster than two.
constexpr int64_t kElementwiseGrain = int64_t{1} << 15;

// Blocks per thread: enough that the faster of two cores can take a larger share of the blocks (with 8 each,
// 9 of 16 when it is a quarter faster), few enough that handing them out costs nothing measurable.
constexpr int kBlocksPerThread = 8;

// One block of a parallel_for: items [begin, end), the block's index among the loop's blocks (for a
// share of a sum), and the thread running it (for scratch space).
struct Block {
  int64_t begin, end;
  int index, thread;
};

// How many blocks parallel_for(count, body, grain) cuts [0, count) into: at least `grain` items each (starting
// and joining threads costs microseconds, far more when the machine is busy and a thread must wait for a
// core, which small loops cannot repay), kBlocksPerThread per thread at most, and one on one thread.
inline int parallel_blocks(int64_t count, int64_t grain = 1) {
  if (count <= 0) return 0;
  const int threads = omp_get_max_threads();
  if (threads <= 1) return 1;
  const int64_t most = count / std::max<int64_t>(grain, 1);
  return static_cast<int>(std::clamp<int64_t>(most, 1, int64_t{threads} * kBlocksPerThread));
}

// One thread's range of a parallel_for's blocks, [next, end) as the threads take them, on a cache line of
// its own.
struct alignas(64) BlockRange {
  std::atomic<int> next;
  int end;
};

// Calls body(Block) for the blocks [count·b/B, count·(b+1)/B) of [0, count), b < B = parallel_blocks(count,
// grain). Thread t of T first takes the blocks of its own range, [B·t/T, B·(t+1)/T), in order, then the
// next blocks of the other ranges, as each thread comes to them. So of two loops over the same items, one
// after the other (a layer and the next, a layer's forward and backward), each thread gets in the second
// the items it had in the first, which are still in its core's cache; and a slow thread's blocks still go
// to a faster one. Two threads taking blocks as they come (one counter for all) gave a thread a different
// half of the images in every layer: LeNet training on 2 threads, 8 alternations, 4,160-5,723 -> 4,583-5,795
// images/s, faster in 7 (median 1.09x).
template <typename Body>
void parallel_for(int64_t count, Body body, int64_t grain = 1) {
  const int blocks = parallel_blocks(count, grain);
  const auto run = [&](int index, int thread) {
    body(Block{count * index / blocks, count * (index + 1) / blocks, index, thread});
  };
  if (blocks <= 1) {
    if (blocks == 1) run(0, 0);
    return;
  }
  const int team = std::min(blocks, omp_get_max_threads());
  constexpr int kRangesOnStack = 16;  // past that many threads, the ranges go to the heap
  BlockRange on_stack[kRangesOnStack];
  const std::unique_ptr<BlockRange[]> on_heap(team > kRangesOnStack ? new BlockRange[team] : nullptr);
  BlockRange* ranges = on_heap ? on_heap.get() : on_stack;
  for (int t = 0; t < team; ++t) {
    ranges[t].next = static_cast<int>(int64_t{blocks} * t / team);
    ranges[t].end = static_cast<int>(int64_t{blocks} * (t + 1) / team);
  }
#pragma omp parallel num_threads(team)
  {
    // The team can be smaller than asked for (a region nested in another runs on one thread): the threads
    // that came take every range between them.
    const int thread = omp_get_thread_num();
    for (int r = 0; r < team; ++r) {
      BlockRange& range = ranges[(thread + r) % team];
      for (int index = range.next++; index < range.end; index = range.next++) run(index, thread);
    }
  }
}

}  // namespace minicnn
