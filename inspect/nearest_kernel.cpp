#include "inspect/nearest_kernel.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.hpp"
#include "signal/kernels.hpp"

namespace minicnn {
namespace {

using Profile = std::vector<double>;

// The binomial coefficients of length n: 1; 1 1; 1 2 1; 1 3 3 1; 1 4 6 4 1, the discrete Gaussian.
Profile smoothing(int n) {
  Profile row{1.0};
  for (int k = 1; k < n; ++k) {
    Profile next(row.size() + 1, 0.0);
    for (size_t i = 0; i < row.size(); ++i) next[i] += row[i], next[i + 1] += row[i];
    row = next;
  }
  return row;
}

Profile convolve(const Profile& a, const Profile& b) {
  Profile out(a.size() + b.size() - 1, 0.0);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  return out;
}

// A smoothed central difference of length n >= 2: -1 0 1 (3), -1 -2 0 2 1 (5); -1 1 (2), -1 -1 1 1 (4).
Profile derivative(int n) {
  return n % 2 == 1 ? convolve(smoothing(n - 2), {-1.0, 0.0, 1.0}) : convolve(smoothing(n - 1), {-1.0, 1.0});
}

Profile gaussian(int n, double sigma) {
  Profile g(n);
  const double centre = (n - 1) / 2.0;
  for (int i = 0; i < n; ++i) g[i] = std::exp(-(i - centre) * (i - centre) / (2 * sigma * sigma));
  return g;
}

// k[i, j] = column[i] · row[j]
Tensor<double> outer(const Profile& column, const Profile& row) {
  Tensor<double> k(Shape{static_cast<int64_t>(column.size()), static_cast<int64_t>(row.size())});
  for (size_t i = 0; i < column.size(); ++i)
    for (size_t j = 0; j < row.size(); ++j) k[i * row.size() + j] = column[i] * row[j];
  return k;
}

// A 3x3 kernel in the centre of a height x width one (both odd), zeros around it.
Tensor<double> centred(const Tensor<double>& small, int height, int width) {
  Tensor<double> k(Shape{height, width});
  const int top = (height - 3) / 2, left = (width - 3) / 2;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) k[(top + i) * width + left + j] = small[i * 3 + j];
  return k;
}

double cosine(const Tensor<double>& a, const Tensor<double>& b) {
  const double dot = std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
  const double norms = std::sqrt(std::inner_product(a.begin(), a.end(), a.begin(), 0.0) *
                                 std::inner_product(b.begin(), b.end(), b.begin(), 0.0));
  return norms > 0 ? dot / norms : 0.0;
}

}  // namespace

std::vector<ClassicalKernel> classical_kernels(int height, int width) {
  std::vector<ClassicalKernel> kernels;
  auto add = [&](std::string name, Tensor<double> k) {
    double sum = 0, size = 0;
    for (double v : k) sum += v, size += std::fabs(v);
    kernels.push_back({std::move(name), std::move(k), std::fabs(sum) <= 1e-12 * size});
  };
  if (width >= 2) add("sobel_x", outer(smoothing(height), derivative(width)));
  if (height >= 2) add("sobel_y", outer(derivative(height), smoothing(width)));
  if (height % 2 == 1 && width % 2 == 1 && height >= 3 && width >= 3) {
    add("laplacian", centred(laplacian8_kernel(), height, width));
    add("sharpen", centred(sharpen_kernel(), height, width));
  }
  if (height * width > 1) {
    add("box", outer(Profile(height, 1.0), Profile(width, 1.0)));
    for (double sigma : {0.5, 1.0, 1.5, 2.0}) {
      char name[32];
      std::snprintf(name, sizeof name, "gaussian sigma=%g", sigma);
      add(name, outer(gaussian(height, sigma), gaussian(width, sigma)));
    }
  }
  return kernels;
}

KernelMatch nearest_classical_kernel(const Tensor<double>& kernel) {
  if (kernel.rank() != 2) throw Error("a kernel to name must be [KH, KW], got " + kernel.shape().str());
  Tensor<double> centred_kernel = kernel;
  const double mean = std::accumulate(kernel.begin(), kernel.end(), 0.0) / static_cast<double>(kernel.numel());
  for (double& v : centred_kernel) v -= mean;
  KernelMatch best;
  for (const ClassicalKernel& candidate : classical_kernels(static_cast<int>(kernel.dim(0)), static_cast<int>(kernel.dim(1)))) {
    const double c = cosine(candidate.zero_sum ? centred_kernel : kernel, candidate.kernel);
    if (best.name.empty() || std::fabs(c) > best.similarity) best = {candidate.name, std::fabs(c), c < 0};
  }
  return best;
}

std::vector<KernelMatch> nearest_classical_kernels(const Tensor<float>& weight) {
  if (weight.rank() != 4) throw Error("kernels to name must be [OC, IC, KH, KW], got " + weight.shape().str());
  const int64_t OC = weight.dim(0), IC = weight.dim(1), KH = weight.dim(2), KW = weight.dim(3);
  std::vector<KernelMatch> matches;
  for (int64_t o = 0; o < OC; ++o) {
    Tensor<double> summed(Shape{KH, KW});
    for (int64_t c = 0; c < IC; ++c)
      for (int64_t i = 0; i < KH * KW; ++i) summed[i] += weight[(o * IC + c) * KH * KW + i];
    matches.push_back(nearest_classical_kernel(summed));
  }
  return matches;
}

std::string format_kernel_matches(const std::vector<KernelMatch>& matches) {
  std::string text = "filter  nearest classical kernel    similarity\n";
  char line[128];
  for (size_t i = 0; i < matches.size(); ++i) {
    const KernelMatch& m = matches[i];
    const std::string name = m.name.empty() ? "-" : m.name + (m.negated ? " (negated)" : "");
    std::snprintf(line, sizeof line, "%6zu  %-28s %10.2f\n", i, name.c_str(), m.similarity);
    text += line;
  }
  return text;
}

}  // namespace minicnn
