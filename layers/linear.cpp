#include "layers/linear.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/tile_gemm.hpp"

namespace minicnn {
namespace {

// The layer's GEMMs are split by units (rows of W) or by input features (its columns), so that each thread
// reads and packs only its part of W, the largest operand; but each call packs the whole of the other one (X
// or dY) anew, so they are cut into one block per thread, not into parallel_for's finer blocks. LeNet's fc1
// on 2 threads, forward and backward (6 runs of the layer timers): 1.61-1.90 ms split by batch rows,
// 1.51-1.85 by units and features. LeNet training on 2 threads with the row split (5 alternations): one
// block a thread 5,508-6,202 images/s, 4 blocks 5,265-6,032, 8 blocks 4,754-5,602.
// A GEMM too small to repay a second thread stays whole: no block has fewer than kLeastBlockMultiplyAdds
// (LeNet's fc2, 500 -> 10 units, 320K multiply-adds a GEMM at batch 64: forward and backward 0.10 ms on one
// thread, 0.17 ms split in two, by the layer timers).
constexpr int64_t kLeastBlockMultiplyAdds = int64_t{1} << 20;

// How many blocks a GEMM of `multiply_adds` is cut into: `wanted`, or fewer where the blocks would be small.
int gemm_blocks(int wanted, int64_t multiply_adds) {
  return static_cast<int>(std::clamp<int64_t>(wanted, 1, std::max<int64_t>(multiply_adds / kLeastBlockMultiplyAdds, 1)));
}

}  // namespace

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
  // A block of output units at a time, one block a thread (a grain of OUT / blocks units, rounded down;
  // rounded up, an odd count made one block), so that each block reads and packs only its own rows of W.
  // From kTileLeastBatch images on, through the register tile's GEMM (core/tile_gemm.hpp), turned so that
  // W's rows are its packed A:
  //   Yᵀ[outs, N] = W[outs, IN] · Xᵀ[IN, N]   (M = outs, N = N, K = IN),  then y[n, o] = b[o] + Yᵀ[o, n]
  // Below, unit by unit, each row of W read once, while the few images stay in the core's cache.
  const int blocks = gemm_blocks(num_threads(), int64_t{batch} * IN * OUT);
  const bool tiled = batch >= kTileLeastBatch;
  if (tiled) {
    x_t_.resize(Shape{IN, batch});
    y_t_.resize(Shape{OUT, batch});
    transpose(batch, IN, x.data(), IN, x_t_.data(), batch);
  }
  parallel_for(OUT, [&](const Block& b) {
    const int outs = static_cast<int>(b.end - b.begin);
    if (tiled) {
      tile_gemm(Trans::No, outs, batch, IN, weight_.value.data() + b.begin * IN, IN, x_t_.data(), batch, T(0),
                y_t_.data() + b.begin * batch, batch);
      transpose(outs, batch, y_t_.data() + b.begin * batch, batch, y.data() + b.begin, OUT);
      if (options_.bias)
        for (int n = 0; n < batch; ++n)
          for (int64_t o = b.begin; o < b.end; ++o) y[int64_t{n} * OUT + o] += bias_.value[o];
      return;
    }
    //   y[n, o] = b[o] + W[o,:] · x[n,:]
    for (int64_t o = b.begin; o < b.end; ++o)
      for (int n = 0; n < batch; ++n)
        y[int64_t{n} * OUT + o] = (options_.bias ? bias_.value[o] : T(0)) +
                                  dot(weight_.value.data() + o * IN, x.data() + int64_t{n} * IN, IN);
  }, std::max(OUT / blocks, 1));
}

template <typename T>
void Linear<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  const int batch = static_cast<int>(x.dim(0)), IN = in_features_, OUT = options_.units;
  // dX and dW are independent GEMMs of N·IN·OUT multiply-adds each, run as blocks of one parallel loop. On
  // an even number of threads each is cut into threads / 2 blocks: on 2 threads each GEMM runs whole on a
  // thread of its own, where halves would each pack the whole of dY again (LeNet's fc1 backward on 2
  // threads, 5 alternations of the layer timers: medians 1.04 ms against 1.15 in halves). On an odd number, each is cut
  // into `threads` blocks, two a thread. Without dX, dW alone is cut into one block a thread. Two GEMMs too
  // small to be cut both run on one thread.
  const int threads = num_threads();
  const int64_t gemm_size = int64_t{batch} * IN * OUT;
  const int cuts = gemm_blocks(dx.empty() ? threads : threads % 2 == 0 ? threads / 2 : threads, gemm_size);
  const int dx_blocks = dx.empty() ? 0 : cuts, blocks = dx_blocks + cuts;
  parallel_for(blocks, [&](const Block& b) {
    for (int64_t block = b.begin; block < b.end; ++block) {
      if (block < dx_blocks) {
        // A block of input features, reading its own columns of W:
        //   dX[:, ins] = dY[N,OUT] · W[OUT,ins]   (M = N, N = ins, K = OUT)
        const int64_t first = IN * block / cuts, last = IN * (block + 1) / cuts;
        tile_gemm(Trans::No, batch, static_cast<int>(last - first), OUT, dy.data(), OUT, weight_.value.data() + first,
                  IN, T(0), dx.data() + first, IN);
      } else {
        // A block of output units:  dW[outs,IN] += dYᵀ[outs,N] · X[N,IN]   (M = outs, N = IN, K = N)
        //                           db[o] += Σ_n dY[n,o]
        const int64_t part = block - dx_blocks, first = OUT * part / cuts, last = OUT * (part + 1) / cuts;
        tile_gemm(Trans::Yes, static_cast<int>(last - first), IN, batch, dy.data() + first, OUT, x.data(), IN, T(1),
                  weight_.grad.data() + first * IN, IN);
        if (options_.bias)
          for (int64_t o = first; o < last; ++o)
            for (int n = 0; n < batch; ++n) bias_.grad[o] += dy[n * OUT + o];
      }
    }
  }, gemm_size < kLeastBlockMultiplyAdds ? blocks : 1);
}

template class Linear<float>;
template class Linear<double>;

}  // namespace minicnn
