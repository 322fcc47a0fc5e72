#pragma once
// One SGD update of one chosen weight, with its numbers: what `minicnn train --trace-step N` prints.
// The update is the one of models/sgd.hpp, for the weight w with gradient grad and momentum buffer v:
//   g ← grad + λ·w,   v ← μ·v + g,   w ← w − η·(nesterov ? g + μ·v : v)
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/sgd.hpp"

namespace minicnn {

struct SgdTraceRequest {
  std::string weight;  // "conv1.weight[0,0,1,1]"; empty: the first parameter's first element
  int64_t step = 1;    // the SGD step to show, counted from 1 over the whole run
};

struct SgdTrace {
  std::string weight;                       // "conv1.weight[0,0,1,1]"
  int64_t step = 0, batch = 0, batches = 0;  // the step of the run; its batch among the epoch's batches
  int epoch = 0, batch_size = 0;
  SgdOptions sgd;                           // the learning rate, momentum, weight decay in force
  double w = 0, grad = 0, velocity_before = 0;  // before the step
  double velocity = 0, new_w = 0;               // after it, as the optimizer stored them
};

// Watches one weight through a run. Made once the network's parameters and the optimizer's state are final
// (after a resume restored them); told after every SGD step, it returns the trace at the chosen step.
class SgdTracer {
 public:
  // An Error naming the parameters and their shapes when the weight is not one of them.
  SgdTracer(const SgdTraceRequest& request, const std::vector<Param<float>*>& params, Sgd<float>& sgd);

  // After step `step` of the run (epoch from 1, batch from 1 of batches): the trace when it is the chosen one.
  std::optional<SgdTrace> after_step(int64_t step, int epoch, int64_t batch, int64_t batches, int batch_size);

 private:
  const Param<float>* param_ = nullptr;
  const Tensor<float>* velocity_ = nullptr;
  const Sgd<float>* sgd_ = nullptr;
  int64_t index_ = 0, chosen_step_ = 1;
  std::string weight_;
  float w_before_ = 0, velocity_before_ = 0;
};

// The trace as the lines printed: each value, and each formula with the numbers put in.
std::string describe(const SgdTrace& trace);

}  // namespace minicnn
