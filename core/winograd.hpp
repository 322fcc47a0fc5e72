#pragma once
// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): a 3x3 cross-correlation of stride 1 computes each 2x2 tile of its output from the 4x4
// tile of input under it, with 16 multiplications per input channel instead of 36:
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A        g: a 3x3 kernel, d: a 4x4 input tile, Y: the 2x2 output tile
//
//        [1  0 -1  0]        [ 1    0    0 ]
//   Bᵀ = [0  1  1  0]    G = [1/2  1/2  1/2]    Aᵀ = [1  1  1  0]
//        [0 -1  1  0]        [1/2 -1/2  1/2]         [0  1 -1 -1]
//        [0  1  0 -1]        [ 0    0    1 ]
//
// Summed over the input channels, a tile's 16 elementwise products become 16 matrix products, one for each
// position ξ of the transformed 4x4 tile, over many tiles at once:
//
//   M_ξ[OC, tiles] = U_ξ[OC, C] · V_ξ[C, tiles]      U = G g Gᵀ for each (o, c), V = Bᵀ d B for each (c, tile)
//
// and each output tile is Aᵀ M A. That is 2.25 times fewer multiply-adds than the im2col GEMM, for the price
// of the transforms (additions) and somewhat larger rounding errors: a transformed value adds up to 4 (V)
// or 9 (U) others, and the output transform up to 9 products.
//
// The weight gradient is that formula's adjoint in g. With L = Σ_tiles <dY, Y>, and <dY, Aᵀ X A> = <A dY Aᵀ, X>,
// <Z, U ⊙ V> = <Z ⊙ V, U>, <S, G g Gᵀ> = <Gᵀ S G, g>:
//
//   dg = Gᵀ S G,   S = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)      S_ξ[OC, C] = Σ_tiles Z_ξ[OC, tiles] · V_ξ[C, tiles]ᵀ
//
// again 16 matrix products, now with the tiles (of every image) as their inner dimension.
#include <cstdint>
#include <vector>

#include "core/shape.hpp"
#include "core/tensor.hpp"

namespace minicnn {

constexpr int kWinogradPositions = 16;  // ξ: the 4x4 positions of a transformed tile

// The transformed filters U [16, rows, columns] of the 3x3 kernels weight [OC, C, 3, 3]:
//   forward:         U_ξ[o, c] = (G W[o,c] Gᵀ)_ξ                                 rows = OC, columns = C
//   input gradient:  U_ξ[c, o] = (G W'[c,o] Gᵀ)_ξ, W'[c,o][u,v] = W[o,c][2-u, 2-v]  rows = C,  columns = OC
// The input gradient of a stride-1 correlation is the correlation of dy, padded by 2 - p, with the kernels
// turned by 180 degrees and input and output channels swapped (docs/backprop-through-convolution.md).
// Each U_ξ is packed for the register tile that multiplies it (core/register_tile.hpp): blocks of 6 rows,
// zero past the last row; winograd_filters_size() values in all.
enum class WinogradFilters { Forward, InputGradient };
template <typename T>
int64_t winograd_filters_size(int out_channels, int channels, WinogradFilters which);
template <typename T>
void winograd_filters(const T* weight, int out_channels, int channels, WinogradFilters which, T* U);

// A 3x3 correlation of stride 1: input [channels, height, width] with `pad` zeros on every side, output
// [out_channels, height + 2·pad - 2, width + 2·pad - 2], cut into 2x2 tiles (the last row and column of
// tiles reach past an odd-sized output; those entries are not written).
struct WinogradGeometry {
  int channels = 1, height = 1, width = 1;
  int pad = 0;
  int out_channels = 1;

  int out_h() const { return height + 2 * pad - 2; }
  int out_w() const { return width + 2 * pad - 2; }
  int tiles_h() const { return (out_h() + 1) / 2; }
  int tiles_w() const { return (out_w() + 1) / 2; }
};

// Scratch buffers of one thread, sized on first use and reused.
template <typename T>
struct WinogradWorkspace {
  Tensor<T> padded;  // [C, 2·tiles_h + 2, 2·tiles_w + 2]: the input inside its zeros (the weight gradient's: channels last)
  Tensor<T> V;       // [16, C, tiles of a chunk, rounded up to whole vectors] (and a vector more for each ξ)
  Tensor<T> M;       // [16, OC rounded up to 6, the same]; for the weight gradient, Z = A dY Aᵀ
  Tensor<T> padded_dy;  // [OC, 2·tiles_h, 2·tiles_w]: dy of an odd-sized output inside a row and column of zeros
  std::vector<int64_t> row_offsets, vector_offsets;  // where the register tile finds V's rows and vectors
};

// out [OC, OH, OW] = the correlation of image [C, H, W] with the filters U (rows OC, columns C), plus bias[o]
// when bias is not null.
template <typename T>
void winograd_conv3x3(const WinogradGeometry& g, const T* image, const T* U, const T* bias, T* out,
                      WinogradWorkspace<T>& w);

// The weight gradient's sums S [16, OC, C] += Σ_tiles (A dY Aᵀ)_ξ · (Bᵀ d B)_ξᵀ over the tiles of one image
// [C, H, W] and its output gradient dy [OC, OH, OW]. Summed over a batch, S gives dW through
// winograd_filter_gradient.
template <typename T>
void winograd_weight_gradient(const WinogradGeometry& g, const T* image, const T* dy, T* S, WinogradWorkspace<T>& w);

// dweight [OC, C, 3, 3] += Gᵀ S[o,c] G for the sums S [16, OC, C].
template <typename T>
void winograd_filter_gradient(const T* S, int out_channels, int channels, T* dweight);

}  // namespace minicnn
