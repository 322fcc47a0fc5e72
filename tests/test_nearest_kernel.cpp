// inspect/nearest_kernel.hpp: planted classical kernels are named (with scale, sign, a constant offset and
// noise), the similarities follow the documented formula, and the kernels built at other sizes are the known
// extensions.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/rng.hpp"
#include "inspect/nearest_kernel.hpp"
#include "signal/kernels.hpp"

using namespace minicnn;

namespace {

// a·kernel + offset, plus uniform noise of the given amplitude.
Tensor<double> planted(const Tensor<double>& kernel, double a, double offset, double noise, uint64_t seed) {
  Rng rng(seed);
  Tensor<double> w = kernel;
  for (double& v : w) v = a * v + offset + rng.uniform(-noise, noise);
  return w;
}

Tensor<double> named(int height, int width, const std::string& name) {
  for (const ClassicalKernel& k : classical_kernels(height, width))
    if (k.name == name) return k.kernel;
  FAIL("no classical kernel " << name << " at " << height << "x" << width);
  return {};
}

}  // namespace

TEST_CASE("at 3x3 the classical kernels are signal/kernels.hpp's; at 5x5 Sobel is OpenCV's") {
  auto same = [](const Tensor<double>& a, const Tensor<double>& b) {
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
  };
  CHECK(same(named(3, 3, "sobel_x"), sobel_x_kernel()));
  CHECK(same(named(3, 3, "sobel_y"), sobel_y_kernel()));
  CHECK(same(named(3, 3, "laplacian"), laplacian8_kernel()));
  CHECK(same(named(3, 3, "sharpen"), sharpen_kernel()));
  // OpenCV's 5x5 Sobel: [1,4,6,4,1]ᵀ [-1,-2,0,2,1].
  const Tensor<double> sobel5 = named(5, 5, "sobel_x");
  const double smooth[5] = {1, 4, 6, 4, 1}, derivative[5] = {-1, -2, 0, 2, 1};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) CHECK(sobel5[i * 5 + j] == smooth[i] * derivative[j]);
  // The 3x3 Laplacian in the middle of a 5x5 kernel, zeros around it.
  const Tensor<double> laplacian5 = named(5, 5, "laplacian");
  CHECK(laplacian5[2 * 5 + 2] == 8);
  CHECK(laplacian5[1 * 5 + 1] == -1);
  CHECK(laplacian5[0] == 0);
  CHECK(std::accumulate(laplacian5.begin(), laplacian5.end(), 0.0) == 0);
  CHECK(classical_kernels(1, 1).empty());
}

TEST_CASE("planted Sobel, box, Gaussian, Laplacian and sharpen kernels are named, with their sign") {
  struct Case {
    Tensor<double> kernel;
    const char* name;
    bool negated;
  };
  const Case cases[] = {
      {sobel_x_kernel(), "sobel_x", false},
      {planted(sobel_y_kernel(), -0.3, 0.2, 0.02, 1), "sobel_y", true},  // scaled, negated, offset, noisy
      {planted(named(5, 5, "sobel_x"), 0.05, -0.1, 0.01, 2), "sobel_x", false},
      {planted(box_kernel(3), 2.0, 0.0, 0.01, 3), "box", false},
      {planted(box_kernel(3), -1.0, 0.0, 0.005, 4), "box", true},
      {planted(box_kernel(5), 0.7, 0.0, 0.005, 5), "box", false},
      {planted(gaussian_kernel(1.0, 5), 3.0, 0.0, 0.002, 6), "gaussian sigma=1", false},
      {planted(laplacian8_kernel(), 0.1, 0.05, 0.002, 7), "laplacian", false},
      {planted(sharpen_kernel(), -0.2, 0.0, 0.002, 8), "sharpen", true},
  };
  for (const Case& c : cases) {
    const KernelMatch match = nearest_classical_kernel(c.kernel);
    INFO(c.name << ": got " << match.name << " " << match.similarity);
    CHECK(match.name == c.name);
    CHECK(match.negated == c.negated);
    CHECK(match.similarity > 0.98);
    CHECK(match.similarity <= 1.0 + 1e-12);
  }
  CHECK(nearest_classical_kernel(sobel_x_kernel()).similarity == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(nearest_classical_kernel(Tensor<double>(Shape{1, 1})).name.empty());
}

TEST_CASE("the similarity is |cos| after mean removal for zero-sum kernels, and |cos| as is for the others") {
  // Sobel plus a constant, even a large one: once the mean is gone it is Sobel exactly.
  Tensor<double> offset = sobel_x_kernel();
  for (double& v : offset) v += 5.0;
  CHECK(nearest_classical_kernel(offset).name == "sobel_x");
  CHECK(nearest_classical_kernel(offset).similarity == doctest::Approx(1.0).epsilon(1e-12));
  // A noisy box is compared as it is: |cos(w, box)| = |Σw| / (|w|·3) for the 3x3 box of ones.
  const Tensor<double> w = planted(box_kernel(3), 1.0, 0.0, 0.02, 11);
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  const double norm = std::sqrt(std::inner_product(w.begin(), w.end(), w.begin(), 0.0));
  const KernelMatch m = nearest_classical_kernel(w);
  CHECK(m.name == "box");
  CHECK(m.similarity == doctest::Approx(std::fabs(sum) / (norm * 3.0)).epsilon(1e-12));
}

TEST_CASE("each filter of a layer is named by the sum of its input channels, in a printed table") {
  // Filter 0: Sobel y split over 3 channels with noise that cancels in the sum; filter 1: a box.
  Tensor<float> weight(Shape{2, 3, 3, 3});
  Rng rng(9);
  const Tensor<double> sobel = sobel_y_kernel();
  for (int i = 0; i < 9; ++i) {
    const double a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
    weight[0 * 9 + i] = static_cast<float>(sobel[i] / 3 + a);
    weight[1 * 9 + i] = static_cast<float>(sobel[i] / 3 + b);
    weight[2 * 9 + i] = static_cast<float>(sobel[i] / 3 - a - b);
    for (int c = 0; c < 3; ++c) weight[(3 + c) * 9 + i] = 0.1f;
  }
  const std::vector<KernelMatch> matches = nearest_classical_kernels(weight);
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].name == "sobel_y");
  CHECK(matches[0].similarity > 0.999);
  CHECK(matches[1].name == "box");
  const std::string table = format_kernel_matches(matches);
  CHECK(table.find("nearest classical kernel") != std::string::npos);
  CHECK(table.find("     0  sobel_y") != std::string::npos);
  CHECK(table.find("     1  box") != std::string::npos);
  CHECK(table.find("1.00") != std::string::npos);
}
