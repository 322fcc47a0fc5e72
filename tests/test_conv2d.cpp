// Conv2d: the forward against a direct nested-loop cross-correlation; the backward against finite differences;
// the input gradient as a true (flipped-kernel) convolution; and the same results on 1 and 2 threads.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/conv2d.hpp"

using namespace minicnn;
using minicnn::test::ConvCase;

namespace {

Conv2dOptions options_of(const ConvCase& c, ConvAlgorithm algorithm) {
  const ConvGeometry& g = c.geometry;
  return Conv2dOptions{.out_channels = c.out_channels, .kernel_h = g.kernel_h, .kernel_w = g.kernel_w,
                       .stride_h = g.stride_h, .stride_w = g.stride_w, .pad_h = g.pad_h, .pad_w = g.pad_w,
                       .dilation_h = g.dilation_h, .dilation_w = g.dilation_w, .bias = c.bias,
                       .algorithm = algorithm};
}

// A conv layer for the case, set up, with random weights and bias.
template <typename T>
Conv2d<T> make_conv(const ConvCase& c, Rng& rng, ConvAlgorithm algorithm = ConvAlgorithm::Auto) {
  Conv2d<T> conv(options_of(c, algorithm));
  conv.name = "conv1";
  conv.setup(Shape{c.geometry.channels, c.geometry.height, c.geometry.width});
  conv.weight().value = test::random_tensor<T>(conv.weight().value.shape(), rng);
  if (c.bias) conv.bias().value = test::random_tensor<T>(conv.bias().value.shape(), rng);
  return conv;
}

template <typename T>
Tensor<T> random_input(const ConvCase& c, Rng& rng) {
  return test::random_tensor<T>(Shape{c.batch, c.geometry.channels, c.geometry.height, c.geometry.width}, rng);
}

// Calls product(out, at, tap) for every product W[tap] · x[at] of the definition
//   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·sh + u·dh - ph, j·sw + v·dw - pw]
// with the pixel inside the image (the padding is zeros), output by output; out, at and tap are flat indices
// into y [N, OC, OH, OW], x [N, C, H, W] and W [OC, C, KH, KW].
template <typename Product>
void for_each_product(const ConvCase& c, Product product) {
  const ConvGeometry& g = c.geometry;
  const int OH = g.out_h(), OW = g.out_w();
  for (int n = 0; n < c.batch; ++n)
    for (int o = 0; o < c.out_channels; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          const int64_t out = ((int64_t{n} * c.out_channels + o) * OH + i) * OW + j;
          for (int ch = 0; ch < g.channels; ++ch)
            for (int u = 0; u < g.kernel_h; ++u)
              for (int v = 0; v < g.kernel_w; ++v) {
                const int row = i * g.stride_h + u * g.dilation_h - g.pad_h;
                const int col = j * g.stride_w + v * g.dilation_w - g.pad_w;
                if (row < 0 || row >= g.height || col < 0 || col >= g.width) continue;
                product(out, ((int64_t{n} * g.channels + ch) * g.height + row) * g.width + col,
                        ((int64_t{o} * g.channels + ch) * g.kernel_h + u) * g.kernel_w + v);
              }
        }
}

int64_t output_count(const ConvCase& c) {
  return int64_t{c.batch} * c.out_channels * c.geometry.out_h() * c.geometry.out_w();
}
int output_channel(const ConvCase& c, int64_t out) {
  return static_cast<int>(out / (int64_t{c.geometry.out_h()} * c.geometry.out_w()) % c.out_channels);
}

// The definition's outputs, in double, and per output |b[o]| + Σ |W·x|: the scale of its rounding error.
struct Reference {
  std::vector<double> y, magnitude;
};
Reference direct_conv(const ConvCase& c, const Tensor<float>& x, const Tensor<float>& w, const Tensor<float>& b) {
  Reference r;
  for (int64_t out = 0; out < output_count(c); ++out) {
    const double bias = c.bias ? b[output_channel(c, out)] : 0.0;
    r.y.push_back(bias);
    r.magnitude.push_back(std::abs(bias));
  }
  for_each_product(c, [&](int64_t out, int64_t at, int64_t tap) {
    const double term = double(w[tap]) * double(x[at]);
    r.y[out] += term;
    r.magnitude[out] += std::abs(term);
  });
  return r;
}

// The gradients by the definition, in double, for the output gradient dy:
//   dx[at] = Σ dy[out] · W[tap],   dW[tap] = Σ dy[out] · x[at]   over the products W[tap] · x[at] of y[out],
//   db[o] = Σ_{n,i,j} dy[n,o,i,j]
// each with the sum of its terms' magnitudes, the scale of its rounding error.
struct ReferenceGradients {
  std::vector<double> dx, dx_magnitude, dweight, dweight_magnitude, dbias, dbias_magnitude;
};
ReferenceGradients reference_gradients(const ConvCase& c, const Tensor<float>& x, const Tensor<float>& w,
                                       const Tensor<float>& dy) {
  ReferenceGradients r;
  r.dx.assign(x.numel(), 0.0);
  r.dx_magnitude.assign(x.numel(), 0.0);
  r.dweight.assign(w.numel(), 0.0);
  r.dweight_magnitude.assign(w.numel(), 0.0);
  r.dbias.assign(c.out_channels, 0.0);
  r.dbias_magnitude.assign(c.out_channels, 0.0);
  for (int64_t out = 0; out < output_count(c); ++out) {
    r.dbias[output_channel(c, out)] += dy[out];
    r.dbias_magnitude[output_channel(c, out)] += std::abs(dy[out]);
  }
  for_each_product(c, [&](int64_t out, int64_t at, int64_t tap) {
    const double d = dy[out];
    r.dx[at] += d * w[tap];
    r.dx_magnitude[at] += std::abs(d * w[tap]);
    r.dweight[tap] += d * x[at];
    r.dweight_magnitude[tap] += std::abs(d * x[at]);
  });
  return r;
}

// The rounding error of a float sum of `terms` products is at most about terms·ε·Σ|products|.
double float_sum_bound(int terms, double magnitude) {
  return terms * double(std::numeric_limits<float>::epsilon()) * magnitude;
}

// Checks a float backward pass (test::run_layer_pass, whose dy comes from dy_seed) against the definition:
// each gradient within the rounding of a float sum of its terms.
void check_float_gradients(const ConvCase& c, const Tensor<float>& x, const Tensor<float>& w,
                           const test::LayerPass& pass, uint64_t dy_seed) {
  Rng dy_rng(dy_seed);
  const Tensor<float> dy = test::random_tensor<float>(pass.y.shape(), dy_rng);
  const ReferenceGradients ref = reference_gradients(c, x, w, dy);
  const ConvGeometry& g = c.geometry;
  const int dx_terms = c.out_channels * g.kernel_h * g.kernel_w, dweight_terms = c.batch * g.out_h() * g.out_w();
  for (int64_t k = 0; k < pass.dx.numel(); ++k) {
    INFO("dx " << k << ": conv2d " << pass.dx[k] << ", definition " << ref.dx[k]);
    CHECK(std::abs(pass.dx[k] - ref.dx[k]) <= float_sum_bound(dx_terms, ref.dx_magnitude[k]));
  }
  for (int64_t k = 0; k < pass.dweight.numel(); ++k) {
    INFO("dW " << k << ": conv2d " << pass.dweight[k] << ", definition " << ref.dweight[k]);
    CHECK(std::abs(pass.dweight[k] - ref.dweight[k]) <= float_sum_bound(dweight_terms, ref.dweight_magnitude[k]));
  }
  if (!c.bias) return;
  for (int o = 0; o < c.out_channels; ++o) {
    INFO("db " << o << ": conv2d " << pass.dbias[o] << ", definition " << ref.dbias[o]);
    CHECK(std::abs(pass.dbias[o] - ref.dbias[o]) <= float_sum_bound(dweight_terms, ref.dbias_magnitude[o]));
  }
}

// The algorithms that serve every geometry: the im2col GEMMs and the direct convolution.
const char* name_of(ConvAlgorithm a) { return a == ConvAlgorithm::Direct ? "direct" : "im2col"; }
constexpr ConvAlgorithm kGeneralAlgorithms[] = {ConvAlgorithm::Im2col, ConvAlgorithm::Direct};

}  // namespace

TEST_CASE("conv2d forward equals the direct cross-correlation for 72 shapes (float), by im2col and directly") {
  Rng rng(21);
  for (const ConvAlgorithm algorithm : kGeneralAlgorithms)
  for (const ConvCase& c : test::conv_cases(72, 22)) {
    INFO(name_of(algorithm) << ": " << test::describe(c));
    Conv2d<float> conv = make_conv<float>(c, rng, algorithm);
    REQUIRE(conv.algorithm() == algorithm);
    const Tensor<float> x = random_input<float>(c, rng);
    Tensor<float> y;
    conv.forward(x, y, Context{});
    REQUIRE(y.shape() == Shape{c.batch, c.out_channels, c.geometry.out_h(), c.geometry.out_w()});
    const Reference ref = direct_conv(c, x, conv.weight().value, conv.bias().value);
    const int terms = c.geometry.col_rows() + 1;  // every tap, and the bias
    for (int64_t k = 0; k < y.numel(); ++k) {
      INFO("output " << k << ": conv2d " << y[k] << ", direct " << ref.y[k]);
      CHECK(std::abs(y[k] - ref.y[k]) <= float_sum_bound(terms, ref.magnitude[k]));
    }
  }
}

TEST_CASE("conv2d backward in float: the input, weight and bias gradients equal the definition's for 72 shapes, both ways") {
  Rng rng(27);
  for (const ConvAlgorithm algorithm : kGeneralAlgorithms)
  for (const ConvCase& c : test::conv_cases(72, 28)) {
    INFO(name_of(algorithm) << ": " << test::describe(c));
    Conv2d<float> conv = make_conv<float>(c, rng, algorithm);
    const Tensor<float> x = random_input<float>(c, rng);
    check_float_gradients(c, x, conv.weight().value, test::run_layer_pass(conv, x, 1, 29), 29);
  }
}

TEST_CASE("conv2d backward: input, weight and bias gradients equal finite differences for 72 shapes, both ways") {
  Rng rng(23);
  for (const ConvAlgorithm algorithm : kGeneralAlgorithms)
  for (const ConvCase& c : test::conv_cases(72, 24, 3)) {
    INFO(name_of(algorithm) << ": " << test::describe(c));
    Conv2d<double> conv = make_conv<double>(c, rng, algorithm);
    const std::vector<GradcheckReport> reports = gradcheck(conv, random_input<double>(c, rng));
    REQUIRE(reports.size() == (c.bias ? 3u : 2u));
    CHECK(reports[1].name == "conv1.weight");
    if (c.bias) CHECK(reports[2].name == "conv1.bias");
    test::check_gradients(reports);
  }
}

// With stride 1 and no dilation the input gradient is a true convolution: each output channel's dy, padded
// fully, convolved with its kernel (flipped, as convolution flips), summed over output channels, and cropped
// by the forward's padding:
//   dx[n,c,h,w] = Σ_o Σ_u Σ_v dy[n, o, h + p - u, w + p - v] · W[o,c,u,v]
// The backward of a cross-correlation is a convolution.
TEST_CASE("conv2d input gradient is the full true convolution of dy with W (stride 1, no dilation)") {
  Rng rng(25);
  int tested = 0;
  for (ConvCase c : test::conv_cases(72, 26)) {
    ConvGeometry& g = c.geometry;
    g.stride_h = g.stride_w = 1;
    g.dilation_h = g.dilation_w = 1;
    g.height = std::max(g.height, g.kernel_h);  // the undilated kernel fits without the padding too
    g.width = std::max(g.width, g.kernel_w);
    INFO(test::describe(c));
    Conv2d<double> conv = make_conv<double>(c, rng);
    const Tensor<double> x = random_input<double>(c, rng);
    Tensor<double> y;
    conv.forward(x, y, Context{});
    const Tensor<double> dy = test::random_tensor<double>(y.shape(), rng);
    Tensor<double> dx(x.shape());
    conv.backward(x, y, dy, dx);

    const Tensor<double>& W = conv.weight().value;
    const int OH = g.out_h(), OW = g.out_w();
    for (int n = 0; n < c.batch; ++n)
      for (int ch = 0; ch < g.channels; ++ch)
        for (int h = 0; h < g.height; ++h)
          for (int w = 0; w < g.width; ++w) {
            double full = 0.0;  // (dy[n,o] * W[o,ch]) at (h + p, w + p), summed over o
            for (int o = 0; o < c.out_channels; ++o)
              for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v) {
                  const int i = h + g.pad_h - u, j = w + g.pad_w - v;
                  if (i >= 0 && i < OH && j >= 0 && j < OW) full += dy.at(n, o, i, j) * W.at(o, ch, u, v);
                }
            INFO("dx at " << n << "," << ch << "," << h << "," << w << ": conv2d " << dx.at(n, ch, h, w)
                          << ", convolution " << full);
            CHECK(dx.at(n, ch, h, w) == doctest::Approx(full).epsilon(1e-12).scale(1.0));
          }
    ++tested;
  }
  CHECK(tested == 72);
}

// Images of small im2col matrices share their GEMMs (group_size() of them side by side); an image whose
// matrix is large has GEMMs of its own, which read and write its blocks of x, y and dy. Each way (and a
// batch of 5 that groups and threads split unevenly) gives the direct cross-correlation and finite differences.
TEST_CASE("conv2d in groups of images and one image at a time: the forward and the gradients are right") {
  enum class Grouping { LoneImages, SomeGroups, OneGroup };
  struct Case {
    int channels, size;  // images channels x size x size, a 3x3 kernel with padding 1
    bool bias;
    Grouping grouping;
  };
  const int batch = 5;
  for (const Case& k : {Case{4, 43, true, Grouping::LoneImages}, Case{4, 43, false, Grouping::LoneImages},
                        Case{2, 10, true, Grouping::SomeGroups}, Case{2, 5, true, Grouping::OneGroup}}) {
    ConvCase c;
    c.geometry = ConvGeometry{k.channels, k.size, k.size, 3, 3, 1, 1, 1, 1, 1, 1};
    c.out_channels = 3;
    c.batch = batch;
    c.bias = k.bias;
    INFO(test::describe(c));
    Rng rng(41);
    Conv2d<float> conv = make_conv<float>(c, rng, ConvAlgorithm::Im2col);
    Conv2d<double> exact = make_conv<double>(c, rng, ConvAlgorithm::Im2col);
    for (const int group : {conv.group_size(), exact.group_size()}) {
      INFO("group size " << group);
      if (k.grouping == Grouping::LoneImages) CHECK(group == 1);
      if (k.grouping == Grouping::SomeGroups) CHECK((group > 1 && group < batch));  // 5 is prime: some group is smaller
      if (k.grouping == Grouping::OneGroup) CHECK(group >= batch);
    }
    const Tensor<float> x = random_input<float>(c, rng);
    const Reference ref = direct_conv(c, x, conv.weight().value, conv.bias().value);
    for (int threads : {1, 2}) {
      INFO(threads << " thread(s)");
      const test::LayerPass pass = test::run_layer_pass(conv, x, threads, 43);
      for (int64_t i = 0; i < pass.y.numel(); ++i)
        CHECK(std::abs(pass.y[i] - ref.y[i]) <= float_sum_bound(c.geometry.col_rows() + 1, ref.magnitude[i]));
      test::ThreadCount scope(threads);
      GradcheckOptions options = default_gradcheck_options<double>();
      options.max_elements = 200;  // of each tensor, drawn at random from all the images
      test::check_gradients(gradcheck(exact, random_input<double>(c, rng), Context{}, options));
    }
  }
}

TEST_CASE("conv2d gives the same results on 2 threads as on 1") {
  Rng rng(27);
  for (const ConvAlgorithm algorithm : kGeneralAlgorithms)
  for (const ConvCase& c : test::conv_cases(36, 28)) {
    ConvCase big = c;
    big.batch = 5;  // more images than threads, split unevenly
    INFO(name_of(algorithm) << ": " << test::describe(big));
    Conv2d<float> conv = make_conv<float>(big, rng, algorithm);
    const Tensor<float> x = random_input<float>(big, rng);

    const test::LayerPass one = test::run_layer_pass(conv, x, 1, 29), two = test::run_layer_pass(conv, x, 2, 29);
    // y and dx are the same sums, but the threads group the images differently, and OpenBLAS may order a
    // sum differently in a GEMM of another width: equal up to float rounding of sums of C·KH·KW terms
    // (y; |W|, |x| < 1 here, and the bias adds 1) and of OC·KH·KW terms (dx).
    const int y_terms = big.geometry.col_rows() + 1, dx_terms = big.out_channels * big.geometry.col_rows();
    for (int64_t k = 0; k < one.y.numel(); ++k)
      CHECK(std::abs(one.y[k] - two.y[k]) <= 2 * float_sum_bound(y_terms, y_terms));
    for (int64_t k = 0; k < one.dx.numel(); ++k)
      CHECK(std::abs(one.dx[k] - two.dx[k]) <= 2 * float_sum_bound(dx_terms, dx_terms));
    // dW and db are sums over the batch, split into per-block partial sums: equal up to float rounding of a
    // sum of batch·OH·OW terms. |dy| < 1 and |x| < 1 bound each term by 1.
    const int terms = big.batch * big.geometry.col_cols();
    for (int64_t k = 0; k < one.dweight.numel(); ++k)
      CHECK(std::abs(one.dweight[k] - two.dweight[k]) <= 2 * float_sum_bound(terms, terms));
    for (int64_t k = 0; k < one.dbias.numel(); ++k)
      CHECK(std::abs(one.dbias[k] - two.dbias[k]) <= 2 * float_sum_bound(terms, terms));
  }
}

// On 2 threads, the threads take the blocks of images in whatever order they come free (core/parallel.hpp),
// but each block sums its gradients into a share of its own and the shares are added in block order: the
// results are the same to the bit from run to run, for each algorithm and way of summing the weight gradient.
TEST_CASE("conv2d on 2 threads gives bit-identical results from run to run, whichever thread takes which block") {
  struct Case {
    ConvGeometry geometry;  // C, H, W, KH, KW, sh, sw, ph, pw, dh, dw
    int out_channels;
    ConvAlgorithm algorithm;
    bool channels_in_lanes;
  };
  for (const Case& k : {Case{{3, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 5, ConvAlgorithm::Im2col, false},
                        Case{{1, 28, 28, 5, 5, 1, 1, 0, 0, 1, 1}, 6, ConvAlgorithm::Direct, false},
                        Case{{4, 12, 12, 5, 5, 1, 1, 0, 0, 1, 1}, 10, ConvAlgorithm::Direct, true},
                        Case{{16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 16, ConvAlgorithm::Winograd, false}}) {
    ConvCase c;
    c.geometry = k.geometry;
    c.out_channels = k.out_channels;
    c.batch = 40;  // 16 blocks on 2 threads
    INFO(test::describe(c));
    Rng rng(53);
    Conv2d<float> conv = make_conv<float>(c, rng, k.algorithm);
    REQUIRE(conv.direct_channels_in_lanes() == k.channels_in_lanes);
    const Tensor<float> x = random_input<float>(c, rng);
    const test::LayerPass first = test::run_layer_pass(conv, x, 2, 54);
    int differing_runs = 0;
    for (int run = 0; run < 10; ++run) {
      const test::LayerPass again = test::run_layer_pass(conv, x, 2, 54);
      differing_runs += !(std::equal(first.y.begin(), first.y.end(), again.y.begin()) &&
                          std::equal(first.dx.begin(), first.dx.end(), again.dx.begin()) &&
                          std::equal(first.dweight.begin(), first.dweight.end(), again.dweight.begin()) &&
                          std::equal(first.dbias.begin(), first.dbias.end(), again.dbias.begin()));
    }
    CHECK(differing_runs == 0);
  }
}

// Winograd's F(2x2, 3x3) for the forward and both gradients (core/winograd.hpp): the definition, finite
// differences, the im2col layer's float gradients on 1 and 2 threads, for every padding it serves, odd and
// even sizes; and Auto takes it only where it pays.
TEST_CASE("conv2d with Winograd's F(2x2, 3x3): the forward and the gradients are right, and Auto picks it") {
  for (const int pad : {0, 1, 2})
    for (const int size : {5, 8}) {
      ConvCase c;
      c.geometry = ConvGeometry{16, size, size + 1, 3, 3, 1, 1, pad, pad, 1, 1};
      c.out_channels = 16;
      c.batch = 3;
      c.bias = pad != 1;
      INFO(test::describe(c));
      Rng rng(45);
      Conv2d<float> conv = make_conv<float>(c, rng, ConvAlgorithm::Winograd);
      REQUIRE(conv.algorithm() == ConvAlgorithm::Winograd);
      const Tensor<float> x = random_input<float>(c, rng);
      const Reference ref = direct_conv(c, x, conv.weight().value, conv.bias().value);
      Tensor<float> y;
      conv.forward(x, y, Context{});
      // Winograd's rounding bound (tests/helpers.hpp) for |x|, |W| < 1, C = 16, and the bias.
      const double bound = test::winograd_bound<float>(16) + 1e-6;
      for (int64_t k = 0; k < y.numel(); ++k) CHECK(std::abs(y[k] - ref.y[k]) <= bound);

      // The gradients in float, against the im2col layer's (whose own rounding is far smaller), with |dy| < 1.
      Conv2d<float> by_im2col = make_conv<float>(c, rng, ConvAlgorithm::Im2col);
      by_im2col.weight().value = conv.weight().value;
      by_im2col.bias().value = conv.bias().value;
      const test::LayerPass expected = test::run_layer_pass(by_im2col, x, 1, 46);
      const int tiles = c.batch * ((c.geometry.out_h() + 1) / 2) * ((c.geometry.out_w() + 1) / 2);
      const int pixels = c.batch * c.geometry.col_cols(), dx_terms = 16 * 9;  // the im2col sums' terms
      for (const int threads : {1, 2}) {
        INFO(threads << " thread(s)");
        const test::LayerPass pass = test::run_layer_pass(conv, x, threads, 46);
        for (int64_t k = 0; k < pass.dweight.numel(); ++k)
          CHECK(std::abs(pass.dweight[k] - expected.dweight[k]) <=
                test::winograd_weight_bound<float>(tiles) + float_sum_bound(pixels, pixels));
        for (int64_t k = 0; k < pass.dx.numel(); ++k)
          CHECK(std::abs(pass.dx[k] - expected.dx[k]) <= test::winograd_bound<float>(16) + float_sum_bound(dx_terms, dx_terms));
        for (int64_t k = 0; k < pass.dbias.numel(); ++k)
          CHECK(std::abs(pass.dbias[k] - expected.dbias[k]) <= 2 * float_sum_bound(pixels, pixels));
      }

      Conv2d<double> exact = make_conv<double>(c, rng, ConvAlgorithm::Winograd);
      GradcheckOptions options = default_gradcheck_options<double>();
      options.max_elements = 150;
      test::check_gradients(gradcheck(exact, random_input<double>(c, rng), Context{}, options));
      test::check_backward_contract(exact, random_input<double>(c, rng), rng);
    }
  auto picks_winograd = [](int channels, int size, int kernel, int stride, int pad) {
    Conv2d<float> conv(Conv2dOptions{.out_channels = 32, .kernel_h = kernel, .kernel_w = kernel, .stride_h = stride,
                                     .stride_w = stride, .pad_h = pad, .pad_w = pad});
    conv.name = "conv1";
    conv.setup(Shape{channels, size, size});
    return conv.algorithm() == ConvAlgorithm::Winograd;
  };
  CHECK(picks_winograd(32, 16, 3, 1, 1));        // 64 tiles of 2x2 outputs, 32 channels in and out
  CHECK_FALSE(picks_winograd(3, 32, 3, 1, 1));   // 3 input channels: the transforms would dominate
  CHECK(picks_winograd(64, 14, 3, 1, 1));        // 49 tiles (7x7 of them), as in configs/vgg-small.json
  CHECK_FALSE(picks_winograd(32, 12, 3, 1, 1));  // 36 tiles: GEMMs too narrow
  CHECK_FALSE(picks_winograd(32, 16, 5, 1, 2));  // not 3x3
  CHECK_FALSE(picks_winograd(32, 16, 3, 2, 1));  // stride 2
  CHECK_FALSE(picks_winograd(32, 16, 3, 1, 3));  // padding 3: its input gradient would need a padding of -1
}

// The direct convolution (core/direct_conv.hpp) computes tiles of 6 output channels by 4, 2 or 1 vectors
// of output pixels, and weight gradients in tiles of 2 channels by 6 taps (images of 256 pixels or more:
// the first and the last case) or of 6 taps by 2 vectors of channels (the others), reading each tap
// from the image's planes. These geometries end their channels, taps, rows and vectors inside a tile,
// at strides 1 to 3 with dilation, and copy rows into the planes at stride 2 by whole vectors (from the
// even or the odd lanes): the forward against the definition, the gradients against finite differences, at
// 1 and 2 threads.
TEST_CASE("conv2d's direct convolution: the forward and the gradients are right where its tiles end early") {
  struct Case {
    ConvGeometry geometry;
    int out_channels;
  };
  // C, H, W, KH, KW, sh, sw, ph, pw, dh, dw
  for (const Case& k : {Case{{1, 18, 18, 3, 3, 1, 1, 0, 0, 1, 1}, 6},     // one tile of channels; 16x16 outputs
                        Case{{3, 12, 21, 5, 3, 1, 1, 2, 1, 1, 1}, 13},    // 13 = 2·6 + 1 channels; OW = 21
                        Case{{2, 11, 20, 3, 3, 2, 2, 1, 1, 1, 1}, 7},     // stride 2: 2 row phases; OW = 10
                        Case{{1, 9, 64, 3, 3, 2, 2, 1, 1, 1, 1}, 7},      // stride 2 by vectors to the row's end
                        Case{{2, 5, 31, 1, 1, 2, 2, 0, 0, 1, 1}, 3},      // ... and an odd row: 1x1, OW = 16
                        Case{{1, 17, 16, 2, 3, 3, 2, 0, 2, 1, 1}, 5},     // strides 3x2
                        Case{{2, 13, 13, 3, 2, 1, 2, 1, 0, 2, 3}, 9},     // dilation 2x3
                        Case{{3, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1}, 12},      // 1x1: 3 taps, 8x8 outputs
                        Case{{2, 9, 9, 3, 3, 1, 1, 0, 0, 1, 1}, 100},     // 100 channels in the lanes: 7 vectors
                        Case{{2, 20, 37, 3, 3, 1, 1, 1, 1, 1, 1}, 7}}) {  // 100 pixel vectors, 37-wide rows
    ConvCase c;
    c.geometry = k.geometry;
    c.out_channels = k.out_channels;
    c.batch = 3;
    c.bias = k.out_channels % 2 == 1;
    INFO(test::describe(c));
    Rng rng(47);
    Conv2d<float> conv = make_conv<float>(c, rng, ConvAlgorithm::Direct);
    const Tensor<float> x = random_input<float>(c, rng);
    const Reference ref = direct_conv(c, x, conv.weight().value, conv.bias().value);
    for (const int threads : {1, 2}) {
      INFO(threads << " thread(s)");
      const test::LayerPass pass = test::run_layer_pass(conv, x, threads, 48);
      REQUIRE(pass.y.numel() == static_cast<int64_t>(ref.y.size()));
      for (int64_t i = 0; i < pass.y.numel(); ++i)
        CHECK(std::abs(pass.y[i] - ref.y[i]) <= float_sum_bound(c.geometry.col_rows() + 1, ref.magnitude[i]));
      check_float_gradients(c, x, conv.weight().value, pass, 48);
    }
    Conv2d<double> exact = make_conv<double>(c, rng, ConvAlgorithm::Direct);
    GradcheckOptions options = default_gradcheck_options<double>();
    options.max_elements = 300;
    test::check_gradients(gradcheck(exact, random_input<double>(c, rng), Context{}, options));
    test::check_backward_contract(exact, random_input<double>(c, rng), rng);
  }
}

TEST_CASE("conv2d's Auto takes the direct convolution for small images, with the channels in the lanes for few pixels") {
  auto algorithm_for = [](int channels, int size, int kernel, int stride, int pad) {
    Conv2d<float> conv(Conv2dOptions{.out_channels = 32, .kernel_h = kernel, .kernel_w = kernel, .stride_h = stride,
                                     .stride_w = stride, .pad_h = pad, .pad_w = pad});
    conv.name = "conv1";
    conv.setup(Shape{channels, size, size});
    return std::pair(conv.algorithm(), conv.direct_channels_in_lanes());
  };
  using std::pair;
  // An image of at most 4096 floats with its padding: direct.
  CHECK(algorithm_for(1, 28, 5, 1, 0) == pair(ConvAlgorithm::Direct, false));    // LeNet's conv1: 1x28x28
  CHECK(algorithm_for(3, 32, 3, 2, 1) == pair(ConvAlgorithm::Direct, false));    // 3x34x34
  CHECK(algorithm_for(20, 12, 5, 1, 0) == pair(ConvAlgorithm::Direct, true));    // LeNet's conv2: 20x12x12,
                                                                                 // 8 vectors of outputs
  CHECK(algorithm_for(20, 12, 5, 1, 2) == pair(ConvAlgorithm::Im2col, false));   // padded: 20x16x16
  CHECK(algorithm_for(32, 16, 3, 1, 1) == pair(ConvAlgorithm::Winograd, false));
}

TEST_CASE("conv2d setup refuses the winograd algorithm where it does not apply") {
  Conv2d<float> conv(Conv2dOptions{.out_channels = 2, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2,
                                   .algorithm = ConvAlgorithm::Winograd});
  conv.name = "conv2";
  CHECK_THROWS_WITH_AS(conv.setup(Shape{1, 8, 8}),
                       "conv2: the winograd algorithm is for 3x3 kernels of stride 1 without dilation, with the same "
                       "padding of at most 2 on every side",
                       Error);
}

TEST_CASE("conv2d setup names the layer and the numbers when the kernel does not fit") {
  Conv2d<float> conv(Conv2dOptions{.out_channels = 2, .kernel_h = 3, .kernel_w = 3, .pad_h = 1, .pad_w = 1,
                                   .dilation_h = 3, .dilation_w = 3});
  conv.name = "conv4";
  CHECK(conv.setup(Shape{1, 5, 5}) == Shape{2, 1, 1});  // a dilated extent of 7 fits 5 + 2·1
  CHECK_THROWS_WITH_AS(conv.setup(Shape{1, 4, 4}),
                       "conv4: kernel 3x3 (dilated to 7x7) does not fit input 4x4 (padding 1)", Error);
  CHECK_THROWS_AS(conv.setup(Shape{5, 5}), Error);  // no channel axis
  Conv2d<float> zero_stride(Conv2dOptions{.stride_h = 0});
  CHECK_THROWS_AS(zero_stride.setup(Shape{1, 5, 5}), Error);
}

TEST_CASE("conv2d backward writes dx and adds into the parameter gradients, and skips an empty dx") {
  Rng rng(30);
  for (const ConvCase& c : test::conv_cases(36, 31, 2)) {
    INFO(test::describe(c));
    Conv2d<double> conv = make_conv<double>(c, rng);
    test::check_backward_contract(conv, random_input<double>(c, rng), rng);
  }
}
