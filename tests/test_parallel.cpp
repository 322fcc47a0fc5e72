// parallel_for: every index visited exactly once, in its blocks, for any thread count, even when called from
// inside another parallel region; a slow thread's blocks going to the others; the same blocks for each thread
// in loops one after another; and the thread-count setting.
#include <doctest/doctest.h>

#include <omp.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"

using namespace minicnn;

namespace {

// The blocks parallel_for handed out for [0, count) with `grain`, by block index, as {begin, end}; how many
// times each index was visited; whether every block reported a thread number in [0, num_threads()). No
// doctest assertion inside: this also runs on several threads at once.
struct Visit {
  std::vector<std::pair<int64_t, int64_t>> blocks;
  std::vector<int> visits;
  bool threads_in_range = true;
};

Visit visit(int64_t count, int64_t grain = 1) {
  const int blocks = parallel_blocks(count, grain);
  std::vector<std::pair<int64_t, int64_t>> seen_blocks(blocks, {-1, -1});
  std::vector<std::atomic<int>> seen(count);
  std::atomic<bool> threads_in_range{true};
  parallel_for(count, [&](const Block& b) {
    if (b.thread < 0 || b.thread >= num_threads()) threads_in_range = false;
    if (b.index >= 0 && b.index < blocks) seen_blocks[b.index] = {b.begin, b.end};
    for (int64_t i = b.begin; i < b.end; ++i) ++seen[i];
  }, grain);
  return Visit{seen_blocks, std::vector<int>(seen.begin(), seen.end()), threads_in_range};
}

// Every index once, in the blocks [count·b/B, count·(b+1)/B) of at least `grain` items.
void check_blocks(int64_t count, int64_t grain = 1) {
  INFO(count << " items, grain " << grain << ", " << num_threads() << " thread(s)");
  const Visit v = visit(count, grain);
  CHECK(v.threads_in_range);
  for (int64_t i = 0; i < count; ++i) {
    INFO("index " << i);
    CHECK(v.visits[i] == 1);
  }
  const int64_t blocks = static_cast<int64_t>(v.blocks.size());
  for (int64_t b = 0; b < blocks; ++b) {
    INFO("block " << b << " of " << blocks);
    CHECK(v.blocks[b] == std::pair<int64_t, int64_t>{count * b / blocks, count * (b + 1) / blocks});
    CHECK(v.blocks[b].second - v.blocks[b].first >= std::min(grain, count));
  }
}

}  // namespace

TEST_CASE("parallel_for visits every index exactly once, in its blocks, for 1 to 3 and 20 threads and any count") {
  // 20 threads: more ranges of blocks than parallel_for keeps on the stack.
  for (int threads : {1, 2, 3, 20}) {
    test::ThreadCount scope(threads);
    for (int64_t count : {0, 1, 2, 3, 5, 1000}) check_blocks(count);
    for (int64_t grain : {7, 60, 400}) check_blocks(1000, grain);
  }
}

TEST_CASE("parallel_for called inside a parallel region still visits every index") {
  // OpenMP runs a nested region on one thread by default: parallel_for must not leave blocks to threads
  // that never come.
  test::ThreadCount scope(2);
  std::atomic<int> failures{0};
#pragma omp parallel num_threads(2)
  {
    const Visit v = visit(100);
    for (int n : v.visits) failures += n != 1;
  }
  CHECK(failures == 0);
}

TEST_CASE("parallel_blocks: one block on one thread, at least `grain` items a block, kBlocksPerThread a thread") {
  {
    test::ThreadCount scope(1);
    CHECK(parallel_blocks(1000) == 1);
    CHECK(parallel_blocks(0) == 0);
  }
  test::ThreadCount scope(2);
  CHECK(parallel_blocks(0) == 0);
  CHECK(parallel_blocks(1) == 1);
  CHECK(parallel_blocks(10) == 10);
  CHECK(parallel_blocks(1000) == 2 * kBlocksPerThread);
  CHECK(parallel_blocks(100, 60) == 1);  // two blocks of 50 would be below the grain
  CHECK(parallel_blocks(100, 50) == 2);
  CHECK(parallel_blocks(100, 0) == 2 * kBlocksPerThread);  // a grain below 1 counts as 1
}

TEST_CASE("parallel_for: a thread that is slow with its blocks leaves the rest to the others") {
  // Thread 1 takes 100 ms over each block it gets, thread 0 no time: thread 0 takes the blocks thread 1 is
  // not holding. An even split would give thread 1 half of them.
  test::ThreadCount scope(2);
  const int blocks = parallel_blocks(1000);
  REQUIRE(blocks == 16);
  std::atomic<int> taken_by_slow{0};
  parallel_for(1000, [&](const Block& b) {
    if (b.thread != 1) return;
    ++taken_by_slow;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
  CHECK(taken_by_slow < blocks / 2);
}

TEST_CASE("parallel_for: two loops over the same items, one after the other, give each thread the same blocks") {
  // Each block takes 30 ms, so that a thread would have to come 30 ms late for the other to take one of its
  // blocks. Taking blocks as they come, the two threads would swap a pair of blocks whenever they came for
  // the next ones in the other order.
  test::ThreadCount scope(2);
  const int blocks = parallel_blocks(1000);
  REQUIRE(blocks == 16);
  const auto threads_of_blocks = [&] {
    std::vector<int> thread_of_block(blocks, -1);
    parallel_for(1000, [&](const Block& b) {
      thread_of_block[b.index] = b.thread;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    });
    return thread_of_block;
  };
  const std::vector<int> first = threads_of_blocks(), second = threads_of_blocks();
  CHECK(first == second);
  // Each thread starts on its own half.
  CHECK(first[0] == 0);
  CHECK(first[blocks / 2] == 1);
}

TEST_CASE("the thread count must be at least 1") {
  CHECK_THROWS_WITH_AS(set_num_threads(0), "the number of threads must be at least 1, got 0", Error);
  test::ThreadCount scope(3);
  CHECK(num_threads() == 3);
}
