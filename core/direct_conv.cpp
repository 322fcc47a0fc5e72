#include "core/direct_conv.hpp"

#include <algorithm>

#include "core/register_tile.hpp"

namespace minicnn {
namespace {

// At stride 2, whole vectors of a row's columns j, from from[2·j]: a vector's values are the even lanes of
// the 2·lanes values from from + 2·j, or the odd lanes of those from one before, where the row ends too
// soon for the first (`before` and `after`: the values of the row before from, and from from on). Calls
// vector(j, shift) for those that fit, shift 0 or 1, and returns the first column not done.
template <typename Vector>
int for_each_pair_vector(int count, int lanes, int before, int after, Vector vector) {
  int j = 0;
  for (; j + lanes <= count; j += lanes) {
    if (2 * (j + lanes) <= after)
      vector(j, 0);
    else if (2 * j + before >= 1)
      vector(j, 1);
    else
      break;
  }
  return j;
}

// to[j] = from[j·stride] for j < count: a row of a plane, from a row of the image (before and after: as
// for for_each_pair_vector).
template <typename T>
void gather_row(const T* from, int stride, int count, int before, int after, T* to) {
  using S = Simd<T>;
  if (stride == 1) {
#pragma omp simd
    for (int j = 0; j < count; ++j) to[j] = from[j];
    return;
  }
  int j = 0;
  if (stride == 2)
    j = for_each_pair_vector(count, S::lanes, before, after, [&](int first, int shift) {
      const T* p = from + 2 * first - shift;
      const typename S::Vec a = S::load(p), b = S::load(p + S::lanes);
      S::store(to + first, shift == 0 ? S::even(a, b) : S::odd(a, b), S::lanes);
    });
  for (; j < count; ++j) to[j] = from[int64_t{j} * stride];
}

// Its adjoint, to[j·stride] += from[j] for j < count: at stride 2 each vector between zeros, added to the
// 2·lanes values from to + 2·j (or from one before).
template <typename T>
void scatter_add_row(const T* from, int stride, int count, int before, int after, T* to) {
  using S = Simd<T>;
  constexpr int L = S::lanes;
  if (stride == 1) {
#pragma omp simd
    for (int j = 0; j < count; ++j) to[j] += from[j];
    return;
  }
  int j = 0;
  if (stride == 2)
    j = for_each_pair_vector(count, L, before, after, [&](int first, int shift) {
      const typename S::Vec v = S::load(from + first), zero = {};
      const typename S::Vec even = shift == 0 ? v : zero, odd = shift == 0 ? zero : v;  // interleaved
      T* p = to + 2 * first - shift;
      S::add(p, S::interleave_first(even, odd), L);
      S::add(p + L, S::interleave_last(even, odd), L);
    });
  for (; j < count; ++j) to[int64_t{j} * stride] += from[j];
}

}  // namespace

template <typename T>
DirectConv<T>::DirectConv(const ConvGeometry& g, int out_channels)
    : g_(g), out_channels_(out_channels), taps_(g.col_rows()) {
  const int OH = g.out_h(), OW = g.out_w(), sh = g.stride_h, sw = g.stride_w;
  pixel_vectors_ = (OH * OW + kLanes - 1) / kLanes;
  // The rows that x_t of the farthest tap reaches.
  const int rows = OH + (g.kernel_h - 1) * g.dilation_h / sh;
  plane_ = int64_t{rows} * OW;
  planes_size_ = int64_t{g.channels} * sh * g.kernel_w * plane_ + kLanes;

  // Tap t = (c, u, v) reads plane (c, u·dh mod sh, v) from its row ⌊u·dh / sh⌋.
  tap_offsets_.resize(taps_);
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v) {
        const int dh = u * g.dilation_h;
        tap_offsets_[(c * g.kernel_h + u) * g.kernel_w + v] =
            ((int64_t{c} * sh + dh % sh) * g.kernel_w + v) * plane_ + int64_t{dh / sh} * OW;
      }
  vector_offsets_.resize(std::max(pixel_vectors_, channels_in_lanes() / kLanes));
  for (size_t q = 0; q < vector_offsets_.size(); ++q) vector_offsets_[q] = int64_t(q) * kLanes;
  for (int p = 0; p < OH * OW; ++p) dy_t_offsets_.push_back(int64_t{p} * channels_in_lanes());
  // Image row `row` is padded row row + ph: row i of the planes (c, a, ·), a = (row + ph) mod sh. Rows
  // below the planes' last are never read.
  for (int c = 0; c < g.channels; ++c)
    for (int row = 0; row < g.height; ++row) {
      const int a = (row + g.pad_h) % sh, i = (row + g.pad_h) / sh;
      if (i < rows)
        image_rows_.push_back({(int64_t{c} * g.height + row) * g.width,
                               (int64_t{c} * sh + a) * g.kernel_w * plane_ + int64_t{i} * OW});
    }
  // Plane (c, a, v)'s column j samples image column j·sw + v·dw - pw: the columns j inside the image.
  for (int v = 0; v < g.kernel_w; ++v) {
    const int shift = v * g.dilation_w - g.pad_w;  // the image column of j = 0
    const int first = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
    const int end = g.width - 1 - shift < 0 ? 0 : std::min(OW, (g.width - 1 - shift) / sw + 1);
    column_spans_.push_back({first, std::max(0, end - first), first * sw + shift});
  }
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
void DirectConv<T>::fill_planes(const T* image, T* planes) const {
  // Kernel column by kernel column, so that no row is read right after it was written.
  for (int v = 0; v < g_.kernel_w; ++v) {
    const ColumnSpan& span = column_spans_[v];
    for (const ImageRow& row : image_rows_)
      gather_row(image + row.pixel + span.column, g_.stride_w, span.count, span.column, g_.width - span.column,
                 planes + row.plane_row + v * plane_ + span.first);
  }
}

template <typename T>
void DirectConv<T>::forward(const T* planes, const T* packed, const T* bias, T* out) const {
  using S = Simd<T>;
  const int P = g_.out_h() * g_.out_w();
  // Y[o, q] = b[o] + Σ_t W[o, t] · x_t[q], a tile of 6 channels by V pixel vectors at a time.
  for_each_vector_tile(pixel_vectors_, [&](auto width, int q) {
    for (int first_channel = 0; first_channel < out_channels_; first_channel += kTileRows)
      register_tile<T, decltype(width)::value>(
          PackedRows<T>{packed + int64_t{first_channel} * taps_}, taps_, planes, tap_offsets_.data(), &vector_offsets_[q],
          [&](int r, int) {
            const int o = first_channel + r;
            return S::splat(bias != nullptr && o < out_channels_ ? bias[o] : T(0));
          },
          [&](int r, int v, typename S::Vec y) {
            const int p = (q + v) * kLanes;
            if (first_channel + r < out_channels_) S::store(out + int64_t{first_channel + r} * P + p, y, std::min(kLanes, P - p));
          });
  });
}

template <typename T>
const T* DirectConv<T>::output_gradient_rows(const T* dy, T* scratch) const {
  const int P = g_.out_h() * g_.out_w(), padded = pixel_vectors_ * kLanes;
  if (P == padded && out_channels_ % kGradientChannels == 0) return dy;
  for (size_t o = 0; o < dy_offsets_.size(); ++o) {
    T* to = scratch + dy_offsets_[o];
    const int copied = static_cast<int>(o) < out_channels_ ? P : 0;
    std::copy_n(dy + int64_t(o) * P, copied, to);
    std::fill(to + copied, to + padded, T(0));
  }
  return scratch;
}

template <typename T>
void DirectConv<T>::weight_gradient(const T* planes, const T* dy_rows, T* dweight_lanes) const {
  using S = Simd<T>;
  // Blocks of kTileRows taps, the last as many as are left (for_each_row_block).
  for (int first_channel = 0; first_channel < out_channels_; first_channel += kGradientChannels)
    for_each_row_block(taps_, [&](auto height, int first_tap) {
      constexpr int taps = decltype(height)::value;
      // acc[o][t] = Σ over pixel vectors q of dy[o, q] · x_t[q], lane by lane
      typename S::Vec acc[kGradientChannels][taps] = {};
      for (int q = 0; q < pixel_vectors_; ++q) {
        const T* x = planes + vector_offsets_[q];
        typename S::Vec dq[kGradientChannels];
        for (int o = 0; o < kGradientChannels; ++o)
          dq[o] = S::load(dy_rows + dy_offsets_[first_channel + o] + q * kLanes);
        for (int t = 0; t < taps; ++t) {
          const typename S::Vec xt = S::load(x + tap_offsets_[first_tap + t]);
          for (int o = 0; o < kGradientChannels; ++o) acc[o][t] += dq[o] * xt;
        }
      }
      for (int o = 0; o < kGradientChannels && first_channel + o < out_channels_; ++o)
        for (int t = 0; t < taps; ++t) {
          T* to = dweight_lanes + (int64_t{first_channel + o} * taps_ + first_tap + t) * kLanes;
          S::store(to, S::load(to) + acc[o][t], kLanes);
        }
    });
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
void DirectConv<T>::weight_gradient_by_channels(const T* planes, const T* dy_t, T* dweight_t) const {
  using S = Simd<T>;
  const int P = g_.out_h() * g_.out_w(), channels = channels_in_lanes();
  // dWᵀ[t, o] += Σ_p x_t[p] · dyᵀ[p, o], a tile of 6 taps by up to kTileVectors vectors of channels: the
  // register tile with the taps' pixels as its A (rows x_t, the pixels as their depth) and dyᵀ's rows as B.
  for_each_row_block(taps_, [&](auto height, int first_tap) {
    const T* x[height];
    for (int r = 0; r < height; ++r) x[r] = planes + tap_offsets_[first_tap + r];
    for_each_vector_tile(channels / kLanes, [&](auto width, int q) {
      register_tile<T, decltype(width)::value, decltype(height)::value>(
          [&](int p, int r) { return x[r][p]; }, P, dy_t, dy_t_offsets_.data(), &vector_offsets_[q], zero_start<T>,
          [&](int r, int v, typename S::Vec dw_t) {
            S::add(dweight_t + int64_t{first_tap + r} * channels + (q + v) * kLanes, dw_t, kLanes);
          });
    });
  });
}

template <typename T>
void DirectConv<T>::input_gradient(const T* dy_rows, const T* packed, T* dplanes, T* dx) const {
  using S = Simd<T>;
  std::fill_n(dplanes, planes_size_, T(0));
  // dx_t[q] = Σ_o W[o, t] · dy[o, q], a tile of 6 taps by V pixel vectors at a time, each added back where
  // the forward read x_t: the adjoint of the forward's reads. (The lanes past the output are zeros, as dy's
  // are there: they add nothing to the plane they reach into.)
  for_each_row_block(taps_, [&](auto height, int first_tap) {
    for_each_vector_tile(pixel_vectors_, [&](auto width, int q) {
      register_tile<T, decltype(width)::value, decltype(height)::value>(
          PackedRows<T>{packed + int64_t{first_tap} * out_channels_}, out_channels_, dy_rows, dy_offsets_.data(),
          &vector_offsets_[q], zero_start<T>, [&](int r, int v, typename S::Vec dx_t) {
            S::add(dplanes + tap_offsets_[first_tap + r] + vector_offsets_[q + v], dx_t, kLanes);
          });
    });
  });
  // dx = the planes' entries added to the pixels they sampled (the adjoint of fill_planes); 0 for the pixels
  // no tap reads, which have no place in the planes. Kernel column by kernel column, so that no row of dx
  // is read right after it was written.
  std::fill_n(dx, int64_t{g_.channels} * g_.height * g_.width, T(0));
  for (int v = 0; v < g_.kernel_w; ++v) {
    const ColumnSpan& span = column_spans_[v];
    for (const ImageRow& row : image_rows_)
      scatter_add_row(dplanes + row.plane_row + v * plane_ + span.first, g_.stride_w, span.count, span.column,
                      g_.width - span.column, dx + row.pixel + span.column);
  }
}

template class DirectConv<float>;
template class DirectConv<double>;

}  // namespace minicnn
