#include "teach/explain_conv2d.hpp"

#include <algorithm>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "layers/conv2d.hpp"
#include "teach/conv2d_by_definition.hpp"
#include "teach/example_values.hpp"
#include "teach/text_table.hpp"

namespace minicnn {
namespace {

std::string num(double v) { return number_text(v, 4); }

// A factor inside a product: negative numbers in parentheses.
std::string factor(double v) { return v < 0 ? std::string("(").append(num(v)).append(")") : num(v); }

std::string pair_text(int a, int b) { return "(" + std::to_string(a) + "," + std::to_string(b) + ")"; }
std::string triple_text(int a, int b, int c) {
  return "(" + std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(c) + ")";
}

// "A = t1 + t2 + ..." wrapped at width, continuation lines aligned after "A ".
std::string wrapped_sum(const std::string& head, const std::vector<std::string>& terms, int width, int indent = 2) {
  std::string text, line = std::string(indent, ' ') + head;
  const std::string continuation(indent + head.size() - 2, ' ');
  for (size_t k = 0; k < terms.size(); ++k) {
    const std::string piece = (k == 0 ? "" : " + ") + terms[k];
    if (k > 0 && static_cast<int>(line.size() + piece.size()) > width) {
      text += line + "\n";
      line = continuation + "+ " + terms[k];
    } else {
      line += piece;
    }
  }
  return text + line + "\n";
}

// The planes of a [A, B, R, C] or [A, R, C] tensor, each under its own heading, rows and columns labeled.
std::string planes_text(const Tensor<double>& t, const std::string& name, const std::string& a_name,
                        const std::string& b_name, const std::string& row_name, const std::string& col_name,
                        int width) {
  const bool four = t.rank() == 4;
  const int64_t A = t.dim(0), B = four ? t.dim(1) : 1, R = t.dim(t.rank() - 2), C = t.dim(t.rank() - 1);
  std::vector<std::string> row_labels, col_labels;
  for (int64_t r = 0; r < R; ++r) row_labels.push_back(row_name + "=" + std::to_string(r));
  for (int64_t c = 0; c < C; ++c) col_labels.push_back(col_name + "=" + std::to_string(c));
  std::string text;
  for (int64_t a = 0; a < A; ++a)
    for (int64_t b = 0; b < B; ++b) {
      const std::string b_index = four ? "," + b_name + "=" + std::to_string(b) : "";
      text += "  " + name + "[" + a_name + "=" + std::to_string(a) + b_index + "]\n";
      std::vector<std::string> cells;
      for (int64_t k = 0; k < R * C; ++k) cells.push_back(num(t[(a * B + b) * R * C + k]));
      text += format_matrix(row_labels, col_labels, cells, 4, width);
    }
  return text;
}

// A matrix [rows, cols] of values with the given labels.
std::string matrix_text(const Tensor<double>& m, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels, int width) {
  std::vector<std::string> cells;
  for (const double v : m) cells.push_back(num(v));
  return format_matrix(row_labels, col_labels, cells, 4, width);
}

std::string vector_text(const Tensor<double>& v) {
  std::string text = "[";
  for (int64_t i = 0; i < v.numel(); ++i) {
    if (i > 0) text += ' ';
    text += num(v[i]);
  }
  return text + "]";
}

// Labels of the im2col matrix: rows are kernel taps (c,u,v), columns output pixels (i,j).
std::vector<std::string> tap_labels(const ConvGeometry& g) {
  std::vector<std::string> labels;
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v) labels.push_back(triple_text(c, u, v));
  return labels;
}
std::vector<std::string> pixel_labels(const ConvGeometry& g) {
  std::vector<std::string> labels;
  for (int i = 0; i < g.out_h(); ++i)
    for (int j = 0; j < g.out_w(); ++j) labels.push_back(pair_text(i, j));
  return labels;
}
std::vector<std::string> channel_labels(int count, const std::string& name) {
  std::vector<std::string> labels;
  for (int k = 0; k < count; ++k) labels.push_back(name + "=" + std::to_string(k));
  return labels;
}

// The input pixel (h, w) that tap (u, v) of output (i, j) reads; false when it lies in the padding.
bool source_pixel(const ConvGeometry& g, int u, int v, int i, int j, int& h, int& w) {
  h = i * g.stride_h + u * g.dilation_h - g.pad_h;
  w = j * g.stride_w + v * g.dilation_w - g.pad_w;
  return h >= 0 && h < g.height && w >= 0 && w < g.width;
}

std::string geometry_text(const ConvGeometry& g) {
  auto axes = [](int a, int b) { return a == b ? std::to_string(a) : std::to_string(a) + "x" + std::to_string(b); };
  return "stride " + axes(g.stride_h, g.stride_w) + ", padding " + axes(g.pad_h, g.pad_w) + ", dilation " +
         axes(g.dilation_h, g.dilation_w);
}

}  // namespace

Shape parse_shape_text(const std::string& text, const std::string& what, int64_t min) {
  Shape shape;
  size_t at = 0;
  while (true) {
    size_t end = text.find('x', at);
    const std::string part = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos ||
        shape.rank == Shape::kMaxRank)
      throw Error(what + ": expected sizes separated by x (like 1x4x4), got \"" + text + "\"");
    shape.dims[shape.rank++] = std::stoi(part);
    if (shape.dims[shape.rank - 1] < min)
      throw Error(what + ": sizes must be at least " + std::to_string(min) + ", got \"" + text + "\"");
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return shape;
}

Conv2dExplanation explain_conv2d(const ExplainConv2dOptions& options) {
  Shape input = options.input, kernel = options.kernel;
  if (input.rank == 2) input = Shape{1, input[0], input[1]};  // HxW: one channel
  if (kernel.rank == 2) kernel = Shape{1, input[0], kernel[0], kernel[1]};  // KHxKW: one filter over every channel
  if (input.rank != 3) throw Error("--input: expected CxHxW (or HxW), got " + input.str());
  if (kernel.rank != 4) throw Error("--kernel: expected OCxCxKHxKW (or KHxKW), got " + kernel.str());
  if (kernel[1] != input[0])
    throw Error("--kernel " + kernel.str() + " has " + std::to_string(kernel[1]) + " input channels but --input " +
                input.str() + " has " + std::to_string(input[0]));
  if (input[0] > 8 || kernel[0] > 8 || input[1] > 64 || input[2] > 64)
    throw Error("explain is for small examples: at most 8 channels, 8 filters and 64x64 pixels");

  Conv2dExplanation e;
  e.options = options;
  e.out_channels = static_cast<int>(kernel[0]);
  Conv2d<double> layer(Conv2dOptions{.out_channels = e.out_channels, .kernel_h = static_cast<int>(kernel[2]),
                                     .kernel_w = static_cast<int>(kernel[3]), .stride_h = options.stride_h,
                                     .stride_w = options.stride_w, .pad_h = options.pad_h, .pad_w = options.pad_w,
                                     .dilation_h = options.dilation_h, .dilation_w = options.dilation_w});
  layer.name = "conv2d";
  layer.setup(input);  // checks that the kernel fits
  const ConvGeometry& g = e.geometry = layer.geometry();
  const int M = e.out_channels, N = g.col_cols(), K = g.col_rows();
  if (static_cast<int64_t>(K) * N > 2500)
    throw Error("explain is for small examples: the im2col matrix would be " + std::to_string(K) + "x" +
                std::to_string(N) + "; at most 2500 entries");

  ExampleValues values(options.random_values, options.seed);
  e.x = Tensor<double>(input);
  e.w = Tensor<double>(kernel);
  e.b = Tensor<double>(Shape{M});
  e.dy = Tensor<double>(Shape{M, g.out_h(), g.out_w()});
  for (double& v : e.x) v = values.signal();
  for (double& v : e.w) v = values.tap();
  for (double& v : e.b) v = values.bias();
  for (double& v : e.dy) v = values.tap();

  // Forward: cols = im2col(x); Y[M,N] = W[M,K] · cols[K,N] + b.
  e.cols = Tensor<double>(Shape{K, N});
  im2col(g, e.x.data(), e.cols.data());
  e.y = Tensor<double>(Shape{M, g.out_h(), g.out_w()});
  for (int o = 0; o < M; ++o) std::fill_n(e.y.data() + static_cast<int64_t>(o) * N, N, e.b[o]);
  gemm(Trans::No, Trans::No, M, N, K, 1.0, e.w.data(), e.cols.data(), 1.0, e.y.data());

  // Backward: dW[M,K] = dY[M,N] · colsᵀ; db = dY · 1; dcols[K,N] = Wᵀ · dY; dx = col2im(dcols).
  e.dw = Tensor<double>(kernel);
  gemm(Trans::No, Trans::Yes, M, K, N, 1.0, e.dy.data(), e.cols.data(), 0.0, e.dw.data());
  e.db = Tensor<double>(Shape{M});
  Tensor<double> all_ones(Shape{N, 1});
  all_ones.fill(1.0);
  gemm(Trans::No, Trans::No, M, 1, N, 1.0, e.dy.data(), all_ones.data(), 0.0, e.db.data());
  e.dcols = Tensor<double>(Shape{K, N});
  gemm(Trans::Yes, Trans::No, K, N, M, 1.0, e.w.data(), e.dy.data(), 0.0, e.dcols.data());
  e.dx = Tensor<double>(input);
  col2im(g, e.dcols.data(), e.dx.data());
  e.dx_full = input_gradient_by_full_convolution(g, e.w, e.dy);

  // The same from the direct loops of the definition.
  const Tensor<double> y_loops = conv2d_forward_by_definition(g, e.x, e.w, e.b);
  const Conv2dGradients loops = conv2d_backward_by_definition(g, e.x, e.w, e.dy);
  e.y_vs_loops = max_difference(e.y, y_loops);
  e.dx_vs_loops = max_difference(e.dx, loops.dx);
  e.dw_vs_loops = max_difference(e.dw, loops.dw);
  e.db_vs_loops = max_difference(e.db, loops.db);
  e.dx_full_vs_loops = max_difference(e.dx_full, loops.dx);

  // And from minicnn's Conv2d layer, on a batch of one image.
  layer.weight().value = e.w;
  layer.bias().value = e.b;
  const Tensor<double> x_batch = e.x.view(input.with_batch(1)), dy_batch = e.dy.view(e.dy.shape().with_batch(1));
  Tensor<double> y_layer, dx_layer(x_batch.shape());
  layer.forward(x_batch, y_layer, Context{});
  layer.weight().grad.zero();
  layer.bias().grad.zero();
  layer.backward(x_batch, y_layer, dy_batch, dx_layer);
  e.y_vs_layer = max_difference(e.y, y_layer);
  e.dx_vs_layer = max_difference(e.dx, dx_layer);
  e.dw_vs_layer = max_difference(e.dw, layer.weight().grad);
  e.db_vs_layer = max_difference(e.db, layer.bias().grad);
  return e;
}

std::string format_explanation(const Conv2dExplanation& e) {
  const ConvGeometry& g = e.geometry;
  const int width = e.options.width, M = e.out_channels, N = g.col_cols(), K = g.col_rows();
  const int OH = g.out_h(), OW = g.out_w();
  const std::string C = std::to_string(g.channels), H = std::to_string(g.height), W = std::to_string(g.width);
  const std::string KH = std::to_string(g.kernel_h), KW = std::to_string(g.kernel_w);
  const std::string OCs = std::to_string(M), OHs = std::to_string(OH), OWs = std::to_string(OW);
  const std::string Ks = std::to_string(K), Ns = std::to_string(N);
  const std::vector<std::string> taps = tap_labels(g), pixels = pixel_labels(g), filters = channel_labels(M, "o");
  // "(9 + 2 - 2 - 1)/1 + 1 = 9": the output size along one axis, worked out.
  auto out_size = [](int size, int pad, int dilation, int kernel, int stride, int out) {
    return "(" + std::to_string(size) + " + " + std::to_string(2 * pad) + " - " +
           std::to_string(dilation * (kernel - 1)) + " - 1)/" + std::to_string(stride) + " + 1 = " +
           std::to_string(out);
  };
  std::string t;

  t += "conv2d forward: x " + e.x.shape().str() + " -> y " + e.y.shape().str() + " with weight W " +
       e.w.shape().str() + " and bias b " + e.b.shape().str() + "\n";
  t += geometry_text(g) + "\n";
  t += e.options.random_values
           ? "values: random in [-1, 1] with two decimals, seed " + std::to_string(e.options.seed) + "\n"
           : "values: small integers, seed " + std::to_string(e.options.seed) +
                 ": x in 0..4, W and dY in {-2,-1,1,2}, b in -2..2\n";
  t += "\nThe definition, a cross-correlation (the kernel slides over x unflipped):\n";
  t += "  y[o,i,j] = b[o] + sum_{c,u,v} W[o,c,u,v] * x[c, i*s + u*d - p, j*s + v*d - p]\n";
  t += "  OH = (H + 2p - d*(KH-1) - 1)/s + 1 = " +
       out_size(g.height, g.pad_h, g.dilation_h, g.kernel_h, g.stride_h, OH) + "\n";
  t += "  OW = (W + 2p - d*(KW-1) - 1)/s + 1 = " +
       out_size(g.width, g.pad_w, g.dilation_w, g.kernel_w, g.stride_w, OW) + "\n";

  t += "\nInput x [C=" + C + ", H=" + H + ", W=" + W + "]\n";
  t += planes_text(e.x, "x", "c", "", "h", "w", width);
  t += "\nWeight W [OC=" + OCs + ", C=" + C + ", KH=" + KH + ", KW=" + KW + "]\n";
  t += planes_text(e.w, "W", "o", "c", "u", "v", width);
  t += "Bias b [OC=" + OCs + "] = " + vector_text(e.b) + "\n";

  t += "\nStep 1, im2col: cols [C*KH*KW=" + Ks + ", OH*OW=" + Ns + "]\n";
  t += "  One row per kernel tap (c,u,v), one column per output pixel (i,j):\n";
  t += "  cols[(c,u,v),(i,j)] = x[c, i*s + u*d - p, j*s + v*d - p], 0 in the padding\n";
  t += "  Where each entry comes from (h,w of x[c]; pad = the zero padding):\n";
  std::vector<std::string> sources;
  for (int c = 0; c < g.channels; ++c)
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v)
        for (int i = 0; i < OH; ++i)
          for (int j = 0; j < OW; ++j) {
            int h = 0, w = 0;
            sources.push_back(source_pixel(g, u, v, i, j, h, w) ? std::to_string(h) + "," + std::to_string(w) : "pad");
          }
  t += format_matrix(taps, pixels, sources, 4, width);
  t += "  The entries, cols [" + Ks + ", " + Ns + "]:\n" + matrix_text(e.cols, taps, pixels, width);

  t += "\nStep 2, the weight matrix Wm [OC=" + OCs + ", C*KH*KW=" + Ks + "]\n";
  t += "  Row o is W[o] read in (c,u,v) order:\n";
  t += matrix_text(e.w.view(Shape{M, K}), filters, taps, width);

  t += "\nStep 3, the forward GEMM: Y[M,N] = Wm[M,K] * cols[K,N] + b\n";
  t += "  M = OC = " + OCs + " filters, N = OH*OW = " + Ns + " output pixels, K = C*KH*KW = " + Ks + " taps\n";
  t += "  b[o] is added to every entry of row o. Y [" + OCs + ", " + Ns + "]:\n";
  t += matrix_text(e.y.view(Shape{M, N}), filters, pixels, width);
  t += "\nOutput y [OC=" + OCs + ", OH=" + OHs + ", OW=" + OWs + "]: row o of Y laid out as OHxOW\n";
  t += planes_text(e.y, "y", "o", "", "i", "j", width);
  {
    // y[0,0,0] written out: every tap of output (0,0) that reads a pixel (the padding adds 0).
    std::vector<std::string> terms{factor(e.b[0])};
    for (int c = 0; c < g.channels; ++c)
      for (int u = 0; u < g.kernel_h; ++u)
        for (int v = 0; v < g.kernel_w; ++v) {
          int h = 0, w = 0;
          if (source_pixel(g, u, v, 0, 0, h, w))
            terms.push_back(factor(e.w.at(0, c, u, v)) + "*" + factor(e.x[(c * g.height + h) * g.width + w]));
        }
    t += "  By hand, the first output: b[0] + W[0,c,u,v] * x[c, u*d - p, v*d - p]\n";
    t += "  summed over the taps (c,u,v) that fall inside x:\n";
    t += wrapped_sum("y[0,0,0] = ", terms, width);
    t += "           = " + num(e.y[0]) + "\n";
  }
  t += "Check: the definition's direct loops give the same y: max |difference| " +
       difference_text(e.y_vs_loops) + ".\n";
  t += "Check: minicnn's Conv2d layer gives the same y: max |difference| " + difference_text(e.y_vs_layer) + ".\n";
  if (!e.options.backward) return t;

  t += "\nconv2d backward: dY = dL/dy [OC=" + OCs + ", OH=" + OHs + ", OW=" + OWs + "], given by the layers above\n";
  t += planes_text(e.dy, "dY", "o", "", "i", "j", width);
  t += "  As a matrix dY [OC=" + OCs + ", OH*OW=" + Ns + "], one row per output channel:\n";
  t += matrix_text(e.dy.view(Shape{M, N}), filters, pixels, width);
  t += "\nThe chain rule on the definition (each y[o,i,j] is linear in W, b and x):\n";
  t += "  dW[o,c,u,v] = sum_{i,j} dY[o,i,j] * x[c, i*s + u*d - p, j*s + v*d - p]\n";
  t += "  db[o]       = sum_{i,j} dY[o,i,j]\n";
  t += "  dx[c,h,w]   = sum of W[o,c,u,v] * dY[o,i,j] over every (o,u,v,i,j) with\n";
  t += "                i*s + u*d - p = h and j*s + v*d - p = w (the outputs it fed)\n";
  t += "In matrix form: three GEMMs and a scatter-add.\n";

  t += "\nGEMM 1, the weight gradient: dWm[M,N] = dY[M,K] * cols^T[K,N]\n";
  t += "  M = OC = " + OCs + ", N = C*KH*KW = " + Ks + ", K = OH*OW = " + Ns + "\n";
  t += "  dWm [" + OCs + ", " + Ks + "] is dW with each dW[o] flattened:\n";
  t += matrix_text(e.dw.view(Shape{M, K}), filters, taps, width);
  t += "\nGEMM 2, the bias gradient: db[M,N] = dY[M,K] * ones[K,N] (row sums of dY)\n";
  t += "  M = OC = " + OCs + ", N = 1, K = OH*OW = " + Ns + "\n";
  t += "  db [" + OCs + "] = " + vector_text(e.db) + "\n";
  t += "\nGEMM 3, the column gradient: dcols[M,N] = Wm^T[M,K] * dY[K,N]\n";
  t += "  M = C*KH*KW = " + Ks + ", N = OH*OW = " + Ns + ", K = OC = " + OCs + "\n";
  t += "  dcols [" + Ks + ", " + Ns + "] has the shape of cols:\n";
  t += matrix_text(e.dcols, taps, pixels, width);

  t += "\nStep 4, col2im: dx [C=" + C + ", H=" + H + ", W=" + W + "] = every dcols entry added back into\n";
  t += "  the pixel it was copied from (the entries from the padding are dropped).\n";
  t += "  Terms per pixel, the number of kernel positions covering it:\n";
  Tensor<double> terms_per_pixel(Shape{g.channels, g.height, g.width});
  {
    Tensor<double> all_ones(Shape{K, N});
    all_ones.fill(1.0);
    col2im(g, all_ones.data(), terms_per_pixel.data());
  }
  t += planes_text(terms_per_pixel, "terms", "c", "", "h", "w", width);
  {
    // The pixel with the most terms, written out.
    const int64_t busiest = std::max_element(terms_per_pixel.begin(), terms_per_pixel.end()) - terms_per_pixel.begin();
    const int c0 = static_cast<int>(busiest / (g.height * g.width));
    const int h0 = static_cast<int>(busiest / g.width % g.height), w0 = static_cast<int>(busiest % g.width);
    std::vector<std::string> names, values;
    for (int u = 0; u < g.kernel_h; ++u)
      for (int v = 0; v < g.kernel_w; ++v)
        for (int i = 0; i < OH; ++i)
          for (int j = 0; j < OW; ++j) {
            int h = 0, w = 0;
            if (!source_pixel(g, u, v, i, j, h, w) || h != h0 || w != w0) continue;
            const int row = (c0 * g.kernel_h + u) * g.kernel_w + v, col = i * OW + j;
            names.push_back("dcols[" + triple_text(c0, u, v) + "," + pair_text(i, j) + "]");
            values.push_back(factor(e.dcols[static_cast<int64_t>(row) * N + col]));
          }
    const std::string head = "dx[" + std::to_string(c0) + "," + std::to_string(h0) + "," + std::to_string(w0) + "] = ";
    if (names.empty()) {
      t += "  No kernel tap reads a pixel of x (they all fall in the padding): dx is 0.\n";
    } else {
      t += "  For example, the pixel with the most terms:\n";
      t += wrapped_sum(head, names, width);
      t += wrapped_sum(std::string(head.size() - 2, ' ') + "= ", values, width);
      t += "  " + std::string(head.size() - 2, ' ') + "= " + num(e.dx[busiest]) + "\n";
    }
  }
  t += "\nInput gradient dx [C=" + C + ", H=" + H + ", W=" + W + "]\n";
  t += planes_text(e.dx, "dx", "c", "", "h", "w", width);
  t += "Weight gradient dW [OC=" + OCs + ", C=" + C + ", KH=" + KH + ", KW=" + KW + "]\n";
  t += planes_text(e.dw, "dW", "o", "c", "u", "v", width);
  t += "Bias gradient db [OC=" + OCs + "] = " + vector_text(e.db) + "\n";
  t += "Check: the chain rule's direct loops give the same dx, dW, db:\n  max |difference| " +
       difference_text(e.dx_vs_loops) + ", " + difference_text(e.dw_vs_loops) + ", " + difference_text(e.db_vs_loops) +
       ".\n";
  t += "Check: minicnn's Conv2d backward gives the same dx, dW, db:\n  max |difference| " +
       difference_text(e.dx_vs_layer) + ", " + difference_text(e.dw_vs_layer) + ", " + difference_text(e.db_vs_layer) +
       ".\n";

  t += "\nThe full-convolution picture: dx is a true convolution (kernel flipped):\n";
  t += "  dx[c] = crop_p( sum_o convolve2d_full( dilate_s(dY[o]), dilate_d(W[o,c]) ) )\n";
  t += "  dilate_s puts s-1 zeros between the entries of dY (the outputs the stride\n";
  t += "  skipped), dilate_d puts d-1 zeros between the taps of W, convolve2d_full\n";
  t += "  slides the kernel, turned by 180 degrees, over dY padded with zeros, and\n";
  t += "  crop_p drops the first p rows and columns (the padding of x).\n";
  {
    // dY[0] as convolve2d_full sees it: dilated by the stride, padded by the dilated kernel's extent - 1.
    const int extent_h = g.dilation_h * (g.kernel_h - 1), extent_w = g.dilation_w * (g.kernel_w - 1);
    const int rows = (OH - 1) * g.stride_h + 1 + 2 * extent_h, cols = (OW - 1) * g.stride_w + 1 + 2 * extent_w;
    Tensor<double> padded(Shape{rows, cols});
    for (int i = 0; i < OH; ++i)
      for (int j = 0; j < OW; ++j)
        padded[(extent_h + i * g.stride_h) * cols + extent_w + j * g.stride_w] = e.dy[i * OW + j];
    t += "  dY[0] dilated, with " + std::to_string(extent_h) + " rows and " + std::to_string(extent_w) +
         " columns of zeros around it [" + std::to_string(rows) + "x" + std::to_string(cols) + "]:\n";
    t += matrix_text(padded, channel_labels(rows, "r"), channel_labels(cols, "k"), width);
  }
  Tensor<double> flipped(Shape{g.kernel_h, g.kernel_w});
  std::vector<std::string> flipped_rows, flipped_cols;
  for (int u = 0; u < g.kernel_h; ++u) {
    flipped_rows.push_back("u=" + std::to_string(g.kernel_h - 1 - u));
    for (int v = 0; v < g.kernel_w; ++v)
      flipped[u * g.kernel_w + v] = e.w.at(0, 0, g.kernel_h - 1 - u, g.kernel_w - 1 - v);
  }
  for (int v = 0; v < g.kernel_w; ++v) flipped_cols.push_back("v=" + std::to_string(g.kernel_w - 1 - v));
  t += "  W[0,0] turned by 180 degrees, as convolve2d_full slides it [" + KH + "x" + KW + "]:\n";
  t += matrix_text(flipped, flipped_rows, flipped_cols, width);
  t += "  dx[c,h,w] = sum over o of this kernel (dilated) times the window of the\n";
  t += "  padded dY[o] under it, entry by entry, its top-left corner at (h+p, w+p).\n";
  t += "Check: the full convolution gives the same dx: max |difference| " + difference_text(e.dx_full_vs_loops) +
       ".\n";
  return t;
}

}  // namespace minicnn
