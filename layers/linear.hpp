#pragma once
// Linear (fully connected), as PyTorch's nn.Linear:  y[n,:] = W · x[n,:] + b,  W is [OUT, IN].
// For the whole batch, one GEMM:  Y[N,OUT] = X[N,IN] · Wᵀ[IN,OUT] + b.
#include <vector>

#include "layers/init.hpp"
#include "layers/layer.hpp"

namespace minicnn {

struct LinearOptions {
  int units = 1;
  bool bias = true;
  Init init = Init::XavierUniform;
};

template <typename T>
class Linear : public Layer<T> {
 public:
  explicit Linear(const LinearOptions& options) : options_(options) {}

  std::string kind() const override { return "linear"; }
  Shape setup(const Shape& input) override;
  void forward(const Tensor<T>& x, Tensor<T>& y, const Context& ctx) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx) override;
  std::vector<Param<T>*> params() override;
  void init_params(Rng& rng) override;

  const LinearOptions& options() const { return options_; }
  int in_features() const { return in_features_; }
  Param<T>& weight() { return weight_; }  // [OUT, IN]
  Param<T>& bias() { return bias_; }      // [OUT]

  // The forward's batches from this size on go through the register tile's GEMM (core/tile_gemm.hpp), the
  // backward's always: the forward packs W, OUT·IN moves, 1/N of its multiply-adds. Smaller batches take a
  // dot product per unit and image.
  static constexpr int kTileLeastBatch = 16;

 private:
  LinearOptions options_;
  int in_features_ = 0;
  Param<T> weight_, bias_;
  Tensor<T> x_t_, y_t_;  // the forward's Xᵀ [IN, N] and Yᵀ [OUT, N] on the register tile's GEMM
};

}  // namespace minicnn
