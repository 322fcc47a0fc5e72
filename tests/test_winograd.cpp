// Winograd's F(2x2, 3x3): the 3x3 correlation it computes equals the definition's loops, in double and in
// float, for odd and even sizes, every padding it serves, with and without bias, overwriting or adding, in
// one chunk of tiles or several; its input-gradient filters give the correlation's input gradient; and its
// weight gradient, summed over images, equals the definition's.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/winograd.hpp"
#include "helpers.hpp"

using namespace minicnn;

namespace {

// out[o, i, j] = Σ_c Σ_u Σ_v W[o,c,u,v] · x[c, i + u - pad, j + v - pad], zero outside x: the definition.
std::vector<double> direct_correlation(const WinogradGeometry& g, const std::vector<double>& x,
                                       const std::vector<double>& w) {
  const int OH = g.out_h(), OW = g.out_w();
  std::vector<double> out(static_cast<size_t>(g.out_channels) * OH * OW, 0.0);
  for (int o = 0; o < g.out_channels; ++o)
    for (int i = 0; i < OH; ++i)
      for (int j = 0; j < OW; ++j)
        for (int c = 0; c < g.channels; ++c)
          for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 3; ++v) {
              const int y = i + u - g.pad, z = j + v - g.pad;
              if (y >= 0 && y < g.height && z >= 0 && z < g.width)
                out[(o * OH + i) * OW + j] += w[((o * g.channels + c) * 3 + u) * 3 + v] * x[(c * g.height + y) * g.width + z];
            }
  return out;
}

template <typename T>
void check_against_definition(const WinogradGeometry& g, Rng& rng, bool with_bias,
                              WinogradWorkspace<T>* shared = nullptr) {
  const Tensor<double> x = test::random_tensor<double>(Shape{g.channels, g.height, g.width}, rng);
  const Tensor<double> w = test::random_tensor<double>(Shape{g.out_channels, g.channels, 3, 3}, rng);
  const Tensor<double> b = test::random_tensor<double>(Shape{g.out_channels}, rng);
  std::vector<double> expected = direct_correlation(g, {x.begin(), x.end()}, {w.begin(), w.end()});
  for (int o = 0; o < g.out_channels; ++o)
    for (int p = 0; p < g.out_h() * g.out_w(); ++p) expected[o * g.out_h() * g.out_w() + p] += with_bias ? b[o] : 0.0;

  auto as_t = [](const Tensor<double>& t) {
    Tensor<T> r(t.shape());
    std::copy(t.begin(), t.end(), r.begin());
    return r;
  };
  const Tensor<T> xt = as_t(x), wt = as_t(w), bt = as_t(b);
  Tensor<T> U(Shape{winograd_filters_size<T>(g.out_channels, g.channels, WinogradFilters::Forward)});
  winograd_filters(wt.data(), g.out_channels, g.channels, WinogradFilters::Forward, U.data());
  Tensor<T> out(Shape{g.out_channels, g.out_h(), g.out_w()});
  out.fill(T(1234));  // every entry must be written
  WinogradWorkspace<T> own;
  WinogradWorkspace<T>& workspace = shared != nullptr ? *shared : own;
  winograd_conv3x3<T>(g, xt.data(), U.data(), with_bias ? bt.data() : nullptr, out.data(), workspace);
  const double bound = test::winograd_bound<T>(g.channels) + (with_bias ? 2 * std::numeric_limits<T>::epsilon() : 0);
  for (int64_t k = 0; k < out.numel(); ++k) {
    INFO("output " << k << ": winograd " << out[k] << ", definition " << expected[k]);
    CHECK(std::abs(out[k] - expected[k]) <= bound);
  }
}

}  // namespace

TEST_CASE("Winograd F(2x2, 3x3) equals the definition's 3x3 correlation, in double and in float") {
  Rng rng(51);
  int geometries = 0;
  for (const int channels : {1, 3, 16})
    for (const int size : {1, 2, 3, 4, 7, 8})
      for (const int pad : {0, 1, 2}) {
        const WinogradGeometry g{.channels = channels, .height = size, .width = size + 3, .pad = pad, .out_channels = 5};
        if (g.out_h() < 1) continue;
        INFO("C=" << channels << " H=" << g.height << " W=" << g.width << " pad " << pad);
        check_against_definition<double>(g, rng, true);
        check_against_definition<float>(g, rng, true);
        ++geometries;
      }
  CHECK(geometries == 48);
}

TEST_CASE("Winograd F(2x2, 3x3) without bias") {
  Rng rng(52);
  const WinogradGeometry g{.channels = 4, .height = 9, .width = 6, .pad = 1, .out_channels = 3};
  check_against_definition<double>(g, rng, false);
  check_against_definition<float>(g, rng, false);
}

TEST_CASE("Winograd F(2x2, 3x3) over several chunks of tiles") {
  // 16 channels: a tile takes 16·16 values of V, so that about 512 tiles make a chunk; a 50x50 output has 625.
  Rng rng(53);
  check_against_definition<double>(WinogradGeometry{.channels = 16, .height = 50, .width = 50, .pad = 1, .out_channels = 4},
                                   rng, true);
}

// A layer's workspace serves its forward and its input gradient, two geometries in turn: what one left in
// the buffers (the padded image's zeros included) must not leak into the other.
TEST_CASE("Winograd F(2x2, 3x3) with one workspace for several geometries in turn") {
  Rng rng(56);
  WinogradWorkspace<double> workspace;
  for (const WinogradGeometry& g : {WinogradGeometry{.channels = 3, .height = 9, .width = 7, .pad = 0, .out_channels = 2},
                                    WinogradGeometry{.channels = 2, .height = 5, .width = 4, .pad = 2, .out_channels = 3},
                                    WinogradGeometry{.channels = 3, .height = 8, .width = 8, .pad = 1, .out_channels = 2},
                                    WinogradGeometry{.channels = 2, .height = 5, .width = 4, .pad = 2, .out_channels = 3}}) {
    INFO("C=" << g.channels << " H=" << g.height << " W=" << g.width << " pad " << g.pad);
    check_against_definition<double>(g, rng, true, &workspace);
  }
}

// dx[c, h, w] = Σ_o Σ_u Σ_v dy[o, h + p - u, w + p - v] · W[o,c,u,v]: the correlation of dy, padded by 2 - p,
// with W turned by 180 degrees and its channels swapped.
TEST_CASE("Winograd's input-gradient filters give the input gradient of a 3x3 correlation") {
  Rng rng(54);
  for (const int pad : {0, 1, 2}) {
    const int C = 3, OC = 4, H = 7, W = 6, OH = H + 2 * pad - 2, OW = W + 2 * pad - 2;
    INFO("pad " << pad);
    const Tensor<double> w = test::random_tensor<double>(Shape{OC, C, 3, 3}, rng);
    const Tensor<double> dy = test::random_tensor<double>(Shape{OC, OH, OW}, rng);
    Tensor<double> U(Shape{winograd_filters_size<double>(OC, C, WinogradFilters::InputGradient)});
    winograd_filters(w.data(), OC, C, WinogradFilters::InputGradient, U.data());
    const WinogradGeometry g{.channels = OC, .height = OH, .width = OW, .pad = 2 - pad, .out_channels = C};
    REQUIRE(g.out_h() == H);
    REQUIRE(g.out_w() == W);
    Tensor<double> dx(Shape{C, H, W});
    dx.fill(1234.0);  // every entry must be written
    WinogradWorkspace<double> workspace;
    winograd_conv3x3<double>(g, dy.data(), U.data(), nullptr, dx.data(), workspace);
    for (int c = 0; c < C; ++c)
      for (int h = 0; h < H; ++h)
        for (int x = 0; x < W; ++x) {
          double expected = 0.0;
          for (int o = 0; o < OC; ++o)
            for (int u = 0; u < 3; ++u)
              for (int v = 0; v < 3; ++v) {
                const int i = h + pad - u, j = x + pad - v;
                if (i >= 0 && i < OH && j >= 0 && j < OW) expected += dy[(o * OH + i) * OW + j] * w.at(o, c, u, v);
              }
          CHECK(std::abs(dx[(c * H + h) * W + x] - expected) <= test::winograd_bound<double>(OC));
        }
  }
}

// dW[o, c, u, v] = Σ_n Σ_i Σ_j dy[n, o, i, j] · x[n, c, i + u - p, j + v - p], zero outside x: the definition,
// against S summed over two images (winograd_weight_gradient) and dW += Gᵀ S G (winograd_filter_gradient).
template <typename T>
void check_weight_gradient(const WinogradGeometry& g, Rng& rng) {
  const int images = 2, OH = g.out_h(), OW = g.out_w();
  const Tensor<double> x = test::random_tensor<double>(Shape{images, g.channels, g.height, g.width}, rng);
  const Tensor<double> dy = test::random_tensor<double>(Shape{images, g.out_channels, OH, OW}, rng);
  const Tensor<double> start = test::random_tensor<double>(Shape{g.out_channels, g.channels, 3, 3}, rng);
  Tensor<double> expected = start;
  for (int n = 0; n < images; ++n)
    for (int o = 0; o < g.out_channels; ++o)
      for (int c = 0; c < g.channels; ++c)
        for (int u = 0; u < 3; ++u)
          for (int v = 0; v < 3; ++v)
            for (int i = 0; i < OH; ++i)
              for (int j = 0; j < OW; ++j) {
                const int row = i + u - g.pad, col = j + v - g.pad;
                if (row >= 0 && row < g.height && col >= 0 && col < g.width)
                  expected.at(o, c, u, v) += dy.at(n, o, i, j) * x.at(n, c, row, col);
              }

  auto as_t = [](const Tensor<double>& t) {
    Tensor<T> r(t.shape());
    std::copy(t.begin(), t.end(), r.begin());
    return r;
  };
  const Tensor<T> xt = as_t(x), dyt = as_t(dy);
  Tensor<T> S(Shape{kWinogradPositions, g.out_channels, g.channels});
  WinogradWorkspace<T> workspace;
  for (int n = 0; n < images; ++n)
    winograd_weight_gradient<T>(g, xt.data() + n * xt.numel() / images, dyt.data() + n * dyt.numel() / images,
                                S.data(), workspace);
  Tensor<T> dw = as_t(start);
  winograd_filter_gradient<T>(S.data(), g.out_channels, g.channels, dw.data());
  const double bound = test::winograd_weight_bound<T>(images * g.tiles_h() * g.tiles_w()) +
                       2 * std::numeric_limits<T>::epsilon();  // and adding to the start
  for (int64_t k = 0; k < dw.numel(); ++k) {
    INFO("weight " << k << ": winograd " << dw[k] << ", definition " << expected[k]);
    CHECK(std::abs(dw[k] - expected[k]) <= bound);
  }
}

TEST_CASE("Winograd's weight gradient equals the definition's, in double and in float") {
  Rng rng(57);
  for (const int size : {1, 4, 7, 8})
    for (const int pad : {0, 1, 2}) {
      // Odd and even outputs in each direction: dy's last row or column of tiles reaches past it.
      const WinogradGeometry g{.channels = 3, .height = size + 2, .width = size + 3, .pad = pad, .out_channels = 4};
      INFO("H=" << g.height << " W=" << g.width << " pad " << pad);
      check_weight_gradient<double>(g, rng);
      check_weight_gradient<float>(g, rng);
    }
  // 16 channels over a 50x50 output: several chunks of tiles.
  check_weight_gradient<double>(WinogradGeometry{.channels = 16, .height = 50, .width = 50, .pad = 1, .out_channels = 4},
                                rng);
}
