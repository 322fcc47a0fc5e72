#include "teach/explain_toeplitz.hpp"

#include <vector>

#include "core/error.hpp"
#include "signal/toeplitz.hpp"
#include "signal/window.hpp"
#include "teach/example_values.hpp"
#include "teach/text_table.hpp"

namespace minicnn {

ToeplitzExplanation explain_toeplitz(const ExplainToeplitzOptions& options) {
  if (options.signal < 1 || options.kernel < 1 || options.signal > 32 || options.kernel > 16)
    throw Error("explain toeplitz is for small examples: the signal must have 1 to 32 samples and the kernel 1 to 16, "
                "got " + std::to_string(options.signal) + " and " + std::to_string(options.kernel));
  ToeplitzExplanation e;
  e.options = options;
  ExampleValues values(options.random_values, options.seed);
  e.x = Tensor<double>(Shape{options.signal});
  e.h = Tensor<double>(Shape{options.kernel});
  for (double& v : e.x) v = values.signal();
  for (double& v : e.h) v = values.tap();

  e.matrix = convolution_matrix(e.h, e.x.shape(), options.mode);
  const int64_t out = e.matrix.dim(0), N = options.signal, M = options.kernel;
  e.product = Tensor<double>(Shape{out});
  for (int64_t n = 0; n < out; ++n)
    for (int64_t k = 0; k < N; ++k) e.product[n] += e.matrix[n * N + k] * e.x[k];
  e.direct = convolve(e.x, e.h, options.mode, Method::Direct);
  e.product_vs_direct = max_difference(e.product, e.direct);

  // Where the mode's window starts in the full convolution ('valid' with a kernel longer than the signal
  // swaps the two, as scipy does).
  const bool swap = swap_for_valid("explain toeplitz", options.mode, e.x.shape(), e.h.shape());
  const Window window = swap ? mode_window(options.mode, as_matrix(e.h.shape()), as_matrix(e.x.shape()), false)
                             : mode_window(options.mode, as_matrix(e.x.shape()), as_matrix(e.h.shape()), false);
  e.offset = window.col_offset;

  e.dout = Tensor<double>(Shape{out});
  for (double& v : e.dout) v = values.tap();
  e.adjoint = Tensor<double>(Shape{N});
  for (int64_t k = 0; k < N; ++k)
    for (int64_t n = 0; n < out; ++n) e.adjoint[k] += e.matrix[n * N + k] * e.dout[n];  // (Cᵀ·dout)[k]
  Tensor<double> placed(Shape{N + M - 1});  // dout at its place in the full output, zeros around it
  for (int64_t n = 0; n < out; ++n) placed[n + e.offset] = e.dout[n];
  e.by_correlation = correlate(placed, e.h, Mode::Valid, Method::Direct);
  e.adjoint_vs_correlation = max_difference(e.adjoint, e.by_correlation);
  return e;
}

std::string format_explanation(const ToeplitzExplanation& e) {
  const int width = e.options.width;
  const int64_t N = e.x.numel(), M = e.h.numel(), out = e.matrix.dim(0);
  const std::string Ns = std::to_string(N), Ms = std::to_string(M), outs = std::to_string(out);
  const std::string mode = to_string(e.options.mode);
  // Vectors as the rows of one labeled matrix, so that equal entries line up.
  using Row = std::pair<std::string, const Tensor<double>*>;
  auto rows_text = [&](const std::vector<Row>& rows, const std::string& index) {
    std::vector<std::string> labels, columns, cells;
    for (const auto& [label, values] : rows) {
      labels.push_back(label);
      for (const double v : *values) cells.push_back(number_text(v));
    }
    for (int64_t k = 0; k < rows.front().second->numel(); ++k) columns.push_back(index + "=" + std::to_string(k));
    return format_matrix(labels, columns, cells, 2, width);
  };
  std::string t;
  t += "1-D convolution as a matrix product: x [N=" + Ns + "] * h [M=" + Ms + "], mode " + mode + " -> out [" + outs +
       "]\n";
  t += e.options.random_values
           ? "values: random in [-1, 1] with two decimals, seed " + std::to_string(e.options.seed) + "\n"
           : "values: small integers, seed " + std::to_string(e.options.seed) +
                 ": x in 0..4, h and dout in {-2,-1,1,2}\n";
  t += "\n  convolve(x, h)[n] = sum_k x[k] * h[n - k]: the kernel is flipped\n";
  if (e.options.mode != Mode::Full)
    t += "  mode " + mode + " keeps " + outs + " of the " + std::to_string(N + M - 1) +
         " full outputs, from full output " + std::to_string(e.offset) + " on\n";
  t += "\nThe signal x [" + Ns + "] and the kernel h [" + Ms + "]:\n";
  t += rows_text({{"x", &e.x}}, "k");
  t += rows_text({{"h", &e.h}}, "j");

  const std::string shifted = e.offset == 0 ? "n - k" : "n + " + std::to_string(e.offset) + " - k";
  t += "\nThe convolution matrix C [" + outs + ", " + Ns + "]: C[n,k] = h[" + shifted + "] (0 outside h).\n";
  t += "Column k is h shifted down by k; each diagonal is constant: a Toeplitz matrix.\n";
  std::vector<std::string> rows, cols, cells;
  for (int64_t n = 0; n < out; ++n) rows.push_back("n=" + std::to_string(n));
  for (int64_t k = 0; k < N; ++k) cols.push_back("k=" + std::to_string(k));
  for (const double v : e.matrix) cells.push_back(number_text(v));
  t += format_matrix(rows, cols, cells, 4, width);
  t += "\nC * x, and convolve(x, h, " + mode + ") by its direct sums [" + outs + "]:\n";
  t += rows_text({{"C * x", &e.product}, {"convolve", &e.direct}}, "n");
  t += "Check: the same, max |difference| " + difference_text(e.product_vs_direct) + ".\n";
  t += "Convolution is a matrix product. im2col builds the same product the other\n";
  t += "way round: it copies x into a matrix and keeps the kernel a vector.\n";
  t += "Correlation, what a CNN layer computes, slides h without flipping it:\n";
  t += "correlate(x, h) = convolve(x, h reversed), a matrix built from h reversed.\n";

  t += "\nThe backward pass: out = C x is linear in x, so dL/dx = C^T dL/dout.\n";
  t += "For dout [" + outs + "]:\n";
  t += rows_text({{"dout", &e.dout}}, "n");
  t += "C^T * dout, and correlate(dout placed in the full output, h, valid) [" + Ns + "]:\n";
  t += rows_text({{"C^T * dout", &e.adjoint}, {"correlate", &e.by_correlation}}, "k");
  t += "Check: the same, max |difference| " + difference_text(e.adjoint_vs_correlation) + ".\n";
  t += "The gradient of a convolution is a correlation with the same kernel, and\n";
  t += "the gradient of a correlation (a conv2d layer) is a convolution.\n";
  return t;
}

}  // namespace minicnn
