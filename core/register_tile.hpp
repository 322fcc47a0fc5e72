#pragma once
// The register tile of a GEMM kernel, shared by the direct convolution (core/direct_conv.hpp) and
// Winograd's products (core/winograd.hpp): C[6 rows, V vectors] += A[6 rows, depth] · B[depth, V vectors],
// with A packed block by block of 6 rows and B read where it lies, each of its rows at an offset of its own.
// A GEMM library packs B into a buffer first and zeroes C for beta = 0 in a pass of its own; for the small
// products of a convolution those passes cost as much as the multiply-adds.
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace minicnn {

constexpr int kTileRows = 6;  // rows of A and C in a tile

// Rows rounded up to whole blocks.
inline int row_count(int rows, int block) { return (rows + block - 1) / block * block; }

// The bytes of a vector register: AVX-512's zmm registers where the compiler targets them (-march=native on
// a CPU that has them), else AVX's ymm (pairs of SSE registers without AVX). On AVX-512 the wider vectors
// take twice the multiply-adds an instruction: 1.3-1.5x for the direct convolution of a 32x32 image and
// Winograd's forward, against 1.0x for LeNet's 24- and 8-pixel rows while they kept a row to its own
// vectors (half of an 8-pixel row's lanes were padding; the direct convolution's planes now fill every lane).
//
// The widest tile, kTileRows by kTileVectors: 6 by 2 vectors take 12 of AVX's 16 vector registers, 6 by 4
// take 24 of AVX-512's 32, and load 4 vectors of B and 6 numbers of A for every 24 multiply-adds instead of
// 2 and 6 for 12 (the direct forward of a 3x32x32 image, 32 filters, in the cache: 1.2x).
#ifdef __AVX512F__
constexpr int kVectorBytes = 64, kTileVectors = 4;
#else
constexpr int kVectorBytes = 32, kTileVectors = 2;
#endif

// One vector register of T, through GCC's vector extension.
template <typename T>
struct Simd {
  typedef T Vec __attribute__((vector_size(kVectorBytes)));
  static constexpr int lanes = sizeof(Vec) / sizeof(T);

  static Vec load(const T* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);  // an unaligned load
    return v;
  }
  static Vec splat(T s) { return splat(s, std::make_index_sequence<lanes>()); }  // one broadcast instruction
  template <size_t... lane>
  static Vec splat(T s, std::index_sequence<lane...>) {
    return Vec{((void)lane, s)...};
  }
  // Of the 2·lanes values of a and then b: the even ones, and the odd ones (a row's columns 2·j and 2·j + 1).
  static Vec even(Vec a, Vec b) { return even(a, b, std::make_index_sequence<lanes>()); }
  static Vec odd(Vec a, Vec b) { return odd(a, b, std::make_index_sequence<lanes>()); }
  // Their inverse: a and b interleaved, a0 b0 a1 b1 ..., its first `lanes` values and its last.
  static Vec interleave_first(Vec a, Vec b) { return interleave<0>(a, b, std::make_index_sequence<lanes>()); }
  static Vec interleave_last(Vec a, Vec b) { return interleave<lanes>(a, b, std::make_index_sequence<lanes>()); }
  // p[0, count) += the first `count` lanes of v.
  static void add(T* p, Vec v, int count) {
    for_each_part<lanes>(p, v, count, [](T* to, auto part) {
      decltype(part) sum;
      std::memcpy(&sum, to, sizeof sum);
      sum += part;
      std::memcpy(to, &sum, sizeof sum);
    });
  }
  // The first `count` lanes of v to p.
  static void store(T* p, Vec v, int count) {
    for_each_part<lanes>(p, v, count, [](T* to, auto part) { std::memcpy(to, &part, sizeof part); });
  }

 private:
  // op(p, part) for the first `count` lanes of v (of W lanes, count <= W), in parts of W, W/2, ... 1 lanes,
  // the ones that count's binary digits name, each a vector of its own taken from v by shuffles: loads and
  // stores of sizes known at compile time, from registers. Copying the lanes through memory instead (an
  // array of T, or a memcpy of count values) made GCC keep in memory the sums of every register tile that
  // ends in such a store, loaded and stored at every step of its loop, on AVX's 16 registers: the direct
  // forward ran at 16-27 GFLOP/s instead of 40-80 on a Zen 3 core, and tile_gemm's tiles spilled too.
  template <int W, typename V, typename Op>
  static void for_each_part(T* p, V v, int count, Op op) {
    if (count == W) {
      op(p, v);
    } else if constexpr (W > 1) {
      constexpr int half = W / 2;
      const auto low = part_of<0>(v, std::make_index_sequence<half>());
      const auto high = part_of<half>(v, std::make_index_sequence<half>());
      if (count & half) {
        op(p, low);
        for_each_part<half>(p + half, high, count - half, op);
      } else {
        for_each_part<half>(p, low, count, op);
      }
    }
  }
  template <size_t first, typename V, size_t... lane>  // lanes first to first + sizeof...(lane) of v
  static auto part_of(V v, std::index_sequence<lane...>) {
    return __builtin_shufflevector(v, v, first + lane...);
  }
  template <size_t... lane>
  static Vec even(Vec a, Vec b, std::index_sequence<lane...>) {
    return __builtin_shufflevector(a, b, 2 * lane...);
  }
  template <size_t... lane>
  static Vec odd(Vec a, Vec b, std::index_sequence<lane...>) {
    return __builtin_shufflevector(a, b, 2 * lane + 1 ...);
  }
  template <int first, size_t... lane>  // values first to first + lanes of the interleaving
  static Vec interleave(Vec a, Vec b, std::index_sequence<lane...>) {
    return __builtin_shufflevector(a, b, ((first + lane) % 2) * lanes + (first + lane) / 2 ...);
  }
};

// Where the register tile finds A's numbers, A[r][k] = a(k, r): packed block by block (PackedRows, below),
// or in rows of their own, ld apart (Rows: the weight gradient's Z, whose rows are written a vector at a
// time, and would be scattered number by number into a packed block).
template <typename T>
struct PackedRows {
  const T* packed;  // [depth][6]
  T operator()(int k, int r) const { return packed[k * kTileRows + r]; }
};
template <typename T>
struct Rows {
  const T* a;  // A[r][k] at a[r·ld + k]
  int64_t ld;
  T operator()(int k, int r) const { return a[r * ld + k]; }
};

// The register tile of a GEMM kernel, for R rows of A (kTileRows, or fewer in a last block) and V vectors
// of columns of B:
//   sum[r][v] = start(r, v) + Σ_k A[r][k] · B[k][v],   then finish(r, v, sum[r][v]) for every r and v
//   A[r][k] = a(k, r),   B[k][v]: the vector at source + offsets[k] + at[v]
// B is read where it lies (planes of an image, rows of dy, transformed tiles): no packing. The sums start
// and end in registers: the caller says what they start from (a bias, zeros) and where they go (stored,
// or added to what is there), and never holds them in an array of its own, which the compiler would keep
// in memory, stored and loaded again around every tile (a third of a 27-tap forward's time).
// Always inlined, into a caller that knows its accessor and callbacks: as a function of its own (noinline)
// it lost a tenth or more on every conv2d shape of the benchmark.
template <typename T, int V, int R = kTileRows, typename A, typename Start, typename Finish>
[[gnu::always_inline]] inline void register_tile(A a, int depth, const T* source, const int64_t* offsets,
                                                 const int64_t* at, Start start, Finish finish) {
  using S = Simd<T>;
  typename S::Vec sum[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) sum[r][v] = start(r, v);
  const T* b[V];
  for (int v = 0; v < V; ++v) b[v] = source + at[v];
  for (int k = 0; k < depth; ++k) {
    typename S::Vec bk[V];
    for (int v = 0; v < V; ++v) bk[v] = S::load(b[v] + offsets[k]);
    for (int r = 0; r < R; ++r) {
      const typename S::Vec ak = S::splat(a(k, r));
      for (int v = 0; v < V; ++v) sum[r][v] += ak * bk[v];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) finish(r, v, sum[r][v]);
}

// The start of sums from zero.
template <typename T>
typename Simd<T>::Vec zero_start(int, int) {
  return typename Simd<T>::Vec{};
}

// Calls tile(width, q) for the vectors [0, positions) of B's columns (pixels, or Winograd's tiles), in tiles
// of width = kTileVectors vectors from q, then of 2 and of 1 for the last ones (width: a
// std::integral_constant, so that the tile's size is known at compile time and its sums stay in registers).
template <typename Tile>
void for_each_vector_tile(int positions, Tile tile) {
  int q = 0;
  if constexpr (kTileVectors > 2)
    for (; q + kTileVectors <= positions; q += kTileVectors) tile(std::integral_constant<int, kTileVectors>{}, q);
  for (; q + 2 <= positions; q += 2) tile(std::integral_constant<int, 2>{}, q);
  if (q < positions) tile(std::integral_constant<int, 1>{}, q);
}

// Calls block(height, first) for the rows [0, rows) of A in blocks of kTileRows from `first`, the last one
// as high as the rows left (height: a std::integral_constant, as the tile's width): a tile never computes
// rows past the last (a 3x3 kernel on 3 channels has 27 taps, 30 rows in blocks of 6). The direct
// convolution's gradients take it; its forward, Winograd and tile_gemm keep whole blocks, the rows past
// the last computed and not stored: with a last block of its own, GCC spilled three of the direct forward's
// 24 sums in its inner loop (LeNet's conv2 forward 166-176 -> 134-143 GFLOP/s), and Winograd's forward on
// 32x16x16 ran 200 -> 170-181.
template <typename Block>
void for_each_row_block(int rows, Block block) {
  static_assert(kTileRows == 6);
  int first = 0;
  for (; first + kTileRows <= rows; first += kTileRows) block(std::integral_constant<int, kTileRows>{}, first);
  switch (rows - first) {
    case 1: block(std::integral_constant<int, 1>{}, first); break;
    case 2: block(std::integral_constant<int, 2>{}, first); break;
    case 3: block(std::integral_constant<int, 3>{}, first); break;
    case 4: block(std::integral_constant<int, 4>{}, first); break;
    case 5: block(std::integral_constant<int, 5>{}, first); break;
    default: break;
  }
}

// A packed block by block of 6 rows: A[r][k] of A [rows, depth] is packed[packed_index(r, k, depth)], in
// [blocks of 6 rows][depth][6], so that the tile's broadcasts read one block's entries in order. The rows
// past the last, up to a whole block, must be zero.
inline int64_t packed_index(int r, int k, int depth) {
  return (int64_t{r / kTileRows} * depth + k) * kTileRows + r % kTileRows;
}

// packed = A [rows, depth] packed, where A[r][k] = *source(r, k), with zeros past the last row. Written in
// the packed order, block by block; each block asks for the next block's entries ahead: A may be read down
// its columns (W for the direct convolution's input gradient), from lines that SGD has just written on the
// other core, each a wait (LeNet's conv2 in a 2-thread training step, 3 runs: 53-83 µs, 41-48 with the
// next block asked for; 9 with W in the cache).
template <typename T, typename Source>
void pack_tile_rows(int rows, int depth, Source source, T* packed) {
  for (int first = 0; first < rows; first += kTileRows) {
    if (first + kTileRows < rows)
      for (int k = 0; k < depth; ++k) __builtin_prefetch(source(first + kTileRows, k));
    for (int k = 0; k < depth; ++k)
      for (int r = first; r < first + kTileRows; ++r) *packed++ = r < rows ? *source(r, k) : T(0);
  }
}

}  // namespace minicnn
