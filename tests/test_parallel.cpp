// parallel_for: every index visited exactly once, in blocks, for any thread count, even when called from
// inside another parallel region; and the thread-count setting.
#include <doctest/doctest.h>

#include <omp.h>

#include <atomic>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"

using namespace minicnn;

namespace {

// How many times parallel_for visits each index of [0, count); -1 everywhere if it reported a thread number
// outside [0, num_threads()). No doctest assertion inside: this also runs on several threads at once.
std::vector<int> visits(int64_t count) {
  std::vector<std::atomic<int>> seen(count);
  std::atomic<bool> thread_in_range{true};
  parallel_for(count, [&](int64_t begin, int64_t end, int thread) {
    if (thread < 0 || thread >= num_threads()) thread_in_range = false;
    for (int64_t i = begin; i < end; ++i) ++seen[i];
  });
  if (!thread_in_range) return std::vector<int>(count, -1);
  return std::vector<int>(seen.begin(), seen.end());
}

void check_each_once(int64_t count) {
  const std::vector<int> seen = visits(count);
  for (int64_t i = 0; i < count; ++i) {
    INFO("index " << i << " of " << count);
    CHECK(seen[i] == 1);
  }
}

}  // namespace

TEST_CASE("parallel_for visits every index exactly once, for 1 to 3 threads and any count") {
  for (int threads : {1, 2, 3}) {
    test::ThreadCount scope(threads);
    for (int64_t count : {0, 1, 2, 3, 5, 1000}) check_each_once(count);
  }
}

TEST_CASE("parallel_for called inside a parallel region still visits every index") {
  // OpenMP runs a nested region on one thread by default: parallel_for must not hand out blocks to
  // threads that never come.
  test::ThreadCount scope(2);
  std::atomic<int> failures{0};
#pragma omp parallel num_threads(2)
  {
    const std::vector<int> seen = visits(100);
    for (int v : seen) failures += v != 1;
  }
  CHECK(failures == 0);
}

TEST_CASE("parallel_for gives each thread at least `grain` items, and uses fewer threads to do so") {
  test::ThreadCount scope(2);
  auto blocks = [](int64_t count, int64_t grain) {
    std::vector<std::pair<int64_t, int64_t>> seen(2, {-1, -1});
    parallel_for(count, [&](int64_t begin, int64_t end, int thread) { seen[thread] = {begin, end}; }, grain);
    return seen;
  };
  using Blocks = std::vector<std::pair<int64_t, int64_t>>;
  CHECK(blocks(100, 60) == Blocks{{0, 100}, {-1, -1}});  // two blocks of 50 would be below the grain
  CHECK(blocks(100, 50) == Blocks{{0, 50}, {50, 100}});
  CHECK(blocks(10, 1) == Blocks{{0, 5}, {5, 10}});
}

TEST_CASE("the thread count must be at least 1") {
  CHECK_THROWS_WITH_AS(set_num_threads(0), "the number of threads must be at least 1, got 0", Error);
  test::ThreadCount scope(3);
  CHECK(num_threads() == 3);
}
