// The GEMM wrapper: row-major C = alpha·op(A)·op(B) + beta·C against the triple loop, for every combination
// of transposes, blocks of larger matrices, float and double; the threading policy (OpenBLAS
// single-threaded, because minicnn threads its own loops); the register tile's GEMM against the same loop, and
// its stores of part of a vector.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/blas.hpp"
#include "core/register_tile.hpp"
#include "core/tile_gemm.hpp"
#include "helpers.hpp"

using namespace minicnn;

// OpenBLAS's own query: the library reaches OpenBLAS only through core/blas.hpp, the test asks it directly.
extern "C" int openblas_get_num_threads(void);

TEST_CASE("OpenBLAS runs single-threaded from the start, before any set_num_threads()") {
  // The first test of this program (doctest runs them in file order): nothing has called set_num_threads,
  // and ctest runs the program with OMP_NUM_THREADS=2, which OpenBLAS would otherwise follow.
  CHECK(openblas_get_num_threads() == 1);
}

namespace {

// op(X)[r, c] of a row-major matrix with leading dimension ld: X[r, c], or X[c, r] when transposed.
template <typename T>
T op(const T* X, int ld, Trans t, int r, int c) {
  return t == Trans::No ? X[r * ld + c] : X[c * ld + r];
}

// Checks product(A, lda, B, ldb, C, ldc), which is to compute C = alpha·op(A)·op(B) + beta·C, against the
// triple loop, on matrices stored with 3 spare columns (ld = columns + 3), which must be left alone.
template <typename T, typename Product>
void check_product(Trans ta, Trans tb, int M, int N, int K, T alpha, T beta, Rng& rng, Product product) {
  const int a_rows = ta == Trans::No ? M : K, a_cols = ta == Trans::No ? K : M;
  const int b_rows = tb == Trans::No ? K : N, b_cols = tb == Trans::No ? N : K;
  const int lda = a_cols + 3, ldb = b_cols + 3, ldc = N + 3;
  const Tensor<T> A = test::random_tensor<T>(Shape{a_rows, lda}, rng);
  const Tensor<T> B = test::random_tensor<T>(Shape{b_rows, ldb}, rng);
  const Tensor<T> C0 = test::random_tensor<T>(Shape{M, ldc}, rng);
  Tensor<T> C = C0;
  product(A.data(), lda, B.data(), ldb, C.data(), ldc);
  const double eps = std::numeric_limits<T>::epsilon();
  for (int r = 0; r < M; ++r) {
    for (int c = 0; c < N; ++c) {
      double exact = beta * double(C0[r * ldc + c]), magnitude = std::abs(exact);
      for (int k = 0; k < K; ++k) {
        const double term = alpha * double(op(A.data(), lda, ta, r, k)) * double(op(B.data(), ldb, tb, k, c));
        exact += term;
        magnitude += std::abs(term);
      }
      INFO("C[" << r << "," << c << "] = " << C[r * ldc + c] << ", loop " << exact);
      CHECK(std::abs(C[r * ldc + c] - exact) <= (K + 2) * eps * magnitude);
    }
    for (int c = N; c < ldc; ++c) CHECK(C[r * ldc + c] == C0[r * ldc + c]);  // outside the block: untouched
  }
}

template <typename T>
void check_gemm(Trans ta, Trans tb, int M, int N, int K, Rng& rng) {
  const T alpha = T(0.75), beta = T(-0.5);
  check_product(ta, tb, M, N, K, alpha, beta, rng, [&](const T* A, int lda, const T* B, int ldb, T* C, int ldc) {
    gemm_strided(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  });
}

template <typename T>
void check_tile_gemm(Trans ta, int M, int N, int K, T beta, Rng& rng) {
  check_product(ta, Trans::No, M, N, K, T(1), beta, rng, [&](const T* A, int lda, const T* B, int ldb, T* C, int ldc) {
    tile_gemm(ta, M, N, K, A, lda, B, ldb, beta, C, ldc);
  });
}

}  // namespace

TEST_CASE("gemm_strided equals the triple loop for every transpose combination, float and double") {
  Rng rng(121);
  for (Trans ta : {Trans::No, Trans::Yes})
    for (Trans tb : {Trans::No, Trans::Yes})
      for (int shape = 0; shape < 4; ++shape) {
        const int M = 1 + static_cast<int>(rng.below(9)), N = 1 + static_cast<int>(rng.below(9)),
                  K = 1 + static_cast<int>(rng.below(20));
        INFO("transposes " << (ta == Trans::Yes) << (tb == Trans::Yes) << ", M " << M << " N " << N << " K " << K);
        check_gemm<float>(ta, tb, M, N, K, rng);
        check_gemm<double>(ta, tb, M, N, K, rng);
      }
}

TEST_CASE("gemm takes the leading dimensions of contiguous matrices from the shapes") {
  Rng rng(122);
  for (Trans ta : {Trans::No, Trans::Yes})
    for (Trans tb : {Trans::No, Trans::Yes}) {
      const int M = 3, N = 5, K = 4;
      // Stored as op() demands: A is [M,K] or [K,M], B is [K,N] or [N,K].
      const Tensor<double> A = test::random_tensor<double>(Shape{M * K}, rng);
      const Tensor<double> B = test::random_tensor<double>(Shape{K * N}, rng);
      Tensor<double> C(Shape{M * N});
      gemm(ta, tb, M, N, K, 1.0, A.data(), B.data(), 0.0, C.data());
      const int lda = ta == Trans::No ? K : M, ldb = tb == Trans::No ? N : K;
      for (int r = 0; r < M; ++r)
        for (int c = 0; c < N; ++c) {
          double exact = 0.0;
          for (int k = 0; k < K; ++k) exact += op(A.data(), lda, ta, r, k) * op(B.data(), ldb, tb, k, c);
          CHECK(C[r * N + c] == doctest::Approx(exact).epsilon(1e-14));
        }
    }
}

// The register tile's GEMM: rows in blocks of 6 and columns in tiles of kTileVectors vectors, then 2 and 1
// (vectors of 16 floats or 8 doubles on AVX-512, 8 or 4 on AVX), so the sizes end inside a block, a tile, a
// vector, or on their edges; the columns past the last whole vector come from a padded copy of B. K = 0
// leaves beta·C.
TEST_CASE("tile_gemm equals the triple loop for A and Aᵀ, beta 0 and 1, every way the sizes end") {
  Rng rng(123);
  for (Trans ta : {Trans::No, Trans::Yes})
    for (int M : {1, 5, 6, 7, 13})
      for (int N : {1, 3, 4, 8, 15, 16, 17, 33, 40, 48, 64, 117})
        for (int K : {0, 1, 9, 64})
          for (double beta : {0.0, 1.0}) {
            INFO("transposed " << (ta == Trans::Yes) << ", M " << M << " N " << N << " K " << K << ", beta " << beta);
            check_tile_gemm<float>(ta, M, N, K, float(beta), rng);
            check_tile_gemm<double>(ta, M, N, K, beta, rng);
          }
}

TEST_CASE("dot equals the sum of products for every length up to 4 vectors and past, float and double") {
  Rng rng(124);
  for (int n = 0; n <= 80; ++n) {
    INFO("n " << n);
    const Tensor<double> a = test::random_tensor<double>(Shape{std::max(n, 1)}, rng);
    const Tensor<double> b = test::random_tensor<double>(Shape{std::max(n, 1)}, rng);
    Tensor<float> af(a.shape()), bf(b.shape());
    for (int i = 0; i < a.numel(); ++i) af[i] = float(a[i]), bf[i] = float(b[i]);
    // The sums in double of the float entries' products too: the float dot is within n·ε of that.
    double exact = 0, magnitude = 0, exact_f = 0, magnitude_f = 0;
    for (int i = 0; i < n; ++i) {
      exact += a[i] * b[i], magnitude += std::abs(a[i] * b[i]);
      exact_f += double(af[i]) * double(bf[i]), magnitude_f += std::abs(double(af[i]) * double(bf[i]));
    }
    CHECK(std::abs(dot(a.data(), b.data(), n) - exact) <= (n + 1) * std::numeric_limits<double>::epsilon() * magnitude);
    CHECK(std::abs(dot(af.data(), bf.data(), n) - exact_f) <= (n + 1) * std::numeric_limits<float>::epsilon() * magnitude_f);
  }
}

TEST_CASE("sum equals the sum of the entries for every length up to 4 vectors and past, float and double") {
  Rng rng(125);
  for (int n = 0; n <= 80; ++n) {
    INFO("n " << n);
    const Tensor<double> a = test::random_tensor<double>(Shape{std::max(n, 1)}, rng);
    Tensor<float> af(a.shape());
    for (int i = 0; i < a.numel(); ++i) af[i] = float(a[i]);
    double exact = 0, magnitude = 0, exact_f = 0;
    for (int i = 0; i < n; ++i) exact += a[i], magnitude += std::abs(a[i]), exact_f += double(af[i]);
    CHECK(std::abs(sum(a.data(), n) - exact) <= (n + 1) * std::numeric_limits<double>::epsilon() * magnitude);
    CHECK(std::abs(sum(af.data(), n) - exact_f) <= (n + 1) * std::numeric_limits<float>::epsilon() * magnitude);
  }
}

// Simd's store and add of the first `count` lanes of a vector (the register tiles' last vectors of a row):
// they write those lanes and nothing around them, for every count, in both widths of T.
template <typename T>
void check_part_of_a_vector() {
  using S = Simd<T>;
  constexpr int L = S::lanes;
  T values[L];
  for (int l = 0; l < L; ++l) values[l] = T(l + 1);
  const typename S::Vec v = S::load(values);
  for (int count = 0; count <= L; ++count) {
    INFO("count " << count << " of " << L << " lanes");
    T stored[L + 2], added[L + 2];
    for (int i = 0; i < L + 2; ++i) stored[i] = T(-7), added[i] = T(100 * i);
    S::store(stored + 1, v, count);
    S::add(added + 1, v, count);
    for (int i = 0; i < L + 2; ++i) {
      const int lane = i - 1;
      const bool written = lane >= 0 && lane < count;
      CHECK(stored[i] == (written ? values[lane] : T(-7)));
      CHECK(added[i] == T(100 * i) + (written ? values[lane] : T(0)));
    }
  }
}

TEST_CASE("Simd stores and adds exactly the first count lanes of a vector, for every count, float and double") {
  check_part_of_a_vector<float>();
  check_part_of_a_vector<double>();
}
