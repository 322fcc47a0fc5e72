#pragma once
// A run's first convolution layer through training, kept in RUN/filters/:
//   epoch-NNN.npy        its weights after epoch NNN (000: as initialized), float32 [OC, IC, KH, KW]
//   epoch-NNN.png        their grid (filter_grid.hpp); every epoch drawn with one scale, the run's
//   epoch-NNN-grad.npy   dL/dW: the gradient of the loss over a fixed batch of training images
//   epoch-NNN-grad.png   its grid, with its own scale (gradients shrink as the loss falls)
//   scale.json           {"layer": "conv1", "scale": s}: the |w| drawn white (and -s black) in every
//                        epoch-NNN.png, also in each picture's PNG text ("minicnn.scale")
// The run's scale is the largest |w| over every recorded epoch. When a new epoch raises it, the earlier
// pictures are drawn again, so that at any moment all the pictures of a run are comparable.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "models/sequential.hpp"

namespace minicnn {

// How many training images (the first ones, in order) the recorded gradient is taken over.
constexpr int64_t kGradientImages = 256;

// Records one epoch (0: the initialization) of `layer`'s weight and its gradient, and draws the pictures
// that need it. Returns the run's scale.
double record_filters(const std::string& run_dir, const std::string& layer, int epoch, const Tensor<float>& weight,
                      const Tensor<float>& gradient);

// The epochs recorded in RUN/filters/ from 0 to last_epoch, in order (none when there is no history).
std::vector<int> recorded_filter_epochs(const std::string& run_dir, int last_epoch);

// "as initialized" for epoch 0, "after epoch 3" otherwise: how pictures and reports name a recorded epoch.
std::string epoch_words(int epoch);

// RUN/filters/epoch-NNN<suffix>: the file of one recorded epoch, suffix ".npy", ".png", "-grad.png", ...
std::string filter_history_path(const std::string& run_dir, int epoch, const std::string& suffix);

struct RunFilterScale {
  std::string layer;
  double scale = 0.0;
};
// RUN/filters/scale.json, when the run has recorded its filters.
std::optional<RunFilterScale> read_run_filter_scale(const std::string& run_dir);

// dL/dW of layer `layer` (a convolution) for the loss over these images, in evaluation mode (no dropout)
// and without weight decay. Leaves the network's gradients set; training clears them before its next step.
Tensor<float> conv_weight_gradient(Sequential<float>& net, size_t layer, const Tensor<float>& images,
                                   std::span<const int32_t> labels);

}  // namespace minicnn
