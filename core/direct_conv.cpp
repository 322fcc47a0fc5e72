#include "core/direct_conv.hpp"

#include <algorithm>
#include <utility>

#include "core/register_tile.hpp"

namespace minicnn {
namespace {

// Calls move(col, at) for the first `columns` pixels of an image row: padded column k = col + pad goes to
// column k / stride of phase k mod stride, element `at` from the row of phase 0 (the phases' rows are `plane`
// apart). At stride 2, whole vectors of column pairs (k even, k + 1), which go to the two phases' columns
// k / 2, take move_pairs(col, at) instead: columns [col, col + 2·lanes) to [at, at + lanes) of each phase,
// the last such block overlapping the one before it rather than leaving a tail (a move is a copy: moving a
// pixel twice is harmless). split_phases copies the pixels there, input_gradient copies them back.
template <typename T, typename Move, typename MovePairs>
void for_each_phase_column(int columns, int pad, int stride, int64_t plane, Move move, MovePairs move_pairs) {
  int col = 0;
  if (stride == 1) {
    for (; col < columns; ++col) move(col, int64_t{col + pad});
    return;
  }
  if (stride == 2) {
    constexpr int lanes = Simd<T>::lanes;
    if (pad % 2 == 1 && columns > 0) move(col++, plane + pad / 2);
    const int64_t even = (col + pad) / 2;
    const int pairs = (columns - col) / 2;
    if (pairs >= lanes) {
      for (int m = 0; m < pairs; m += lanes) {
        const int first = std::min(m, pairs - lanes);
        move_pairs(col + 2 * first, even + first);
      }
    } else {
      for (int m = 0; m < pairs; ++m) {
        move(col + 2 * m, even + m);
        move(col + 2 * m + 1, plane + even + m);
      }
    }
    col += 2 * pairs;
  }
  for (; col < columns; ++col) move(col, (col + pad) % stride * plane + (col + pad) / stride);
}

// The even and the odd lanes of the 2·lanes values from p: the two phases of a row's column pairs.
template <typename T, size_t... lane>
void deinterleave(const T* p, T* even, T* odd, std::index_sequence<lane...>) {
  using S = Simd<T>;
  const typename S::Vec a = S::load(p), b = S::load(p + S::lanes);
  S::store(even, __builtin_shufflevector(a, b, 2 * lane...), S::lanes);
  S::store(odd, __builtin_shufflevector(a, b, 2 * lane + 1 ...), S::lanes);
}

// Its inverse: p[2·i] = even[i], p[2·i + 1] = odd[i].
template <typename T, size_t... lane>
void interleave(const T* even, const T* odd, T* p, std::index_sequence<lane...>) {
  using S = Simd<T>;
  constexpr int L = S::lanes;
  const typename S::Vec e = S::load(even), o = S::load(odd);
  S::store(p, __builtin_shufflevector(e, o, (lane % 2) * L + lane / 2 ...), L);
  S::store(p + L, __builtin_shufflevector(e, o, (lane % 2) * L + (L + lane) / 2 ...), L);
}

}  // namespace

template <typename T>
DirectConv<T>::DirectConv(const ConvGeometry& g, int out_channels)
    : g_(g), out_channels_(out_channels), taps_(g.col_rows()) {
  static_assert(kGradientTaps % kTileRows == 0);  // the padded taps are whole tiles of rows too
  const int OH = g.out_h(), OW = g.out_w();
  row_vectors_ = (OW + kLanes - 1) / kLanes;
  pixel_vectors_ = OH * row_vectors_;
  // Rows and columns that x_t of the farthest tap reaches, its last vector included: reads never leave a row.
  phase_h_ = OH + (g.kernel_h - 1) * g.dilation_h / g.stride_h;
  phase_w_ = row_vectors_ * kLanes + (g.kernel_w - 1) * g.dilation_w / g.stride_w;
  phases_size_ = int64_t{g.channels} * g.stride_h * g.stride_w * phase_h_ * phase_w_;

  // Tap t = (c, u, v) reads phase (c, u·dh mod sh, v·dw mod sw) from row ⌊u·dh / sh⌋ and column ⌊v·dw / sw⌋.
  tap_offsets_.assign(row_count(taps_, kGradientTaps), 0);
  const int64_t plane = int64_t{phase_h_} * phase_w_;
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v) {
        const int dh = u * g.dilation_h, dw = v * g.dilation_w;
        const int64_t phase = (int64_t{c} * g.stride_h + dh % g.stride_h) * g.stride_w + dw % g.stride_w;
        tap_offsets_[(c * g.kernel_h + u) * g.kernel_w + v] =
            phase * plane + int64_t{dh / g.stride_h} * phase_w_ + dw / g.stride_w;
      }
  // Pixel vector q covers output row q / row_vectors_, from column (q mod row_vectors_) · kLanes.
  input_offsets_.resize(pixel_vectors_);
  for (int q = 0; q < pixel_vectors_; ++q)
    input_offsets_[q] = int64_t{q / row_vectors_} * phase_w_ + (q % row_vectors_) * kLanes;
  // Image row `row` is padded row row + ph: row i of the phases (c, a, ·), a = (row + ph) mod sh. Rows
  // below phase_h_, and columns past phase_w_·sw in the padded row, are never read.
  for (int c = 0; c < g.channels; ++c)
    for (int row = 0; row < g.height; ++row) {
      const int a = (row + g.pad_h) % g.stride_h, i = (row + g.pad_h) / g.stride_h;
      if (i < phase_h_)
        image_rows_.push_back({(int64_t{c} * g.height + row) * g.width,
                               (int64_t{c} * g.stride_h + a) * g.stride_w * plane + int64_t{i} * phase_w_});
    }
  row_columns_ = std::max(0, std::min(g.width, phase_w_ * g.stride_w - g.pad_w));
  for (int p = 0; p < OH * OW; ++p) pixel_offsets_.push_back(int64_t{p / OW} * phase_w_ + p % OW);
  dy_offsets_.resize(row_count(out_channels, kGradientChannels));
  for (size_t o = 0; o < dy_offsets_.size(); ++o) dy_offsets_[o] = int64_t(o) * pixel_vectors_ * kLanes;
}

template <typename T>
int64_t DirectConv<T>::packed_weight_size(Pass pass) const {
  return pass == Pass::Forward ? int64_t{row_count(out_channels_, kTileRows)} * taps_
                               : int64_t{row_count(taps_, kTileRows)} * out_channels_;
}

template <typename T>
void DirectConv<T>::pack_weights(const T* weight, Pass pass, T* packed) const {
  // A[r][k]: W[o = r][t = k] for the forward, W[o = k][t = r] for the input gradient.
  if (pass == Pass::Forward)
    pack_tile_rows(out_channels_, taps_, [&](int o, int t) { return weight + int64_t{o} * taps_ + t; }, packed);
  else
    pack_tile_rows(taps_, out_channels_, [&](int t, int o) { return weight + int64_t{o} * taps_ + t; }, packed);
}

template <typename T>
void DirectConv<T>::split_phases(const T* image, T* phases) const {
  const int64_t plane = int64_t{phase_h_} * phase_w_;
  for (const ImageRow& row : image_rows_) {
    const T* from = image + row.pixel;
    T* to = phases + row.plane_row;
    for_each_phase_column<T>(
        row_columns_, g_.pad_w, g_.stride_w, plane, [&](int col, int64_t at) { to[at] = from[col]; },
        [&](int col, int64_t at) { deinterleave(from + col, to + at, to + plane + at, std::make_index_sequence<kLanes>()); });
  }
}

template <typename T>
void DirectConv<T>::forward(const T* phases, const T* packed, const T* bias, T* out) const {
  using S = Simd<T>;
  const int OW = g_.out_w(), P = g_.out_h() * OW;
  // Y[o, q] = b[o] + Σ_t W[o, t] · x_t[q], a tile of 6 channels by V pixel vectors at a time.
  for (int first_channel = 0; first_channel < out_channels_; first_channel += kTileRows)
    for_each_vector_tile(pixel_vectors_, [&](auto width, int q) {
      constexpr int V = decltype(width)::value;
      typename S::Vec acc[kTileRows][V];
      for (int r = 0; r < kTileRows; ++r) {
        const int o = first_channel + r;
        for (int v = 0; v < V; ++v) acc[r][v] = S::splat(bias != nullptr && o < out_channels_ ? bias[o] : T(0));
      }
      register_tile<T, V>(packed + int64_t{first_channel} * taps_, taps_, phases, tap_offsets_.data(), &input_offsets_[q], acc);
      for (int v = 0; v < V; ++v) {
        const int row = (q + v) / row_vectors_, column = (q + v) % row_vectors_ * kLanes;
        for (int r = 0; r < kTileRows && first_channel + r < out_channels_; ++r)
          S::store(out + int64_t{first_channel + r} * P + int64_t{row} * OW + column, acc[r][v],
                   std::min(kLanes, OW - column));
      }
    });
}

template <typename T>
const T* DirectConv<T>::output_gradient_rows(const T* dy, T* scratch) const {
  const int OH = g_.out_h(), OW = g_.out_w(), padded = row_vectors_ * kLanes;
  if (OW == padded && out_channels_ % kGradientChannels == 0) return dy;
  for (size_t o = 0; o < dy_offsets_.size(); ++o)
    for (int i = 0; i < OH; ++i) {
      T* to = scratch + dy_offsets_[o] + int64_t{i} * padded;
      const int copied = static_cast<int>(o) < out_channels_ ? OW : 0;
      std::copy_n(dy + (int64_t(o) * OH + i) * OW, copied, to);
      std::fill(to + copied, to + padded, T(0));
    }
  return scratch;
}

template <typename T>
void DirectConv<T>::weight_gradient(const T* phases, const T* dy_rows, T* dweight_lanes) const {
  using S = Simd<T>;
  const int taps = static_cast<int>(tap_offsets_.size());
  for (int first_channel = 0; first_channel < out_channels_; first_channel += kGradientChannels)
    for (int first_tap = 0; first_tap < taps; first_tap += kGradientTaps) {
      // acc[o][t] = Σ over pixel vectors q of dy[o, q] · x_t[q], lane by lane
      typename S::Vec acc[kGradientChannels][kGradientTaps] = {};
      for (int q = 0; q < pixel_vectors_; ++q) {
        const T* x = phases + input_offsets_[q];
        typename S::Vec dq[kGradientChannels];
        for (int o = 0; o < kGradientChannels; ++o)
          dq[o] = S::load(dy_rows + dy_offsets_[first_channel + o] + q * kLanes);
        for (int t = 0; t < kGradientTaps; ++t) {
          const typename S::Vec xt = S::load(x + tap_offsets_[first_tap + t]);
          for (int o = 0; o < kGradientChannels; ++o) acc[o][t] += dq[o] * xt;
        }
      }
      for (int o = 0; o < kGradientChannels && first_channel + o < out_channels_; ++o)
        for (int t = 0; t < kGradientTaps && first_tap + t < taps_; ++t) {
          T* to = dweight_lanes + (int64_t{first_channel + o} * taps_ + first_tap + t) * kLanes;
          S::store(to, S::load(to) + acc[o][t], kLanes);
        }
    }
}

template <typename T>
void DirectConv<T>::transpose_output_gradient(const T* dy, T* dy_t) const {
  const int P = g_.out_h() * g_.out_w(), channels = channels_in_lanes();
  for (int p = 0; p < P; ++p) {
    T* to = dy_t + int64_t{p} * channels;
    for (int o = 0; o < out_channels_; ++o) to[o] = dy[int64_t{o} * P + p];
    std::fill(to + out_channels_, to + channels, T(0));
  }
}

template <typename T>
void DirectConv<T>::weight_gradient_by_channels(const T* phases, const T* dy_t, T* dweight_t) const {
  using S = Simd<T>;
  const int P = g_.out_h() * g_.out_w(), channels = channels_in_lanes();
  // dWᵀ[t, o] += Σ_p x_t[p] · dyᵀ[p, o], a tile of 6 taps by 2 vectors of channels: the forward's register
  // tile with the image's pixels as the sum and dyᵀ's rows as B.
  for (int first_channel = 0; first_channel < channels; first_channel += 2 * kLanes)
    for (int first_tap = 0; first_tap < taps_in_rows(); first_tap += kTileRows) {
      const T* x[kTileRows];
      for (int r = 0; r < kTileRows; ++r) x[r] = phases + tap_offsets_[first_tap + r];
      typename S::Vec acc[kTileRows][2] = {};
      for (int p = 0; p < P; ++p) {
        const int64_t at = pixel_offsets_[p];
        const T* d = dy_t + int64_t{p} * channels + first_channel;
        const typename S::Vec d0 = S::load(d), d1 = S::load(d + kLanes);
        for (int r = 0; r < kTileRows; ++r) {
          const typename S::Vec a = S::splat(x[r][at]);
          acc[r][0] += a * d0;
          acc[r][1] += a * d1;
        }
      }
      for (int r = 0; r < kTileRows; ++r) {
        T* to = dweight_t + int64_t{first_tap + r} * channels + first_channel;
        S::store(to, S::load(to) + acc[r][0], kLanes);
        S::store(to + kLanes, S::load(to + kLanes) + acc[r][1], kLanes);
      }
    }
}

template <typename T>
void DirectConv<T>::input_gradient(const T* dy_rows, const T* packed, T* dphases, T* dx) const {
  using S = Simd<T>;
  std::fill_n(dphases, phases_size_, T(0));
  // dx_t[q] = Σ_o W[o, t] · dy[o, q], a tile of 6 taps by V pixel vectors at a time, each added back where
  // the forward read x_t: the adjoint of the forward's reads.
  for (int first_tap = 0; first_tap < taps_; first_tap += kTileRows)
    for_each_vector_tile(pixel_vectors_, [&](auto width, int q) {
      constexpr int V = decltype(width)::value;
      typename S::Vec acc[kTileRows][V] = {};
      int64_t at[V];
      for (int v = 0; v < V; ++v) at[v] = int64_t{q + v} * kLanes;
      register_tile<T, V>(packed + int64_t{first_tap} * out_channels_, out_channels_, dy_rows, dy_offsets_.data(), at, acc);
      for (int r = 0; r < kTileRows && first_tap + r < taps_; ++r)
        for (int v = 0; v < V; ++v) {
          T* to = dphases + tap_offsets_[first_tap + r] + input_offsets_[q + v];
          S::store(to, S::load(to) + acc[r][v], kLanes);
        }
    });
  // dx = the planes' entries, each to the pixel it sampled (the adjoint of split_phases); 0 for the pixels
  // no tap reads, which have no place in the planes.
  std::fill_n(dx, int64_t{g_.channels} * g_.height * g_.width, T(0));
  const int64_t plane = int64_t{phase_h_} * phase_w_;
  for (const ImageRow& row : image_rows_) {
    const T* from = dphases + row.plane_row;
    T* to = dx + row.pixel;
    for_each_phase_column<T>(
        row_columns_, g_.pad_w, g_.stride_w, plane, [&](int col, int64_t at) { to[col] = from[at]; },
        [&](int col, int64_t at) { interleave(from + at, from + plane + at, to + col, std::make_index_sequence<kLanes>()); });
  }
}

template class DirectConv<float>;
template class DirectConv<double>;

}  // namespace minicnn
