// The direct method: every output is a plain weighted sum over the (flipped) kernel, computed a block of
// outputs at a time with the block held in SIMD registers.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/parallel.hpp"
#include "signal/window.hpp"

namespace minicnn {
namespace {

// 32 bytes: one AVX register, or two SSE registers in the portable build of the same code.
typedef float FloatVector __attribute__((vector_size(32)));
typedef double DoubleVector __attribute__((vector_size(32)));

template <typename T, typename V>
[[gnu::always_inline]] inline void multiply_add(V& sum, T weight, const T* values) {
  V loaded;
  std::memcpy(&loaded, values, sizeof loaded);  // an unaligned load
  sum += weight * loaded;
}

// out[n] = Σ_j Σ_k kernel[j, k] · rows[j][n + k] for n in [0, count): a piece of one output row, where
// rows[j] is the extended image row that kernel row j slides along. Four vectors of outputs stay in registers
// while the kernel streams past, so each tap costs one load and one multiply-add per vector.
template <typename T, typename V>
[[gnu::always_inline]] inline void correlate_row(const T* const* rows, const T* kernel, int64_t M0, int64_t M1,
                                                 int64_t count, T* out) {
  constexpr int64_t L = sizeof(V) / sizeof(T), block = 4 * L;
  int64_t n = 0;
  for (; n + block <= count; n += block) {
    V s0 = {}, s1 = {}, s2 = {}, s3 = {};
    for (int64_t j = 0; j < M0; ++j) {
      const T* row = rows[j] + n;
      const T* taps = kernel + j * M1;
      for (int64_t k = 0; k < M1; ++k) {
        const T w = taps[k];
        multiply_add(s0, w, row + k);
        multiply_add(s1, w, row + k + L);
        multiply_add(s2, w, row + k + 2 * L);
        multiply_add(s3, w, row + k + 3 * L);
      }
    }
    std::memcpy(out + n, &s0, sizeof s0);
    std::memcpy(out + n + L, &s1, sizeof s1);
    std::memcpy(out + n + 2 * L, &s2, sizeof s2);
    std::memcpy(out + n + 3 * L, &s3, sizeof s3);
  }
  for (; n < count; ++n) {
    T sum = 0;
    for (int64_t j = 0; j < M0; ++j)
      for (int64_t k = 0; k < M1; ++k) sum += kernel[j * M1 + k] * rows[j][n + k];
    out[n] = sum;
  }
}

// Compiled twice, for x86-64-v3 (AVX2 + FMA) and for the baseline, and chosen at load time by the CPU's features (GCC's
// function multiversioning): one binary that is fast where it can be and runs everywhere.
[[gnu::target_clones("arch=x86-64-v3", "default")]] void correlate_row_of(const float* const* rows,
                                                                         const float* kernel, int64_t M0,
                                                                         int64_t M1, int64_t count, float* out) {
  correlate_row<float, FloatVector>(rows, kernel, M0, M1, count, out);
}
[[gnu::target_clones("arch=x86-64-v3", "default")]] void correlate_row_of(const double* const* rows,
                                                                         const double* kernel, int64_t M0,
                                                                         int64_t M1, int64_t count, double* out) {
  correlate_row<double, DoubleVector>(rows, kernel, M0, M1, count, out);
}

}  // namespace

// With flipped[j0, j1] = h[M0-1-j0, M1-1-j1] and first = offset - (M - 1), the window is a valid
// correlation of the extended image, with no boundary left to think about:
//   out[i0, i1] = Σ_j0 Σ_j1 flipped[j0, j1] · ext(a)[first0 + i0 + j0, first1 + i1 + j1].
// Work items are pieces of output rows (so that one long 1-D signal is shared out as well as the rows of an
// image). A piece reads M0 extended rows: straight from the image where they lie inside it, otherwise from
// a small per-thread scratch copy made with the boundary rule.
template <typename T>
Tensor<T> convolve_window_direct(const Tensor<T>& a, const Tensor<T>& h, const Window& window) {
  const int64_t N0 = a.dim(0), N1 = a.dim(1), M0 = h.dim(0), M1 = h.dim(1);
  const int64_t first_row = window.row_offset - (M0 - 1), first_col = window.col_offset - (M1 - 1);
  Tensor<T> flipped(h.shape());
  std::reverse_copy(h.begin(), h.end(), flipped.begin());
  Tensor<T> out(Shape{window.rows, window.cols});
  const int64_t piece = std::min<int64_t>(4096, window.cols);
  const int64_t pieces_per_row = (window.cols + piece - 1) / piece;
  const int64_t scratch_width = piece + M1 - 1;
  parallel_for(window.rows * pieces_per_row, [&](const Block& block) {
    std::vector<T> scratch;
    std::vector<const T*> rows(M0);
    for (int64_t item = block.begin; item < block.end; ++item) {
      const int64_t row = item / pieces_per_row, begin = item % pieces_per_row * piece;
      const int64_t count = std::min(begin + piece, window.cols) - begin;
      const int64_t col = first_col + begin, width = count + M1 - 1;  // the extended columns this piece reads
      const bool columns_inside = col >= 0 && col + width <= N1;
      for (int64_t j = 0; j < M0; ++j) {
        const int64_t source_row = extended_index(first_row + row + j, N0, window.boundary);
        const T* source = source_row < 0 ? nullptr : a.data() + source_row * N1;
        if (source != nullptr && columns_inside) {
          rows[j] = source + col;
          continue;
        }
        if (scratch.empty()) scratch.resize(M0 * scratch_width);
        extend_row(source, col, width, N1, window, scratch.data() + j * scratch_width);
        rows[j] = scratch.data() + j * scratch_width;
      }
      correlate_row_of(rows.data(), flipped.data(), M0, M1, count, out.data() + row * window.cols + begin);
    }
  });
  return out;
}

template Tensor<float> convolve_window_direct(const Tensor<float>&, const Tensor<float>&, const Window&);
template Tensor<double> convolve_window_direct(const Tensor<double>&, const Tensor<double>&, const Window&);

}  // namespace minicnn
