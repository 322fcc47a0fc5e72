#include "models/sgd.hpp"

#include <algorithm>

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
    first_element_.push_back(total_elements_);
    total_elements_ += p->value.numel();
  }
}

template <typename T>
void Sgd<T>::step() {
  const T lr = static_cast<T>(options_.learning_rate), mu = static_cast<T>(options_.momentum),
          decay = static_cast<T>(options_.weight_decay);
  const bool nesterov = options_.nesterov;
  // One parallel loop over all parameters' elements, one parameter after another: each block updates the
  // part of each parameter that falls in it.
  parallel_for(total_elements_, [&](const Block& b) {
    for (size_t k = 0; k < params_.size(); ++k) {
      T* w = params_[k]->value.data();
      const T* grad = params_[k]->grad.data();
      T* v = velocities_[k].data();
      const int64_t first = std::max(b.begin, first_element_[k]) - first_element_[k];
      const int64_t last = std::min(b.end, first_element_[k] + params_[k]->value.numel()) - first_element_[k];
      for (int64_t i = first; i < last; ++i) {
        const T g = grad[i] + decay * w[i];
        v[i] = mu * v[i] + g;
        w[i] -= lr * (nesterov ? g + mu * v[i] : v[i]);
      }
    }
  }, kElementwiseGrain);
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace minicnn
