// SGD: two steps with each option against the update worked out by hand from PyTorch's torch.optim.SGD
// (the same numbers come out of torch 2 in float64). Every case starts from w = (1, -2) with learning rate
// 0.1 and takes gradient g1 = (0.5, 0.25), then g2 = (-1, 0.5).
#include <doctest/doctest.h>

#include <array>
#include <limits>
#include <tuple>

#include "core/error.hpp"
#include "helpers.hpp"
#include "models/sgd.hpp"

using namespace minicnn;

namespace {

using Pair = std::array<double, 2>;

// The weights after step 1 and after step 2.
std::array<Pair, 2> two_steps(const SgdOptions& options) {
  Param<double> w("w", Shape{2});
  w.value[0] = 1.0, w.value[1] = -2.0;
  Sgd<double> sgd({&w}, options);
  std::array<Pair, 2> after;
  const Pair gradients[2] = {{0.5, 0.25}, {-1.0, 0.5}};
  for (int step = 0; step < 2; ++step) {
    w.grad[0] = gradients[step][0], w.grad[1] = gradients[step][1];
    sgd.step();
    after[step] = {w.value[0], w.value[1]};
  }
  return after;
}

void check_steps(const SgdOptions& options, const Pair& step1, const Pair& step2) {
  const std::array<Pair, 2> after = two_steps(options);
  for (int i = 0; i < 2; ++i) {
    CHECK(after[0][i] == doctest::Approx(step1[i]).epsilon(1e-14));
    CHECK(after[1][i] == doctest::Approx(step2[i]).epsilon(1e-14));
  }
}

// Parameters of random values and gradients, of sizes whose total is over twice the grain, so that the
// blocks of a parallel loop over all of them meet inside a parameter; `pointers` point into `params`.
void make_many_params(Rng& rng, std::vector<Param<float>>& params, std::vector<Param<float>*>& pointers) {
  for (int64_t size : {3, 70001, 5, 40000}) params.emplace_back("p", Shape{size});
  for (Param<float>& p : params) {
    p.value = test::random_tensor<float>(p.value.shape(), rng);
    p.grad = test::random_tensor<float>(p.grad.shape(), rng);
    pointers.push_back(&p);
  }
}

}  // namespace

TEST_CASE("plain SGD: w ← w − η·g") {
  // w1 = (1, -2) − 0.1·(0.5, 0.25) = (0.95, -2.025);  w2 = w1 − 0.1·(-1, 0.5) = (1.05, -2.075)
  check_steps(SgdOptions{.learning_rate = 0.1}, {0.95, -2.025}, {1.05, -2.075});
}

TEST_CASE("momentum: v ← μ·v + g, w ← w − η·v") {
  // v1 = g1 = (0.5, 0.25), w1 = (0.95, -2.025)
  // v2 = 0.9·v1 + g2 = (-0.55, 0.725), w2 = w1 − 0.1·v2 = (1.005, -2.0975)
  check_steps(SgdOptions{.learning_rate = 0.1, .momentum = 0.9}, {0.95, -2.025}, {1.005, -2.0975});
}

TEST_CASE("Nesterov momentum: v ← μ·v + g, w ← w − η·(g + μ·v)") {
  // v1 = g1, d1 = g1 + 0.9·v1 = (0.95, 0.475), w1 = (0.905, -2.0475)
  // v2 = (-0.55, 0.725), d2 = g2 + 0.9·v2 = (-1.495, 1.1525), w2 = (1.0545, -2.16275)
  check_steps(SgdOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}, {0.905, -2.0475},
              {1.0545, -2.16275});
}

TEST_CASE("weight decay with momentum: g ← g + λ·w first") {
  // g1' = g1 + 0.01·(1, -2) = (0.51, 0.23) = v1, w1 = (0.949, -2.023)
  // g2' = g2 + 0.01·w1 = (-0.99051, 0.47977), v2 = 0.9·v1 + g2' = (-0.53151, 0.68677),
  // w2 = w1 − 0.1·v2 = (1.002151, -2.091677)
  check_steps(SgdOptions{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01}, {0.949, -2.023},
              {1.002151, -2.091677});
}

TEST_CASE("weight decay without momentum") {
  // w1 = w0 − 0.1·(0.51, 0.23) = (0.949, -2.023);  w2 = w1 − 0.1·(-0.99051, 0.47977) = (1.048051, -2.070977)
  check_steps(SgdOptions{.learning_rate = 0.1, .weight_decay = 0.01}, {0.949, -2.023}, {1.048051, -2.070977});
}

TEST_CASE("the velocity is kept per parameter, and the learning rate can change between steps") {
  Param<double> a("a", Shape{1}), b("b", Shape{1});
  Sgd<double> sgd({&a, &b}, SgdOptions{.learning_rate = 0.1, .momentum = 0.5});
  a.grad[0] = 1.0, b.grad[0] = -2.0;
  sgd.step();  // v = (1, -2), a = -0.1, b = 0.2
  CHECK(sgd.velocities()[0][0] == 1.0);
  CHECK(sgd.velocities()[1][0] == -2.0);
  sgd.set_learning_rate(1.0);
  sgd.step();  // v = (1.5, -3), a = -0.1 − 1.5, b = 0.2 + 3
  CHECK(a.value[0] == doctest::Approx(-1.6).epsilon(1e-14));
  CHECK(b.value[0] == doctest::Approx(3.2).epsilon(1e-14));
}

TEST_CASE("one update of many parameters, split over 2 threads anywhere, equals the formula element by element") {
  test::ThreadCount scope(2);
  Rng rng(5);
  std::vector<Param<float>> params;
  std::vector<Param<float>*> pointers;
  make_many_params(rng, params, pointers);
  const SgdOptions options{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01};
  Sgd<float> sgd(pointers, options);
  for (Tensor<float>& v : sgd.velocities()) v = test::random_tensor<float>(v.shape(), rng);
  std::vector<Param<float>> expected = params;
  const std::vector<Tensor<float>> velocities = sgd.velocities();
  for (size_t k = 0; k < params.size(); ++k)
    for (int64_t i = 0; i < params[k].value.numel(); ++i) {
      const float lr = 0.1f, mu = 0.9f, decay = 0.01f;
      const float g = params[k].grad[i] + decay * params[k].value[i];
      expected[k].value[i] -= lr * (mu * velocities[k][i] + g);
    }
  sgd.step();
  for (size_t k = 0; k < params.size(); ++k) {
    INFO("parameter " << k);
    CHECK(std::equal(params[k].value.begin(), params[k].value.end(), expected[k].value.begin()));
  }
}

TEST_CASE("gradients_finite finds a NaN or an infinity in any parameter's gradient, on 2 threads") {
  test::ThreadCount scope(2);
  Rng rng(6);
  std::vector<Param<float>> params;
  std::vector<Param<float>*> pointers;
  make_many_params(rng, params, pointers);
  const Sgd<float> sgd(pointers, SgdOptions{});
  CHECK(sgd.gradients_finite());
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // The first and last elements of the whole, the ends of a parameter, and inside the last one.
  for (const auto& [k, i, bad] : {std::tuple{0, 0, nan}, std::tuple{1, 70000, inf}, std::tuple{2, 0, -inf},
                                  std::tuple{2, 4, nan}, std::tuple{3, 12345, inf}, std::tuple{3, 39999, nan}}) {
    INFO("parameter " << k << ", element " << i);
    const float kept = params[k].grad[i];
    params[k].grad[i] = bad;
    CHECK_FALSE(sgd.gradients_finite());
    params[k].grad[i] = kept;
    CHECK(sgd.gradients_finite());
  }
}

TEST_CASE("SGD rejects negative settings and Nesterov without momentum") {
  Param<float> w("w", Shape{1});
  CHECK_THROWS_AS(Sgd<float>({&w}, SgdOptions{.learning_rate = -0.1}), Error);
  CHECK_THROWS_AS(Sgd<float>({&w}, SgdOptions{.momentum = -0.5}), Error);
  CHECK_THROWS_AS(Sgd<float>({&w}, SgdOptions{.weight_decay = -1.0}), Error);
  CHECK_THROWS_AS(Sgd<float>({&w}, SgdOptions{.nesterov = true}), Error);
}
