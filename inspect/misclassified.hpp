#pragma once
// Where a trained network goes wrong on its test set: the confusion matrix, and the misclassified images
// it was surest of (the most instructive ones: a mislabeled image, or two classes the network mixes up).
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.hpp"
#include "datasets/dataset.hpp"
#include "models/sequential.hpp"

namespace minicnn {

// confusion[t][p]: how many images of true class t were predicted as class p. Throws Error for a label or
// prediction outside [0, classes) or lists of different lengths.
std::vector<std::vector<int64_t>> confusion_matrix(std::span<const int32_t> labels,
                                                   std::span<const int32_t> predictions, int classes);

struct Mistake {
  int64_t index = 0;        // of the image in the data set
  int32_t label = 0, predicted = 0;
  double confidence = 0.0;  // the softmax probability of the (wrong) predicted class
};

// The `count` (or fewer) misclassified images of `data` with the highest confidence, highest first; ties go
// to the lower index. Runs the network forward (in evaluation mode) on the misclassified images only.
std::vector<Mistake> most_confident_mistakes(Sequential<float>& net, const Dataset& data,
                                             std::span<const int32_t> predictions, int count);

}  // namespace minicnn
