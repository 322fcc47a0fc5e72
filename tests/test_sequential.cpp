// Sequential: layer names, shape checking with messages that name the layer and the numbers, and the whole
// network's backward against finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "layers/activation.hpp"
#include "layers/conv2d.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pool2d.hpp"
#include "models/sequential.hpp"

using namespace minicnn;

namespace {

template <typename T>
std::unique_ptr<Layer<T>> conv(int filters, int kernel, int pad = 0) {
  return std::make_unique<Conv2d<T>>(
      Conv2dOptions{.out_channels = filters, .kernel_h = kernel, .kernel_w = kernel, .pad_h = pad, .pad_w = pad});
}

// The message of the Error that building net for input throws.
template <typename T>
std::string build_error(Sequential<T>& net, const Shape& input) {
  try {
    net.build(input);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("unnamed layers are named after their kind and rank among that kind, and so are their parameters") {
  Sequential<float> net;
  net.add(conv<float>(4, 3));
  net.add(std::make_unique<Activation<float>>(ActivationKind::ReLU));
  net.add(conv<float>(4, 3));
  net.add(std::make_unique<Pool2d<float>>(Pool2dOptions{}));
  net.add(std::make_unique<Flatten<float>>());
  net.add(std::make_unique<Linear<float>>(LinearOptions{.units = 2}));
  net.build(Shape{1, 10, 10});
  const std::string names[] = {"conv1", "relu1", "conv2", "pool1", "flatten1", "fc1"};
  for (size_t i = 0; i < net.size(); ++i) CHECK(net.layer(i).name == names[i]);
  const std::string params[] = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight",
                          "fc1.bias"};
  REQUIRE(net.params().size() == 6);
  for (size_t i = 0; i < 6; ++i) CHECK(net.params()[i]->name == params[i]);
  // 1x10x10 -> conv 3x3: 4x8x8 -> relu -> conv 3x3: 4x6x6 -> pool 2x2: 4x3x3 -> 36 -> 2
  CHECK(net.output_shape(2) == Shape{4, 6, 6});
  CHECK(net.output_shape(3) == Shape{4, 3, 3});
  CHECK(net.output_shape(4) == Shape{36});
  CHECK(net.output_shape(5) == Shape{2});

  Sequential<float> named;
  named.add(conv<float>(2, 3)).name = "stem";
  named.add(conv<float>(2, 3));
  named.build(Shape{1, 8, 8});
  CHECK(named.layer(0).name == "stem");
  CHECK(named.layer(1).name == "conv2");  // the second conv, whatever the first is called
}

TEST_CASE("a layer that does not fit names itself and the numbers") {
  Sequential<float> net;
  net.add(conv<float>(2, 3));
  net.add(conv<float>(2, 5));
  CHECK(build_error(net, Shape{1, 5, 5}) == "conv2: kernel 5x5 does not fit input 3x3 (padding 0)");
}

TEST_CASE("linear straight after a convolution, without flatten, is an error") {
  Sequential<float> net;
  net.add(conv<float>(4, 3));
  net.add(std::make_unique<Linear<float>>(LinearOptions{.units = 2}));
  CHECK(build_error(net, Shape{1, 5, 5}) == "fc1: expects a flat input, got 4x3x3 (add a flatten layer before it)");
}

TEST_CASE("running an unbuilt network, a network without layers, or a batch of the wrong shape is an error") {
  Sequential<float> empty;
  CHECK(build_error(empty, Shape{1, 4, 4}) == "the network has no layers");

  Sequential<float> net;
  net.add(std::make_unique<Flatten<float>>());
  Tensor<float> x(Shape{2, 1, 4, 4});
  CHECK_THROWS_WITH_AS(net.forward(x, Context{}), "the network must be built before it runs", Error);
  net.build(Shape{1, 4, 4});
  Tensor<float> wrong(Shape{2, 1, 4, 5});
  CHECK_THROWS_WITH_AS(net.forward(wrong, Context{}),
                       "the network expects samples of shape 1x4x4, got a batch of shape 2x1x4x5", Error);
  CHECK(net.forward(x, Context{}).shape() == Shape{2, 16});
}

namespace {

// A small network using every kind of layer: conv (padded, strided) -> tanh -> maxpool -> conv -> leaky ReLU
// -> avgpool -> flatten -> dropout -> linear.
Sequential<double> tiny_net(Rng& rng) {
  Sequential<double> net;
  net.add(std::make_unique<Conv2d<double>>(Conv2dOptions{.out_channels = 3, .kernel_h = 3, .kernel_w = 2,
                                                         .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 1}));
  net.add(std::make_unique<Activation<double>>(ActivationKind::Tanh));
  net.add(std::make_unique<Pool2d<double>>(Pool2dOptions{.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1}));
  net.add(conv<double>(2, 2));
  net.add(std::make_unique<Activation<double>>(ActivationKind::LeakyReLU, 0.1));
  net.add(std::make_unique<Pool2d<double>>(Pool2dOptions{.method = PoolMethod::Average}));
  net.add(std::make_unique<Flatten<double>>());
  net.add(std::make_unique<Dropout<double>>(0.3));
  net.add(std::make_unique<Linear<double>>(LinearOptions{.units = 3}));
  net.build(Shape{2, 7, 8});
  net.init_params(rng);
  // Non-zero biases, so that they matter to the check.
  for (Param<double>* p : net.params())
    if (p->name.ends_with(".bias")) p->value = test::random_tensor<double>(p->value.shape(), rng, -0.5, 0.5);
  return net;
}

}  // namespace

TEST_CASE("the network's backward equals finite differences end to end, with dropout in training") {
  Rng rng(111);
  Sequential<double> net = tiny_net(rng);
  const Tensor<double> x = test::random_tensor<double>(Shape{3, 2, 7, 8}, rng);
  Rng dropout_rng(112);
  const std::vector<GradcheckReport> reports = gradcheck(net, x, Context{true, &dropout_rng});
  REQUIRE(reports.size() == 1 + net.params().size());
  for (size_t i = 0; i < net.params().size(); ++i) CHECK(reports[i + 1].name == net.params()[i]->name);
  // Random values: no max-pool tie nor leaky ReLU input within a step of 0, so nothing may be skipped.
  test::check_gradients(reports);
}

TEST_CASE("a backward without the input gradient gives the same parameter gradients and leaves dL/dx alone") {
  Rng rng(114);
  Sequential<double> net = tiny_net(rng);
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 2, 7, 8}, rng);
  const Tensor<double> dlogits = test::random_tensor<double>(net.forward(x, Context{}).shape(), rng);
  auto parameter_gradients = [&](Sequential<double>::InputGradient wanted) {
    net.zero_grad();
    net.output_gradient() = dlogits;
    net.backward(x, wanted);
    std::vector<double> all;
    for (Param<double>* p : net.params()) all.insert(all.end(), p->grad.begin(), p->grad.end());
    return all;
  };
  const std::vector<double> with_input = parameter_gradients(Sequential<double>::InputGradient::Wanted);
  const std::vector<double> input_gradient(net.input_gradient().begin(), net.input_gradient().end());
  CHECK(std::any_of(input_gradient.begin(), input_gradient.end(), [](double g) { return g != 0.0; }));
  for (double& g : net.output_gradient()) g *= 2;  // so that a dL/dx computed again would differ
  CHECK(parameter_gradients(Sequential<double>::InputGradient::NotWanted) == with_input);
  CHECK(std::equal(input_gradient.begin(), input_gradient.end(), net.input_gradient().begin()));  // not computed
}

TEST_CASE("backward writes the activation gradients and adds into the parameter gradients, which zero_grad clears") {
  Rng rng(113);
  Sequential<double> net = tiny_net(rng);
  const Tensor<double> x = test::random_tensor<double>(Shape{2, 2, 7, 8}, rng);
  net.forward(x, Context{});
  net.zero_grad();
  for (double& g : net.output_gradient()) g = rng.uniform(-1.0, 1.0);
  const Tensor<double> dlogits = net.output_gradient();
  net.backward(x);
  std::vector<Tensor<double>> activation_gradients{net.input_gradient()}, parameter_gradients;
  for (size_t i = 0; i < net.size(); ++i) activation_gradients.push_back(net.activation_gradient(i));
  for (Param<double>* p : net.params()) parameter_gradients.push_back(p->grad);
  auto all_zero = [](const Tensor<double>& t) {
    return std::all_of(t.begin(), t.end(), [](double v) { return v == 0.0; });
  };
  CHECK_FALSE(all_zero(activation_gradients.front()));
  CHECK_FALSE(all_zero(parameter_gradients.front()));

  // A second backward without zero_grad: the same activation gradients, twice the parameter gradients.
  net.output_gradient() = dlogits;
  net.backward(x);
  CHECK(std::equal(activation_gradients[0].begin(), activation_gradients[0].end(), net.input_gradient().begin()));
  for (size_t i = 0; i < net.size(); ++i) {
    INFO("layer " << i);
    const Tensor<double>& again = net.activation_gradient(i);
    CHECK(std::equal(again.begin(), again.end(), activation_gradients[i + 1].begin()));
  }
  for (size_t k = 0; k < net.params().size(); ++k)
    for (int64_t i = 0; i < parameter_gradients[k].numel(); ++i)
      CHECK(net.params()[k]->grad[i] == doctest::Approx(2 * parameter_gradients[k][i]).epsilon(1e-14));

  net.zero_grad();
  for (Param<double>* p : net.params()) CHECK(all_zero(p->grad));
}
