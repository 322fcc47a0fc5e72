// Test-only: the minicnn program with two more layer types, each a built-in layer whose backward is
// deliberately wrong in a way real bugs are. test_cmd_gradcheck runs `gradcheck` on configs using them and
// expects exit status 1 with the layer named. Linked with the program's own main() into the
// minicnn_wrong_backward program, never shipped; the types are registered before main() runs.
//   wrong_conv2d   conv2d whose dx misses the last input column (an off-by-one in a col2im loop bound)
//   wrong_linear   linear whose bias gradient is counted twice
#include <memory>

#include "layers/layer.hpp"
#include "models/config.hpp"

namespace minicnn {
namespace {

enum class Mistake { DropLastInputColumn, DoubleLastParamGradient };

// Wraps a layer: forward as the layer does, backward as the layer does and then the mistake.
template <typename T>
class WrongBackward : public Layer<T> {
 public:
  WrongBackward(std::unique_ptr<Layer<T>> inner, std::string kind, Mistake mistake)
      : inner_(std::move(inner)), kind_(std::move(kind)), mistake_(mistake) {}

  std::string kind() const override { return kind_; }
  Shape setup(const Shape& input) override {
    inner_->name = this->name;  // the parameters are named after this layer
    return inner_->setup(input);
  }
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override { inner_->forward(x, y, ctx); }
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override {
    Tensor<T> own_dx(dx.shape());
    std::vector<Tensor<T>> grads_before;
    for (Param<T>* p : params()) grads_before.push_back(p->grad);
    inner_->backward(x, y, dy, own_dx);
    const int64_t width = x.dim(x.rank() - 1);
    for (int64_t i = 0; i < dx.numel(); ++i)
      dx[i] = mistake_ == Mistake::DropLastInputColumn && i % width == width - 1 ? T(0) : own_dx[i];
    if (mistake_ == Mistake::DoubleLastParamGradient) {
      Param<T>& p = *params().back();
      const Tensor<T>& before = grads_before.back();
      for (int64_t i = 0; i < p.grad.numel(); ++i) p.grad[i] += p.grad[i] - before[i];
    }
  }
  std::vector<Param<T>*> params() override { return inner_->params(); }
  void init_params(Rng& rng) override { inner_->init_params(rng); }

 private:
  std::unique_ptr<Layer<T>> inner_;
  std::string kind_;
  Mistake mistake_;
};

bool add_wrong_type(const std::string& type, const std::string& fields_of, Mistake mistake) {
  register_layer_type(LayerTypeExtension{
      type, fields_of,
      [=](std::unique_ptr<Layer<float>> layer) -> std::unique_ptr<Layer<float>> {
        return std::make_unique<WrongBackward<float>>(std::move(layer), type, mistake);
      },
      [=](std::unique_ptr<Layer<double>> layer) -> std::unique_ptr<Layer<double>> {
        return std::make_unique<WrongBackward<double>>(std::move(layer), type, mistake);
      }});
  return true;
}

[[maybe_unused]] const bool registered = add_wrong_type("wrong_conv2d", "conv2d", Mistake::DropLastInputColumn) &&
                                         add_wrong_type("wrong_linear", "linear", Mistake::DoubleLastParamGradient);

}  // namespace
}  // namespace minicnn
