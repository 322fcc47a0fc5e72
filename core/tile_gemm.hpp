#pragma once
// A GEMM on the register tile (core/register_tile.hpp), for the linear layer's products:
//
//   C[M,N] = op(A)[M,K] · B[K,N] + beta · C[M,N]      beta 0 or 1; op(A) is A, or Aᵀ when transposed
//
// op(A) is packed block by block of 6 rows; B is read where it lies, its rows ldb apart, a tile of 2
// vectors of its columns at a time; its last columns, fewer than a vector, from a copy padded with zeros.
// Why not OpenBLAS here: each of its calls packs B anew, as well as A, and OpenBLAS 0.3.21 picks its kernels
// from the CPU's model, which it does not know for every CPU: on an AVX-512 Xeon it took its SSE3 kernels
// (Prescott) unless OPENBLAS_CORETYPE named others, and LeNet's fc1 ran at 20 GFLOP/s (docs/performance.md).
#include <cstdint>

#include "core/blas.hpp"

namespace minicnn {

template <typename T>
void tile_gemm(Trans trans_a, int M, int N, int K, const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc);

// Σ_i a[i]·b[i] over n entries, on vectors (the entries past the last whole vector one by one): the
// linear layer's forward for a few images, each unit's row of W read once.
template <typename T>
T dot(const T* a, const T* b, int n);

// Σ_i a[i] over n entries, the same way: the bias gradients' sums over a channel's pixels.
template <typename T>
T sum(const T* a, int64_t n);

// to[c, r] = from[r, c] for a matrix from [rows, cols] (rows ld_from apart) into to [cols, rows] (rows ld_to
// apart): the operands a GEMM wants turned, in blocks of 16x16 so that both sides stay in the cache.
template <typename T>
void transpose(int rows, int cols, const T* from, int ld_from, T* to, int ld_to);

}  // namespace minicnn
