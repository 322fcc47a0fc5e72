#include "core/tile_gemm.hpp"

#include <algorithm>
#include <vector>

#include "core/register_tile.hpp"

namespace minicnn {
namespace {

// One thread's buffers, grown on first use and reused by every later call.
template <typename T>
struct TileGemmScratch {
  std::vector<T> packed;              // op(A) packed: [rows rounded up to 6 / 6][K][6]
  std::vector<T> tail;                // B's last columns, fewer than a vector: [K][lanes], zeros past N
  std::vector<int64_t> row_offsets;   // where B's row k starts: k·ldb
  std::vector<int64_t> tail_offsets;  // where the copy's row k starts: k·lanes
  std::vector<int64_t> vector_offsets;
};

}  // namespace

template <typename T>
void tile_gemm(Trans trans_a, int M, int N, int K, const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc) {
  using S = Simd<T>;
  constexpr int L = S::lanes;
  thread_local TileGemmScratch<T> w;
  w.packed.resize(int64_t{row_count(M, kTileRows)} * K);
  pack_tile_rows(M, K, [&](int r, int k) { return trans_a == Trans::No ? A + int64_t{r} * lda + k : A + int64_t{k} * lda + r; },
                 w.packed.data());
  const int whole = N / L, tail = N - whole * L;  // whole vectors of B's columns, and the columns left
  w.row_offsets.resize(K);
  w.tail_offsets.resize(K);
  for (int k = 0; k < K; ++k) w.row_offsets[k] = int64_t{k} * ldb, w.tail_offsets[k] = int64_t{k} * L;
  w.vector_offsets.resize(whole);
  for (int q = 0; q < whole; ++q) w.vector_offsets[q] = int64_t{q} * L;
  if (tail > 0) {
    w.tail.assign(int64_t{K} * L, T(0));
    for (int k = 0; k < K; ++k) std::copy_n(B + int64_t{k} * ldb + whole * L, tail, w.tail.data() + int64_t{k} * L);
  }
  // c[0, count) = the first `count` lanes of v, or += them when beta is 1.
  const auto put = [&](T* c, typename S::Vec v, int count) {
    if (beta == T(0))
      S::store(c, v, count);
    else
      S::add(c, v, count);
  };
  // C[rows, vectors] = op(A)[rows, K] · B[K, vectors] for 6 rows from `first` and V vectors from column
  // `column`: one register tile, K deep.
  const auto tile = [&](auto width, int first, const T* b, const int64_t* offsets, const int64_t* at, int column,
                        int count) {
    constexpr int V = decltype(width)::value;
    register_tile<T, V>(PackedRows<T>{w.packed.data() + int64_t{first} * K}, K, b, offsets, at, zero_start<T>,
                        [&](int r, int i, typename S::Vec c) {
                          if (first + r < M)
                            put(C + int64_t{first + r} * ldc + column + i * L, c, i == V - 1 ? count - (V - 1) * L : L);
                        });
  };
  // A panel of B's columns at a time (kTileVectors vectors, K deep), through every block of rows: the panel
  // stays in the core's cache while packed op(A) streams past it.
  for_each_vector_tile(whole, [&](auto width, int q) {
    constexpr int V = decltype(width)::value;
    for (int first = 0; first < M; first += kTileRows)
      tile(width, first, B, w.row_offsets.data(), &w.vector_offsets[q], q * L, V * L);
  });
  if (tail > 0) {
    const int64_t at = 0;
    for (int first = 0; first < M; first += kTileRows)
      tile(std::integral_constant<int, 1>{}, first, w.tail.data(), w.tail_offsets.data(), &at, whole * L, tail);
  }
}

// Σ_i term(i) over n entries, with vector(i) the terms [i, i + lanes) and term(i) one of them: on four
// vectors of sums, so that a step's additions do not wait for each other (the entries past the last whole
// vector one by one).
template <typename T, typename Vector, typename Term>
T vector_sum(int64_t n, Vector vector, Term term) {
  using S = Simd<T>;
  constexpr int L = S::lanes;
  typename S::Vec sums[4] = {};
  int64_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L)
    for (int v = 0; v < 4; ++v) sums[v] += vector(i + v * L);
  for (; i + L <= n; i += L) sums[0] += vector(i);
  const typename S::Vec total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
  T sum = 0;
  for (int l = 0; l < L; ++l) sum += total[l];
  for (; i < n; ++i) sum += term(i);
  return sum;
}

template <typename T>
T dot(const T* a, const T* b, int n) {
  using S = Simd<T>;
  return vector_sum<T>(
      n, [&](int64_t i) { return S::load(a + i) * S::load(b + i); }, [&](int64_t i) { return a[i] * b[i]; });
}

template <typename T>
T sum(const T* a, int64_t n) {
  return vector_sum<T>(n, [&](int64_t i) { return Simd<T>::load(a + i); }, [&](int64_t i) { return a[i]; });
}

template <typename T>
void transpose(int rows, int cols, const T* from, int ld_from, T* to, int ld_to) {
  constexpr int kBlock = 16;
  for (int r0 = 0; r0 < rows; r0 += kBlock)
    for (int c0 = 0; c0 < cols; c0 += kBlock)
      for (int c = c0; c < std::min(c0 + kBlock, cols); ++c)
        for (int r = r0; r < std::min(r0 + kBlock, rows); ++r) to[int64_t{c} * ld_to + r] = from[int64_t{r} * ld_from + c];
}

template void tile_gemm<float>(Trans, int, int, int, const float*, int, const float*, int, float, float*, int);
template void tile_gemm<double>(Trans, int, int, int, const double*, int, const double*, int, double, double*, int);
template float dot<float>(const float*, const float*, int);
template float sum<float>(const float*, int64_t);
template double sum<double>(const double*, int64_t);
template double dot<double>(const double*, const double*, int);
template void transpose<float>(int, int, const float*, int, float*, int);
template void transpose<double>(int, int, const double*, int, double*, int);

}  // namespace minicnn
