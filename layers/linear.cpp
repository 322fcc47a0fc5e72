#include "layers/linear.hpp"

#include <algorithm>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"

namespace minicnn {

template <typename T>
Shape Linear<T>::setup(const Shape& input) {
  if (input.rank != 1)
    throw Error(this->name + ": expects a flat input, got " + input.str() + " (add a flatten layer before it)");
  if (options_.units < 1) throw Error(this->name + ": units must be positive, got " + std::to_string(options_.units));
  in_features_ = static_cast<int>(input[0]);
  weight_ = Param<T>(this->name + ".weight", Shape{options_.units, in_features_});
  if (options_.bias) bias_ = Param<T>(this->name + ".bias", Shape{options_.units});
  return Shape{options_.units};
}

template <typename T>
std::vector<Param<T>*> Linear<T>::params() {
  if (options_.bias) return {&weight_, &bias_};
  return {&weight_};
}

template <typename T>
void Linear<T>::init_params(Rng& rng) {
  initialize(weight_.value, options_.init, in_features_, options_.units, rng);
  bias_.value.zero();
}

template <typename T>
void Linear<T>::forward(const Tensor<T>& x, Tensor<T>& y, const Context&) {
  const int batch = static_cast<int>(x.dim(0)), IN = in_features_, OUT = options_.units;
  y.resize(Shape{batch, OUT});
  // Each thread takes a block of rows:  Y[rows,OUT] = b + X[rows,IN] · Wᵀ[IN,OUT]   (M = rows, N = OUT, K = IN)
  parallel_for(batch, [&](int64_t begin, int64_t end, int) {
    T* y_rows = y.data() + begin * OUT;
    for (int64_t n = begin; n < end; ++n)
      for (int o = 0; o < OUT; ++o) y[n * OUT + o] = options_.bias ? bias_.value[o] : T(0);
    gemm(Trans::No, Trans::Yes, static_cast<int>(end - begin), OUT, IN, T(1), x.data() + begin * IN,
         weight_.value.data(), T(1), y_rows);
  });
}

template <typename T>
void Linear<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  const int batch = static_cast<int>(x.dim(0)), IN = in_features_, OUT = options_.units;
  // dX[rows,IN] += dY[rows,OUT] · W[OUT,IN]                     (M = rows, N = IN, K = OUT)
  if (!dx.empty()) parallel_for(batch, [&](int64_t begin, int64_t end, int) {
    gemm(Trans::No, Trans::No, static_cast<int>(end - begin), IN, OUT, T(1), dy.data() + begin * OUT,
         weight_.value.data(), T(1), dx.data() + begin * IN);
  });
  // dW[outs,IN] += dYᵀ[outs,N] · X[N,IN], each thread a block of output units   (M = outs, N = IN, K = N)
  // db[o] += Σ_n dY[n,o]
  parallel_for(OUT, [&](int64_t begin, int64_t end, int) {
    gemm_strided(Trans::Yes, Trans::No, static_cast<int>(end - begin), IN, batch, T(1), dy.data() + begin, OUT,
                 x.data(), IN, T(1), weight_.grad.data() + begin * IN, IN);
    if (options_.bias)
      for (int64_t o = begin; o < end; ++o)
        for (int n = 0; n < batch; ++n) bias_.grad[o] += dy[n * OUT + o];
  });
}

template class Linear<float>;
template class Linear<double>;

}  // namespace minicnn
