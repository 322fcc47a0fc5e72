#include "core/winograd.hpp"

#include <algorithm>

#include "core/register_tile.hpp"

namespace minicnn {
namespace {

// Tiles are transformed, multiplied and transformed back a chunk of tile rows at a time: V and M of a
// chunk take 16·C·tiles and 16·OC·tiles values, kept near kChunkBytes so that they stay in the core's cache
// between the transforms and the GEMMs. At least kLeastChunkTiles tiles, so that the GEMMs stay wide.
constexpr int64_t kChunkBytes = int64_t{512} << 10;
constexpr int kLeastChunkTiles = 64;

// u = G g Gᵀ for a 3x3 kernel g whose entry (i, j) is g[i·row + j·column] (row and column steps let the same
// code read a kernel turned by 180 degrees).
template <typename T>
void transform_filter(const T* g, int64_t row, int64_t column, T u[16]) {
  T t[4][3];  // G g: rows 0 and 3 are g's first and last rows, 1 and 2 their half sum and difference with the middle
  for (int j = 0; j < 3; ++j) {
    const T g0 = g[j * column], g1 = g[row + j * column], g2 = g[2 * row + j * column];
    t[0][j] = g0;
    t[1][j] = T(0.5) * (g0 + g1 + g2);
    t[2][j] = T(0.5) * (g0 - g1 + g2);
    t[3][j] = g2;
  }
  for (int i = 0; i < 4; ++i) {  // (G g) Gᵀ, the same on the columns
    u[i * 4 + 0] = t[i][0];
    u[i * 4 + 1] = T(0.5) * (t[i][0] + t[i][1] + t[i][2]);
    u[i * 4 + 2] = T(0.5) * (t[i][0] - t[i][1] + t[i][2]);
    u[i * 4 + 3] = t[i][2];
  }
}

// Y = Aᵀ M A + b for tiles [0, count) of a tile row, each wholly inside the output: rows y0 and y1, entries
// 2·tx and 2·tx + 1; M_ξ of tile tx at m[ξ·m_stride + tx]. Written out on M's 16 rows (ξ = 4·row + column)
// so that the compiler vectorizes it over the tiles.
template <typename T>
void output_tiles(const T* m, int64_t m_stride, int count, T b, T* y0, T* y1) {
  const T *m0 = m, *m1 = m0 + m_stride, *m2 = m1 + m_stride, *m3 = m2 + m_stride, *m4 = m3 + m_stride,
          *m5 = m4 + m_stride, *m6 = m5 + m_stride, *m7 = m6 + m_stride, *m8 = m7 + m_stride, *m9 = m8 + m_stride,
          *m10 = m9 + m_stride, *m11 = m10 + m_stride, *m12 = m11 + m_stride, *m13 = m12 + m_stride,
          *m14 = m13 + m_stride, *m15 = m14 + m_stride;
#pragma omp simd
  for (int tx = 0; tx < count; ++tx) {
    // Aᵀ M, column j: s0j = M0j + M1j + M2j, s1j = M1j - M2j - M3j
    const T s00 = m0[tx] + m4[tx] + m8[tx], s01 = m1[tx] + m5[tx] + m9[tx], s02 = m2[tx] + m6[tx] + m10[tx],
            s03 = m3[tx] + m7[tx] + m11[tx];
    const T s10 = m4[tx] - m8[tx] - m12[tx], s11 = m5[tx] - m9[tx] - m13[tx], s12 = m6[tx] - m10[tx] - m14[tx],
            s13 = m7[tx] - m11[tx] - m15[tx];
    // (Aᵀ M) A: the same on the columns
    const T y00 = s00 + s01 + s02 + b, y01 = s01 - s02 - s03 + b, y10 = s10 + s11 + s12 + b, y11 = s11 - s12 - s13 + b;
    y0[2 * tx] = y00, y0[2 * tx + 1] = y01, y1[2 * tx] = y10, y1[2 * tx + 1] = y11;
  }
}

// The image inside its zeros, [C, PH, PW], large enough that every tile reads a whole 4x4 input: no bounds
// checks later; then 2·lanes zeros that transform_inputs' vectors read past the last row. Each entry is
// written once: the image's rows between their zeros, and the rows of zeros above and below.
template <typename T>
void pad_image(const WinogradGeometry& g, const T* image, Tensor<T>& padded) {
  const int PH = 2 * g.tiles_h() + 2, PW = 2 * g.tiles_w() + 2;
  const int64_t size = int64_t{g.channels} * PH * PW;
  padded.resize(Shape{size + 2 * Simd<T>::lanes});
  std::fill_n(padded.data() + size, 2 * Simd<T>::lanes, T(0));
  const int right = PW - g.pad - g.width;  // zeros right of a row (the last tile column may reach past it)
  for (int c = 0; c < g.channels; ++c) {
    T* plane = padded.data() + int64_t{c} * PH * PW;
    std::fill_n(plane, int64_t{g.pad} * PW, T(0));
    for (int r = 0; r < g.height; ++r) {
      T* row = plane + int64_t{r + g.pad} * PW;
      std::fill_n(row, g.pad, T(0));
      std::copy_n(image + (int64_t{c} * g.height + r) * g.width, g.width, row + g.pad);
      std::fill_n(row + g.pad + g.width, right, T(0));
    }
    std::fill_n(plane + int64_t{g.pad + g.height} * PW, int64_t{PH - g.pad - g.height} * PW, T(0));
  }
}

// The tile rows of one chunk: V and M (or Z) of a chunk take 16·C·tiles and 16·OC·tiles values.
template <typename T>
int chunk_rows(const WinogradGeometry& g) {
  const int64_t tile_bytes = int64_t{kWinogradPositions} * std::max(g.channels, g.out_channels) * int64_t{sizeof(T)};
  return static_cast<int>(
      std::clamp<int64_t>(std::max<int64_t>(kChunkBytes / tile_bytes, kLeastChunkTiles) / g.tiles_w(), 1, g.tiles_h()));
}

// The rows of V and M hold a whole chunk's tiles, rounded up to whole vectors for the register tile.
template <typename T>
int chunk_stride(const WinogradGeometry& g) {
  return row_count(chunk_rows<T>(g) * g.tiles_w(), Simd<T>::lanes);
}

// Bᵀ x for a column x of 4 entries (a tile's column, or a row: d B = (Bᵀ dᵀ)ᵀ), for entries that are
// numbers or vectors of them.
template <typename X>
struct InputTransform {
  X v0, v1, v2, v3;
  InputTransform(const X& x0, const X& x1, const X& x2, const X& x3)
      : v0(x0 - x2), v1(x1 + x2), v2(x2 - x1), v3(x1 - x3) {}
};

// V = Bᵀ d B for every channel and every tile of tile rows [ty0, ty0 + rows), into w.V [16, C·stride + lanes]
// (V_ξ[c, t] at ξ·(C·stride + lanes) + c·stride + t, tile t = (ty - ty0)·TW + tx), from the padded image in
// w.padded, a vector of tiles at a time: first d B on each of a tile row's 4 input rows (entries 2·tx to
// 2·tx + 3 of the row, the even and odd lanes of two pairs of vectors), then Bᵀ (d B) on those 4 rows, all
// in registers. Reading straight from the image, and never from values just stored, spares the waits of
// loads that span earlier stores (a pass through a row buffer took 63% of this function's time). Each
// vector is stored whole: the lanes past a tile row go to the next row's tiles, which overwrite them after,
// or past the last tile row of a channel, to entries the products never read (the next channel's, then
// overwritten too, or the lanes that end V_ξ).
template <typename T>
void transform_inputs(const WinogradGeometry& g, int ty0, int rows, int stride, WinogradWorkspace<T>& w) {
  using S = Simd<T>;
  using Vec = typename S::Vec;
  constexpr int L = S::lanes;
  const int C = g.channels, TW = g.tiles_w(), PH = 2 * g.tiles_h() + 2, PW = 2 * TW + 2;
  const int64_t v_stride = int64_t{C} * stride + L;  // from V_ξ to V_ξ+1
  w.V.resize(Shape{kWinogradPositions, v_stride});
  for (int c = 0; c < C; ++c)
    for (int ty = ty0; ty < ty0 + rows; ++ty) {
      const T* d = w.padded.data() + (int64_t{c} * PH + 2 * ty) * PW;
      T* v = w.V.data() + int64_t{c} * stride + int64_t{ty - ty0} * TW;
      for (int tx = 0; tx < TW; tx += L) {
        Vec h[4][4];  // h[k][j] = (d B)[k][j] for the vector's tiles
        for (int k = 0; k < 4; ++k) {
          const T* x = d + int64_t{k} * PW + 2 * tx;
          const Vec a = S::load(x), b = S::load(x + L), a2 = S::load(x + 2), b2 = S::load(x + 2 + L);
          const InputTransform<Vec> row(S::even(a, b), S::odd(a, b), S::even(a2, b2), S::odd(a2, b2));
          h[k][0] = row.v0, h[k][1] = row.v1, h[k][2] = row.v2, h[k][3] = row.v3;
        }
        for (int j = 0; j < 4; ++j) {
          const InputTransform<Vec> column(h[0][j], h[1][j], h[2][j], h[3][j]);
          T* out = v + j * v_stride + tx;  // V_ξ for ξ = 4·i + j
          S::store(out, column.v0, L);
          S::store(out + 4 * v_stride, column.v1, L);
          S::store(out + 8 * v_stride, column.v2, L);
          S::store(out + 12 * v_stride, column.v3, L);
        }
      }
    }
}

// The image inside its zeros, as pad_image makes it, with the channels last: padded [PH, PW, C_lanes], a
// pixel's channels side by side in whole vectors (zeros past C).
template <typename T>
void pad_image_channels_last(const WinogradGeometry& g, const T* image, int C_lanes, Tensor<T>& padded) {
  const int PH = 2 * g.tiles_h() + 2, PW = 2 * g.tiles_w() + 2;
  padded.resize(Shape{PH, PW, C_lanes});
  padded.zero();
  for (int c = 0; c < g.channels; ++c)
    for (int r = 0; r < g.height; ++r)
      for (int col = 0; col < g.width; ++col)
        padded[(int64_t{r + g.pad} * PW + col + g.pad) * C_lanes + c] = image[(int64_t{c} * g.height + r) * g.width + col];
}

// Vᵀ = (Bᵀ d B)ᵀ for the tiles of tile rows [ty0, ty0 + rows) (tile t = (ty - ty0)·TW + tx), from the
// channels-last padded image: V [16, tiles, C_lanes], Vᵀ_ξ[t, c] at ξ·v_stride + t·C_lanes + c. The same
// sums as transform_inputs, on vectors of channels.
template <typename T>
void transform_inputs_channels_last(const WinogradGeometry& g, int ty0, int rows, int C_lanes, const T* padded, T* V,
                                    int64_t v_stride) {
  using S = Simd<T>;
  using Vec = typename S::Vec;
  const int TW = g.tiles_w(), PW = 2 * TW + 2;
  for (int ty = ty0; ty < ty0 + rows; ++ty)
    for (int tx = 0; tx < TW; ++tx) {
      const T* d = padded + (int64_t{2 * ty} * PW + 2 * tx) * C_lanes;  // the tile's 4x4 inputs from here
      T* v = V + int64_t{(ty - ty0) * TW + tx} * C_lanes;
      for (int c = 0; c < C_lanes; c += S::lanes) {
        const auto at = [&](int i, int j) { return S::load(d + (int64_t{i} * PW + j) * C_lanes + c); };
        Vec t[4][4];  // Bᵀ d, column by column
        for (int j = 0; j < 4; ++j) {
          const InputTransform<Vec> column(at(0, j), at(1, j), at(2, j), at(3, j));
          t[0][j] = column.v0, t[1][j] = column.v1, t[2][j] = column.v2, t[3][j] = column.v3;
        }
        for (int i = 0; i < 4; ++i) {  // (Bᵀ d) B, row by row
          const InputTransform<Vec> row(t[i][0], t[i][1], t[i][2], t[i][3]);
          T* out = v + (4 * i) * v_stride + c;
          S::store(out, row.v0, S::lanes);
          S::store(out + v_stride, row.v1, S::lanes);
          S::store(out + 2 * v_stride, row.v2, S::lanes);
          S::store(out + 3 * v_stride, row.v3, S::lanes);
        }
      }
    }
}

// Z = A dY Aᵀ for the 2x2 tiles [0, count) of output rows y0 and y1 (entries 2·tx and 2·tx + 1): Z_ξ of tile
// tx to z[ξ·z_stride + tx]. A dY stacks the rows y0, y0 + y1, y0 - y1, -y1; · Aᵀ does the same on the columns.
template <typename T>
void output_gradient_tiles(const T* y0, const T* y1, int count, T* z, int64_t z_stride) {
#pragma omp simd
  for (int tx = 0; tx < count; ++tx) {
    const T a = y0[2 * tx], b = y0[2 * tx + 1], c = y1[2 * tx], d = y1[2 * tx + 1];
    const T rows[4][2] = {{a, b}, {a + c, b + d}, {a - c, b - d}, {-c, -d}};
    for (int i = 0; i < 4; ++i) {
      const T u = rows[i][0], v = rows[i][1];
      z[(4 * i + 0) * z_stride + tx] = u;
      z[(4 * i + 1) * z_stride + tx] = u + v;
      z[(4 * i + 2) * z_stride + tx] = u - v;
      z[(4 * i + 3) * z_stride + tx] = -v;
    }
  }
}

}  // namespace

template <typename T>
int64_t winograd_filters_size(int out_channels, int channels, WinogradFilters which) {
  const int rows = which == WinogradFilters::Forward ? out_channels : channels;
  const int columns = which == WinogradFilters::Forward ? channels : out_channels;
  return int64_t{kWinogradPositions} * row_count(rows, kTileRows) * columns;
}

template <typename T>
void winograd_filters(const T* weight, int out_channels, int channels, WinogradFilters which, T* U) {
  const bool forward = which == WinogradFilters::Forward;
  const int rows = forward ? out_channels : channels, columns = forward ? channels : out_channels;
  const int64_t position_stride = int64_t{row_count(rows, kTileRows)} * columns;  // U_ξ, packed
  std::fill_n(U, kWinogradPositions * position_stride, T(0));                  // the rows past the last
  for (int o = 0; o < out_channels; ++o)
    for (int c = 0; c < channels; ++c) {
      const T* g = weight + (int64_t{o} * channels + c) * 9;
      T u[16];
      if (forward)
        transform_filter(g, 3, 1, u);
      else
        transform_filter(g + 8, -3, -1, u);  // W'[u,v] = W[2-u, 2-v]: read from the last entry backwards
      const int64_t at = forward ? packed_index(o, c, columns) : packed_index(c, o, columns);
      for (int xi = 0; xi < kWinogradPositions; ++xi) U[xi * position_stride + at] = u[xi];
    }
}

template <typename T>
void winograd_conv3x3(const WinogradGeometry& g, const T* image, const T* U, const T* bias, T* out,
                      WinogradWorkspace<T>& w) {
  const int C = g.channels, OC = g.out_channels, OH = g.out_h(), OW = g.out_w();
  const int TH = g.tiles_h(), TW = g.tiles_w();
  using S = Simd<T>;
  pad_image(g, image, w.padded);
  const int chunk = chunk_rows<T>(g), stride = chunk_stride<T>(g), OC_rows = row_count(OC, kTileRows);
  w.M.resize(Shape{kWinogradPositions, OC_rows, stride});
  const int64_t v_stride = int64_t{C} * stride + S::lanes, m_stride = int64_t{OC_rows} * stride;  // from V_ξ to V_ξ+1
  const int64_t u_stride = int64_t{OC_rows} * C;                                      // from U_ξ to U_ξ+1
  // The register tile's B is V_ξ: its row c at c·stride, its vector q of tiles at q·lanes.
  w.row_offsets.resize(C);
  for (int c = 0; c < C; ++c) w.row_offsets[c] = int64_t{c} * stride;
  w.vector_offsets.resize(stride / S::lanes);
  for (int q = 0; q < stride / S::lanes; ++q) w.vector_offsets[q] = int64_t{q} * S::lanes;
  for (int ty0 = 0; ty0 < TH; ty0 += chunk) {
    const int rows = std::min(chunk, TH - ty0);
    transform_inputs(g, ty0, rows, stride, w);

    // M_ξ = U_ξ · V_ξ:  M_ξ[OC, tiles] = U_ξ[OC, C] · V_ξ[C, tiles]   (M = OC, N = tiles, K = C), in register
    // tiles of 6 output channels by kTileVectors vectors of tiles, U_ξ packed for them. The lanes past the chunk's
    // tiles compute what V holds there, into entries of M that are never read.
    const int tile_vectors = row_count(rows * TW, S::lanes) / S::lanes;
    for (int xi = 0; xi < kWinogradPositions; ++xi) {
      const T* u = U + xi * u_stride;
      const T* v = w.V.data() + xi * v_stride;
      T* m = w.M.data() + xi * m_stride;
      for (int first = 0; first < OC; first += kTileRows)
        for_each_vector_tile(tile_vectors, [&](auto width, int q) {
          register_tile<T, decltype(width)::value>(
              PackedRows<T>{u + int64_t{first} * C}, C, v, w.row_offsets.data(), &w.vector_offsets[q], zero_start<T>,
              [&](int r, int i, typename S::Vec mv) {
                S::store(m + int64_t{first + r} * stride + (q + i) * S::lanes, mv, S::lanes);
              });
        });
    }

    // Y = Aᵀ M A for every output channel and tile, into out. Tiles wholly inside the output in one vector
    // loop over a tile row; a last column or row of tiles that reaches past an odd-sized output, entry by entry.
    const int whole_tw = OW / 2;
    for (int o = 0; o < OC; ++o) {
      const T b = bias != nullptr ? bias[o] : T(0);
      for (int ty = ty0; ty < ty0 + rows; ++ty) {
        const T* m = w.M.data() + int64_t{o} * stride + int64_t{ty - ty0} * TW;  // M_ξ of the row's tiles: m + ξ·m_stride
        T* y0 = out + (int64_t{o} * OH + 2 * ty) * OW;
        T* y1 = 2 * ty + 1 < OH ? y0 + OW : nullptr;
        if (y1 != nullptr) output_tiles(m, m_stride, whole_tw, b, y0, y1);
        // The tiles that reach past the output: into a 2x2 tile of their own, then the entries inside.
        for (int tx = y1 != nullptr ? whole_tw : 0; tx < TW; ++tx) {
          T tile[2][2];
          output_tiles(m + tx, m_stride, 1, b, tile[0], tile[1]);
          for (int i = 0; i < (y1 != nullptr ? 2 : 1); ++i)
            for (int j = 0; j < 2 && 2 * tx + j < OW; ++j) (i == 0 ? y0 : y1)[2 * tx + j] = tile[i][j];
        }
      }
    }
  }
}

template <typename T>
void winograd_weight_gradient(const WinogradGeometry& g, const T* image, const T* dy, T* S, WinogradWorkspace<T>& w) {
  const int C = g.channels, OC = g.out_channels, OH = g.out_h(), OW = g.out_w();
  const int TH = g.tiles_h(), TW = g.tiles_w();
  // dY in whole 2x2 tiles: in place when the output's sides are even, else inside a row and a column of zeros
  // (the zeros contribute nothing: dL/dY is 0 where there is no output).
  const int DH = 2 * TH, DW = 2 * TW;
  const T* tiled_dy = dy;
  if (DH != OH || DW != OW) {
    w.padded_dy.resize(Shape{OC, DH, DW});
    w.padded_dy.zero();
    for (int o = 0; o < OC; ++o)
      for (int r = 0; r < OH; ++r)
        std::copy_n(dy + (int64_t{o} * OH + r) * OW, OW, w.padded_dy.data() + (int64_t{o} * DH + r) * DW);
    tiled_dy = w.padded_dy.data();
  }
  // S_ξ[OC, C] += Z_ξ[OC, tiles] · V_ξᵀ[tiles, C] is a sum over tiles: the register tile takes Z as its A,
  // in rows of its own (a row an output channel, written a vector of tiles at a time), and Vᵀ as its B (each
  // tile's channels side by side, in whole vectors), so that neither is packed by a GEMM library for
  // products of a few dozen tiles. Vᵀ comes from the image with its channels last, so that its transform
  // runs on vectors of channels.
  using Vectors = Simd<T>;
  const int chunk = chunk_rows<T>(g), most_tiles = chunk * TW;
  const int C_vectors = row_count(C, Vectors::lanes) / Vectors::lanes, C_lanes = C_vectors * Vectors::lanes;
  const int OC_rows = row_count(OC, kTileRows);
  w.V.resize(Shape{kWinogradPositions, most_tiles, C_lanes});  // here Vᵀ
  w.M.resize(Shape{kWinogradPositions, OC_rows, most_tiles});  // here Z = A dY Aᵀ
  const int64_t v_stride = int64_t{most_tiles} * C_lanes, z_stride = int64_t{OC_rows} * most_tiles;  // ξ to ξ+1
  pad_image_channels_last(g, image, C_lanes, w.padded);
  w.row_offsets.resize(most_tiles);
  for (int t = 0; t < most_tiles; ++t) w.row_offsets[t] = int64_t{t} * C_lanes;
  w.vector_offsets.resize(C_vectors);
  for (int q = 0; q < C_vectors; ++q) w.vector_offsets[q] = int64_t{q} * Vectors::lanes;
  for (int ty0 = 0; ty0 < TH; ty0 += chunk) {
    const int rows = std::min(chunk, TH - ty0), tiles = rows * TW;
    transform_inputs_channels_last(g, ty0, rows, C_lanes, w.padded.data(), w.V.data(), v_stride);
    // Z for this chunk's tiles: Z_ξ[o, t] at ξ·z_stride + o·most_tiles + t. The rows past OC are zeros (as
    // the channels past C in Vᵀ are), so that the sums never stored stay finite.
    for (int xi = 0; xi < kWinogradPositions; ++xi)
      std::fill_n(w.M.data() + xi * z_stride + int64_t{OC} * most_tiles, int64_t{OC_rows - OC} * most_tiles, T(0));
    for (int o = 0; o < OC; ++o)
      for (int ty = ty0; ty < ty0 + rows; ++ty) {
        const T* y0 = tiled_dy + (int64_t{o} * DH + 2 * ty) * DW;
        output_gradient_tiles(y0, y0 + DW, TW, w.M.data() + int64_t{o} * most_tiles + (ty - ty0) * TW, z_stride);
      }
    // S_ξ += Z_ξ · V_ξᵀ:  S_ξ[OC, C] += Z_ξ[OC, tiles] · V_ξᵀ[tiles, C]   (M = OC, N = C, K = tiles), in
    // register tiles of 6 output channels by kTileVectors vectors of channels.
    for (int xi = 0; xi < kWinogradPositions; ++xi) {
      const T* z = w.M.data() + xi * z_stride;
      const T* v = w.V.data() + xi * v_stride;
      T* s = S + int64_t{xi} * OC * C;
      for (int first = 0; first < OC; first += kTileRows)
        for_each_vector_tile(C_vectors, [&](auto width, int q) {
          register_tile<T, decltype(width)::value>(
              Rows<T>{z + int64_t{first} * most_tiles, most_tiles}, tiles, v, w.row_offsets.data(),
              &w.vector_offsets[q], zero_start<T>,
              [&](int r, int i, typename Vectors::Vec sv) {
                const int c = (q + i) * Vectors::lanes;
                if (first + r < OC) Vectors::add(s + int64_t{first + r} * C + c, sv, std::min(Vectors::lanes, C - c));
              });
        });
    }
  }
}

template <typename T>
void winograd_filter_gradient(const T* S, int out_channels, int channels, T* dweight) {
  const int64_t position_stride = int64_t{out_channels} * channels;  // S_ξ is [OC, C]
  for (int64_t oc = 0; oc < position_stride; ++oc) {
    T s[4][4];
    for (int xi = 0; xi < kWinogradPositions; ++xi) s[xi / 4][xi % 4] = S[xi * position_stride + oc];
    // Gᵀ s: row 0 = s0 + (s1 + s2)/2, row 1 = (s1 - s2)/2, row 2 = (s1 + s2)/2 + s3; then the same on the columns.
    T t[3][4];
    for (int j = 0; j < 4; ++j) {
      t[0][j] = s[0][j] + T(0.5) * (s[1][j] + s[2][j]);
      t[1][j] = T(0.5) * (s[1][j] - s[2][j]);
      t[2][j] = T(0.5) * (s[1][j] + s[2][j]) + s[3][j];
    }
    T* dw = dweight + oc * 9;  // dW[o, c] is [3, 3], oc = o·C + c
    for (int i = 0; i < 3; ++i) {
      dw[i * 3 + 0] += t[i][0] + T(0.5) * (t[i][1] + t[i][2]);
      dw[i * 3 + 1] += T(0.5) * (t[i][1] - t[i][2]);
      dw[i * 3 + 2] += T(0.5) * (t[i][1] + t[i][2]) + t[i][3];
    }
  }
}

template int64_t winograd_filters_size<float>(int, int, WinogradFilters);
template int64_t winograd_filters_size<double>(int, int, WinogradFilters);
template void winograd_filters<float>(const float*, int, int, WinogradFilters, float*);
template void winograd_filters<double>(const double*, int, int, WinogradFilters, double*);
template void winograd_conv3x3<float>(const WinogradGeometry&, const float*, const float*, const float*, float*,
                                      WinogradWorkspace<float>&);
template void winograd_conv3x3<double>(const WinogradGeometry&, const double*, const double*, const double*, double*,
                                       WinogradWorkspace<double>&);
template void winograd_weight_gradient<float>(const WinogradGeometry&, const float*, const float*, float*,
                                              WinogradWorkspace<float>&);
template void winograd_weight_gradient<double>(const WinogradGeometry&, const double*, const double*, double*,
                                               WinogradWorkspace<double>&);
template void winograd_filter_gradient<float>(const float*, int, int, float*);
template void winograd_filter_gradient<double>(const double*, int, int, double*);

}  // namespace minicnn
