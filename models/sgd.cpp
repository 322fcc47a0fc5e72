#include "models/sgd.hpp"

#include <algorithm>
#include <atomic>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace minicnn {

template <typename T>
Sgd<T>::Sgd(std::vector<Param<T>*> params, const SgdOptions& options)
    : params_(std::move(params)), options_(options) {
  if (options.learning_rate < 0 || options.momentum < 0 || options.weight_decay < 0)
    throw Error("sgd: learning rate, momentum and weight decay must be non-negative");
  if (options.nesterov && options.momentum <= 0) throw Error("sgd: nesterov needs a positive momentum");
  for (Param<T>* p : params_) {
    velocities_.emplace_back(p->value.shape());
    elements_.add(p->value.numel());
  }
}

template <typename T>
void Sgd<T>::step() {
  const T lr = static_cast<T>(options_.learning_rate), mu = static_cast<T>(options_.momentum),
          decay = static_cast<T>(options_.weight_decay);
  const bool nesterov = options_.nesterov;
  // One parallel loop over all parameters' elements, laid end to end.
  parallel_for(elements_.total(), [&](const Block& b) {
    elements_.for_each_part(b.begin, b.end, [&](size_t k, int64_t first, int64_t last) {
      T* w = params_[k]->value.data();
      const T* grad = params_[k]->grad.data();
      T* v = velocities_[k].data();
      for (int64_t i = first; i < last; ++i) {
        const T g = grad[i] + decay * w[i];
        v[i] = mu * v[i] + g;
        w[i] -= lr * (nesterov ? g + mu * v[i] : v[i]);
      }
    });
  }, kElementwiseGrain);
}

template <typename T>
bool Sgd<T>::gradients_finite() const {
  std::atomic<bool> finite{true};
  parallel_for(elements_.total(), [&](const Block& b) {
    elements_.for_each_part(b.begin, b.end, [&](size_t k, int64_t first, int64_t last) {
      if (!all_finite(params_[k]->grad.data() + first, last - first)) finite = false;
    });
  }, kElementwiseGrain);
  return finite;
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace minicnn
