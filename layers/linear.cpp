#include "layers/linear.hpp"

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/register_tile.hpp"
#include "core/tile_gemm.hpp"

namespace minicnn {
namespace {

// The layer's GEMMs are split by units (rows of W) or by input features (its columns), so that each thread
// reads and packs only its part of W, the largest operand. A block of units packs only its own rows of W,
// or of dYᵀ, and reads the other operand where it lies: so those GEMMs are cut into whole strips of the
// register tile's rows, kGemmBlocksPerThread blocks a thread, and a faster thread takes a slower one's last
// strips. A block of input features packs the whole of dY anew, so the input gradient is cut as little as
// the threads allow. LeNet's fc1 on 2 threads with each GEMM in one block a thread: a thread waited for the
// other 6-11% of the layer's time at the ends of its forward and backward (a per-region probe, 400 steps);
// with the strips, LeNet training at 2 threads over 1 in turns (6 alternations) 1.55-1.72x -> 1.61-1.82x,
// medians 1.65x -> 1.70x.
// A GEMM too small to repay a second thread stays whole: no block has fewer than kLeastBlockMultiplyAdds
// (LeNet's fc2, 500 -> 10 units, 320K multiply-adds a GEMM at batch 64: forward and backward 0.10 ms on one
// thread, 0.17 ms split in two, by the layer timers).
constexpr int64_t kLeastBlockMultiplyAdds = int64_t{1} << 20;
constexpr int kGemmBlocksPerThread = 4;

// How many blocks a GEMM of `multiply_adds` is cut into: `wanted`, or fewer where the blocks would be small.
int gemm_blocks(int wanted, int64_t multiply_adds) {
  return static_cast<int>(std::clamp<int64_t>(wanted, 1, std::max<int64_t>(multiply_adds / kLeastBlockMultiplyAdds, 1)));
}

// The strips of kTileRows units that hold `units` units (the last one can be shorter).
int64_t strips(int units) { return (units + kTileRows - 1) / kTileRows; }

// Blocks of whole strips of `units` units for `threads` threads: one on one thread, kGemmBlocksPerThread a
// thread on more, no more than there are strips.
int unit_blocks(int threads, int units, int64_t multiply_adds) {
  const int wanted = threads == 1 ? 1 : kGemmBlocksPerThread * threads;
  return gemm_blocks(static_cast<int>(std::min<int64_t>(wanted, strips(units))), multiply_adds);
}

// Units [first, last) of block `part` of `parts`, in whole strips.
std::pair<int64_t, int64_t> block_units(int64_t part, int parts, int units) {
  const int64_t all = strips(units);
  return {kTileRows * (all * part / parts), std::min<int64_t>(kTileRows * (all * (part + 1) / parts), units)};
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
  // A block of whole strips of output units at a time, each reading and packing only its own rows of W.
  // From kTileLeastBatch images on, through the register tile's GEMM (core/tile_gemm.hpp), turned so that
  // W's rows are its packed A:
  //   Yᵀ[outs, N] = W[outs, IN] · Xᵀ[IN, N]   (M = outs, N = N, K = IN),  then y[n, o] = b[o] + Yᵀ[o, n]
  // Below, unit by unit, each row of W read once, while the few images stay in the core's cache.
  const int blocks = unit_blocks(num_threads(), OUT, int64_t{batch} * IN * OUT);
  const bool tiled = batch >= kTileLeastBatch;
  if (tiled) {
    x_t_.resize(Shape{IN, batch});
    y_t_.resize(Shape{OUT, batch});
    transpose(batch, IN, x.data(), IN, x_t_.data(), batch);
  }
  parallel_for(blocks, [&](const Block& b) {
    for (int64_t part = b.begin; part < b.end; ++part) {
      const auto [first, last] = block_units(part, blocks, OUT);
      const int outs = static_cast<int>(last - first);
      if (tiled) {
        tile_gemm(Trans::No, outs, batch, IN, weight_.value.data() + first * IN, IN, x_t_.data(), batch, T(0),
                  y_t_.data() + first * batch, batch);
        transpose(outs, batch, y_t_.data() + first * batch, batch, y.data() + first, OUT);
        if (options_.bias)
          for (int n = 0; n < batch; ++n)
            for (int64_t o = first; o < last; ++o) y[int64_t{n} * OUT + o] += bias_.value[o];
        continue;
      }
      //   y[n, o] = b[o] + W[o,:] · x[n,:]
      for (int64_t o = first; o < last; ++o)
        for (int n = 0; n < batch; ++n)
          y[int64_t{n} * OUT + o] = (options_.bias ? bias_.value[o] : T(0)) +
                                    dot(weight_.value.data() + o * IN, x.data() + int64_t{n} * IN, IN);
    }
  });
}

template <typename T>
void Linear<T>::backward(const Tensor<T>& x, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>& dx) {
  const int batch = static_cast<int>(x.dim(0)), IN = in_features_, OUT = options_.units;
  // dX and dW are independent GEMMs of N·IN·OUT multiply-adds each, run as blocks of one parallel loop:
  // first dX's, then dW's. On an even number of threads dX is cut into threads / 2 blocks: on 2 threads it
  // runs whole on a thread, where halves would each pack the whole of dY again (LeNet's fc1 backward on 2
  // threads, 5 alternations of the layer timers: medians 1.04 ms against 1.15 in halves); on an odd number,
  // into `threads` blocks. dW is cut into strips of units, kGemmBlocksPerThread blocks a thread: the thread
  // whose range starts with dX takes some, the others the rest, and whoever is done first takes what is
  // left. Two GEMMs too small to be cut both run on one thread.
  const int threads = num_threads();
  const int64_t gemm_size = int64_t{batch} * IN * OUT;
  const int dx_blocks = dx.empty() ? 0 : gemm_blocks(threads % 2 == 0 ? threads / 2 : threads, gemm_size);
  const int dw_blocks = unit_blocks(threads, OUT, gemm_size), blocks = dx_blocks + dw_blocks;
  parallel_for(blocks, [&](const Block& b) {
    for (int64_t block = b.begin; block < b.end; ++block) {
      if (block < dx_blocks) {
        // A block of input features, reading its own columns of W:
        //   dX[:, ins] = dY[N,OUT] · W[OUT,ins]   (M = N, N = ins, K = OUT)
        const int64_t first = IN * block / dx_blocks, last = IN * (block + 1) / dx_blocks;
        tile_gemm(Trans::No, batch, static_cast<int>(last - first), OUT, dy.data(), OUT, weight_.value.data() + first,
                  IN, T(0), dx.data() + first, IN);
      } else {
        // A block of output units:  dW[outs,IN] += dYᵀ[outs,N] · X[N,IN]   (M = outs, N = IN, K = N)
        //                           db[o] += Σ_n dY[n,o]
        const auto [first, last] = block_units(block - dx_blocks, dw_blocks, OUT);
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
