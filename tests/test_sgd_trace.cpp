// The SGD trace of one weight: the numbers of one update, worked out by hand for two steps of
// torch.optim.SGD-style momentum with weight decay, and the lines printed for them.
#include <doctest/doctest.h>

#include "helpers.hpp"
#include "models/sgd_trace.hpp"

using namespace minicnn;

namespace {

// Two SGD steps on w = (1, -2) with gradients (0.5, 0.25) then (-1, 0.5), traced at `step`.
std::optional<SgdTrace> trace_of(const SgdOptions& options, const std::string& weight, int64_t step) {
  Param<float> w("fc1.weight", Shape{1, 2});
  w.value[0] = 1.0f, w.value[1] = -2.0f;
  Sgd<float> sgd({&w}, options);
  SgdTracer tracer(SgdTraceRequest{weight, step}, {&w}, sgd);
  const float gradients[2][2] = {{0.5f, 0.25f}, {-1.0f, 0.5f}};
  std::optional<SgdTrace> found;
  for (int s = 1; s <= 2; ++s) {
    w.grad[0] = gradients[s - 1][0], w.grad[1] = gradients[s - 1][1];
    sgd.step();
    if (auto trace = tracer.after_step(s, 1, s, 2, 8)) found = trace;
  }
  return found;
}

}  // namespace

TEST_CASE("the trace of step 2 holds w, grad, the momentum buffer before and after, and the new w") {
  // λ = 0.1, μ = 0.9, η = 0.1 on w[0,1] = -2:
  //   step 1: g = 0.25 + 0.1·(-2) = 0.05,       v = 0.05,                  w = -2 - 0.1·0.05 = -2.005
  //   step 2: g = 0.5 + 0.1·(-2.005) = 0.2995,  v = 0.9·0.05 + 0.2995 = 0.3445,  w = -2.005 - 0.1·0.3445 = -2.03945
  const SgdOptions options{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.1};
  const std::optional<SgdTrace> t = trace_of(options, "fc1.weight[0,1]", 2);
  REQUIRE(t.has_value());
  CHECK(t->weight == "fc1.weight[0,1]");
  CHECK(t->step == 2);
  CHECK(t->w == doctest::Approx(-2.005).epsilon(1e-6));
  CHECK(t->grad == 0.5);
  CHECK(t->velocity_before == doctest::Approx(0.05).epsilon(1e-6));
  CHECK(t->velocity == doctest::Approx(0.3445).epsilon(1e-6));
  CHECK(t->new_w == doctest::Approx(-2.03945).epsilon(1e-6));
  CHECK(t->sgd.learning_rate == 0.1);

  const std::string text = describe(*t);
  INFO(text);
  CHECK(text == "SGD step 2 (epoch 1, batch 2 of 2) for fc1.weight[0,1]\n"
                "lr 0.1, momentum 0.9, weight decay 0.1\n"
                "  w      = -2.005       the weight before the step\n"
                "  grad   = 0.5          dL/dw from backprop, the mean over a batch of 8 images\n"
                "  v      = 0.05         the momentum buffer before the step\n"
                "  g      = grad + weight_decay*w = 0.5 + 0.1*(-2.005) = 0.2995\n"
                "  v      = momentum*v + g = 0.9*0.05 + 0.2995 = 0.3445\n"
                "  new w  = w - lr*v = (-2.005) - 0.1*0.3445 = -2.03945\n");
}

TEST_CASE("the trace shows only the chosen step, and Nesterov's update formula when it is on") {
  CHECK_FALSE(trace_of(SgdOptions{.learning_rate = 0.1}, "fc1.weight[0,0]", 3).has_value());
  // Step 1 with no momentum buffer yet: v = g; the default weight is the first parameter's first element.
  const std::optional<SgdTrace> first = trace_of(SgdOptions{.learning_rate = 0.1, .momentum = 0.5}, "", 1);
  REQUIRE(first.has_value());
  CHECK(first->weight == "fc1.weight[0,0]");
  CHECK(first->velocity_before == 0.0);
  CHECK(first->velocity == 0.5f);
  CHECK(first->new_w == 1.0f - 0.1f * 0.5f);
  const std::optional<SgdTrace> nesterov =
      trace_of(SgdOptions{.learning_rate = 0.1, .momentum = 0.5, .nesterov = true}, "fc1.weight[0,0]", 1);
  REQUIRE(nesterov.has_value());
  // w ← w − η·(g + μ·v) = 1 − 0.1·(0.5 + 0.5·0.5) = 0.925
  CHECK(nesterov->new_w == doctest::Approx(0.925).epsilon(1e-6));
  CHECK(describe(*nesterov).find("  new w  = w - lr*(g + momentum*v) = 1 - 0.1*(0.5 + 0.5*0.5) = 0.925\n") !=
        std::string::npos);
}

TEST_CASE("a weight that is not there is an error naming the parameters and the form to use") {
  Param<float> w("fc1.weight", Shape{1, 2}), b("fc1.bias", Shape{1});
  Sgd<float> sgd({&w, &b}, SgdOptions{});
  auto error = [&](const std::string& weight, int64_t step = 1) {
    return test::error_of([&] { SgdTracer(SgdTraceRequest{weight, step}, {&w, &b}, sgd); });
  };
  CHECK(error("conv1.weight[0]") ==
        "--trace-weight: no parameter called conv1.weight; the parameters are fc1.weight 1x2, fc1.bias 1");
  const std::string bad_index =
      "is not an element of fc1.weight (1x2); name one like fc1.weight[0,0]";
  CHECK(error("fc1.weight[0,2]").find(bad_index) != std::string::npos);
  CHECK(error("fc1.weight[0]").find(bad_index) != std::string::npos);
  CHECK(error("fc1.weight").find(bad_index) != std::string::npos);
  CHECK(error("fc1.weight[0,1").find(bad_index) != std::string::npos);
  CHECK(error("fc1.weight[0,-1]").find(bad_index) != std::string::npos);
  CHECK(error("fc1.bias[0]") == "(no error)");
  CHECK(error("fc1.bias[0]", 0) == "--trace-step: steps count from 1, got 0");
}
