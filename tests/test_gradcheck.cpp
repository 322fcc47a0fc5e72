// The gradient checker itself: it must fail a wrong gradient and say where, count kinks instead of failing on
// them, and never pass a NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "helpers.hpp"
#include "layers/activation.hpp"
#include "layers/conv2d.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pool2d.hpp"

using namespace minicnn;

namespace {

// y = a·x² with one trainable parameter a, and a backward with a mistake to choose:
//   dL/dx = dy·2a·x,   dL/da = Σ dy·x²
class ScaledSquare : public Layer<double> {
 public:
  enum class Mistake { None, InputGradientHalved, ParamGradientOffByOne, NaNInputGradient };
  explicit ScaledSquare(Mistake mistake) : mistake_(mistake), a_("square1.a", Shape{1}) { a_.value[0] = 1.5; }

  std::string kind() const override { return "square"; }
  Shape setup(const Shape& input) override { return input; }
  void forward(const Tensor<double>& x, Tensor<double>& y, const Context&) override {
    y.resize(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) y[i] = a_.value[0] * x[i] * x[i];
  }
  void backward(const Tensor<double>& x, const Tensor<double>&, const Tensor<double>& dy, Tensor<double>& dx) override {
    for (int64_t i = 0; i < x.numel(); ++i) {
      double d = dy[i] * 2.0 * a_.value[0] * x[i];
      if (mistake_ == Mistake::InputGradientHalved && i == 5) d /= 2;
      if (mistake_ == Mistake::NaNInputGradient && i == 2) d = std::numeric_limits<double>::quiet_NaN();
      dx[i] += d;
      a_.grad[0] += dy[i] * x[i] * x[i];
    }
    if (mistake_ == Mistake::ParamGradientOffByOne) a_.grad[0] += 1.0;
  }
  std::vector<Param<double>*> params() override { return {&a_}; }

 private:
  Mistake mistake_;
  Param<double> a_;
};

Tensor<double> input(Rng& rng) { return test::random_tensor<double>(Shape{2, 2, 3}, rng); }

}  // namespace

TEST_CASE("a correct backward passes, every element checked") {
  Rng rng(91);
  ScaledSquare layer(ScaledSquare::Mistake::None);
  const std::vector<GradcheckReport> reports = gradcheck(layer, input(rng));
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].name == "input");
  CHECK(reports[1].name == "square1.a");
  CHECK(reports[0].checked == 12);
  CHECK(reports[1].checked == 1);
  test::check_gradients(reports);
  CHECK(describe(reports[0]).find(": pass at tolerance") != std::string::npos);
}

TEST_CASE("a wrong input gradient fails, with the index and both values") {
  Rng rng(92);
  const Tensor<double> x = input(rng);
  ScaledSquare layer(ScaledSquare::Mistake::InputGradientHalved);
  const GradcheckReport report = gradcheck(layer, x)[0];
  CHECK_FALSE(report.passed);
  CHECK(report.worst_index == 5);
  // The true gradient is r·2a·x; the layer reported half of it.
  CHECK(report.analytic == doctest::Approx(report.numeric / 2).epsilon(1e-6));
  CHECK(report.max_abs_error == doctest::Approx(std::abs(report.numeric / 2)).epsilon(1e-6));
  const std::string text = describe(report);
  INFO(text);
  CHECK(text.find("input [0,1,2] of 2x2x3") == 0);  // flat index 5 of a 2x2x3 tensor
  CHECK(text.find("FAIL") != std::string::npos);
}

TEST_CASE("a wrong parameter gradient fails under the parameter's name") {
  Rng rng(93);
  ScaledSquare layer(ScaledSquare::Mistake::ParamGradientOffByOne);
  const std::vector<GradcheckReport> reports = gradcheck(layer, input(rng));
  CHECK(reports[0].passed);
  CHECK_FALSE(reports[1].passed);
  CHECK(reports[1].name == "square1.a");
  CHECK(reports[1].analytic - reports[1].numeric == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("a NaN gradient never passes") {
  Rng rng(94);
  ScaledSquare layer(ScaledSquare::Mistake::NaNInputGradient);
  const GradcheckReport report = gradcheck(layer, input(rng))[0];
  CHECK_FALSE(report.passed);
  CHECK(report.worst_index == 2);
  CHECK(std::isnan(report.max_rel_error));
}

TEST_CASE("ReLU at exactly 0 is a kink: skipped and counted, the rest still checked") {
  Rng rng(95);
  Tensor<double> x = test::random_tensor<double>(Shape{4, 5}, rng, 0.1, 1.0);
  for (int64_t i : {0, 3, 7, 8, 19}) x[i] = 0.0;
  for (int64_t i : {1, 10, 11}) x[i] = -x[i];
  Activation<double> relu(ActivationKind::ReLU);
  relu.setup(Shape{5});
  const GradcheckReport report = gradcheck(relu, x)[0];
  INFO(describe(report));
  CHECK(report.kinks_skipped == 5);
  CHECK(report.checked == 15);
  CHECK(report.passed);
}

TEST_CASE("a max-pooling window with a tie is a kink") {
  Pool2d<double> pool(Pool2dOptions{.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2});
  pool.setup(Shape{1, 2, 4});
  Tensor<double> x(Shape{1, 1, 2, 4});
  const double values[] = {0.3, 0.9, 0.1, 0.5,   // window 1 has a tie at 0.9, window 2 a clear maximum 0.7
                           0.9, 0.2, 0.7, 0.4};
  std::copy(std::begin(values), std::end(values), x.begin());
  const GradcheckReport report = gradcheck(pool, x)[0];
  INFO(describe(report));
  CHECK(report.kinks_skipped == 2);  // both tied elements: raising either one makes it the maximum
  CHECK(report.checked == 6);
  CHECK(report.passed);
}

TEST_CASE("check_gradient serves any scalar function") {
  // L(v) = Σ sin(v_i), dL/dv_i = cos(v_i)
  Rng rng(96);
  Tensor<double> v = test::random_tensor<double>(Shape{10}, rng, -3.0, 3.0);
  Tensor<double> analytic(v.shape());
  for (int64_t i = 0; i < v.numel(); ++i) analytic[i] = std::cos(v[i]);
  auto loss = [&] {
    double sum = 0.0;
    for (double e : v) sum += std::sin(e);
    return sum;
  };
  const Tensor<double> before = v;
  const GradcheckReport right = check_gradient("v", v, analytic, loss);
  INFO(describe(right));
  CHECK(right.passed);
  CHECK(right.max_rel_error < 1e-9);
  for (int64_t i = 0; i < v.numel(); ++i) CHECK(v[i] == before[i]);  // every perturbation undone
  analytic[4] = std::sin(v[4]);
  CHECK_FALSE(check_gradient("v", v, analytic, loss).passed);
}

TEST_CASE("in float, the default step and tolerance pass a correct layer and fail a wrong one") {
  Rng rng(97);
  Conv2d<float> conv(Conv2dOptions{.out_channels = 3, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .pad_w = 1});
  conv.name = "conv1";
  conv.setup(Shape{2, 7, 6});
  conv.init_params(rng);
  const Tensor<float> x = test::random_tensor<float>(Shape{2, 2, 7, 6}, rng);
  const std::vector<GradcheckReport> reports = gradcheck(conv, x);
  for (const GradcheckReport& r : reports) {
    INFO(describe(r));
    CHECK(r.passed);
    CHECK(r.tolerance == 1e-2);
    CHECK(r.max_rel_error < 1e-3);  // well inside the tolerance
  }
  // The float tolerance still fails a gradient that is off by one.
  ScaledSquare wrong(ScaledSquare::Mistake::ParamGradientOffByOne);
  CHECK_FALSE(gradcheck(wrong, input(rng), Context{}, default_gradcheck_options<float>())[1].passed);
}

TEST_CASE("max_elements checks that many elements, drawn at random, the same for the same seed") {
  Rng rng(98);
  ScaledSquare layer(ScaledSquare::Mistake::None);
  Tensor<double> values = test::random_tensor<double>(Shape{40}, rng), analytic(values.shape());
  for (int64_t i = 0; i < 40; ++i) analytic[i] = 2 * values[i];
  auto loss = [&] {
    double sum = 0;
    for (double v : values) sum += v * v;
    return sum;
  };
  GradcheckOptions options;
  options.max_elements = 7;
  const GradcheckReport some = check_gradient("v", values, analytic, loss, options);
  CHECK(some.checked == 7);
  CHECK(some.passed);
  // A wrong element is found when drawn: with all 40 drawn, always.
  analytic[13] += 1;
  options.max_elements = 40;
  const GradcheckReport all = check_gradient("v", values, analytic, loss, options);
  CHECK(all.checked == 40);
  CHECK(all.worst_index == 13);
  CHECK_FALSE(all.passed);
  options.max_elements = 0;
  CHECK(check_gradient("v", values, analytic, loss, options).checked == 40);
}

TEST_CASE("gradcheck_layers checks each layer on its own input and names the layer at fault") {
  Rng rng(99);
  Sequential<double> net;
  net.add(std::make_unique<Conv2d<double>>(Conv2dOptions{.out_channels = 2, .kernel_h = 3, .kernel_w = 3}));
  net.add(std::make_unique<Activation<double>>(ActivationKind::Tanh));
  net.add(std::make_unique<Flatten<double>>());
  net.add(std::make_unique<ScaledSquare>(ScaledSquare::Mistake::InputGradientHalved));
  net.add(std::make_unique<Dropout<double>>(0.5));
  net.add(std::make_unique<Linear<double>>(LinearOptions{.units = 3}));
  net.build(Shape{1, 5, 5});
  net.init_params(rng);
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 1, 5, 5}, rng);
  const std::vector<int32_t> labels{2, 0};
  const std::vector<LayerGradcheck> rows = gradcheck_layers(net, x, labels, rng);
  std::vector<std::string> names;
  for (const LayerGradcheck& row : rows) {
    INFO(row.layer << " " << row.tensor << ": " << describe(row.report));
    names.push_back(row.layer + " " + row.tensor);
    CHECK(row.report.passed == (row.layer != "square1" || row.tensor != "input"));
  }
  CHECK(names == std::vector<std::string>{"conv1 input", "conv1 weight", "conv1 bias", "tanh1 input",
                                          "flatten1 input", "square1 input", "square1 a", "dropout1 input",
                                          "fc1 input", "fc1 weight", "fc1 bias", "loss logits"});
  CHECK(rows.back().report.shape == Shape{2, 3});

  // Dropout ran in training mode (it dropped some inputs and doubled the others), and passed with its mask
  // held fixed: every one of its 2x18 inputs checked.
  const LayerGradcheck& dropout = rows[7];
  CHECK(dropout.report.passed);
  CHECK(dropout.report.checked == 36);
  int dropped = 0, kept = 0;
  for (int64_t i = 0; i < 36; ++i) {
    dropped += net.activation(4)[i] == 0.0;
    kept += net.activation(4)[i] == 2 * net.activation(3)[i];
  }
  CHECK(dropped > 0);
  CHECK(kept > 0);
  CHECK(dropped + kept == 36);

  const std::vector<LayerGradcheck> only = gradcheck_layers(net, x, labels, rng, {}, "fc1");
  CHECK(only.size() == 3);
  CHECK(gradcheck_layers(net, x, labels, rng, {}, "loss").size() == 1);
  CHECK(test::error_of([&] { gradcheck_layers(net, x, labels, rng, {}, "fc9"); }) ==
        "there is no layer called fc9; the layers are conv1, tanh1, flatten1, square1, dropout1, fc1, and loss");
}
