#pragma once
// Data-parallel training: on T threads, a batch is cut into T parts, and each thread runs the whole network
// over its own part, forward and backward, single-threaded, on a replica of the network
// (Sequential::replica) that trains the same weights and keeps activations and gradients of its own. The
// replicas' gradients are then added into the network's, in part order: a given thread count gives the
// same weights, bit for bit.
//
// Why, rather than the layers' own parallel loops (core/parallel.hpp): a training step of those is some 20
// parallel loops, each ending with the faster thread waiting for the slower, and the conv layers' backward
// sums a share of the weight gradient per block of images. Here a step is one parallel region, each thread
// working from its part's input to its part's loss and back, with one sum of the gradients at the end
// (docs/performance.md, item 21). What it costs: a part is fixed, so when one core runs slower the other
// waits for it at the end of the step; a batch of one image has no parts, and the layers' loops train it.
//
// The loss is the whole batch's mean: each part's logit gradient is (p - onehot) / B for the batch's B
// images, so that the parts' gradients add up to the batch's. Dropout draws its masks from a generator of
// the part's own, seeded from the run's generator at every step, in part order.
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "layers/softmax_cross_entropy.hpp"
#include "models/sequential.hpp"

namespace minicnn {

class DataParallel {
 public:
  // The parts a training batch of `count` images is cut into: one a thread, at most one an image.
  static int parts(int64_t count);

  struct Outcome {
    double loss = 0.0;    // the batch's mean loss
    int64_t correct = 0;  // the images whose arg-max logit is their label
  };
  // Trains on the batch (images, labels) of parts(count) >= 2 parts: afterwards net's parameter gradients
  // hold the gradient of the batch's mean loss (they are cleared first), and each replica its part's
  // activations. rng seeds the parts' generators.
  Outcome step(Sequential<float>& net, const Tensor<float>& images, std::span<const int32_t> labels, Rng& rng);

  // Where the last step first met a NaN or an infinity (Sequential::first_non_finite): in the replicas
  // first, since net's gradients hold theirs too, and a value that went bad in a replica would show in net
  // only as a gradient; then in net, which ran part 0.
  std::string first_non_finite(const Sequential<float>& net) const;

  // The network that ran part t >= 1 of the last step (part 0 ran on net itself).
  const Sequential<float>& replica(int t) const { return parts_.at(t).replica; }

 private:
  struct Part {
    Sequential<float> replica;  // part 0 runs on the network itself and leaves this empty
    SoftmaxCrossEntropy<float> loss;
    Rng rng;
    Outcome outcome;
    std::exception_ptr error;  // thrown on the part's thread, rethrown after the region
  };
  std::vector<Part> parts_;
  int used_ = 0;  // the parts of the last step
};

}  // namespace minicnn
