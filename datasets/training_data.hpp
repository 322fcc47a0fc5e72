#pragma once
// The three data sets of a training run, loaded as a config's "data" section says and checked against the
// network's input shape.
#include "core/shape.hpp"
#include "datasets/dataset.hpp"
#include "models/config.hpp"

namespace minicnn {

struct TrainingData {
  Dataset train, validation, test;  // validation is empty unless data.validation > 0
  Normalization normalization;      // already applied to all three
  double pixel_mean = 0.0;          // mean training pixel in [0, 1] before normalization
};

// Loads the data, holds out the validation part (seeded by `seed`), and normalizes every set with the
// training part's statistics ("standardize") or only by /255 ("scale").
TrainingData load_training_data(const DataConfig& data, const Shape& input, uint64_t seed);

// Loads the test set only, normalized as a trained model's checkpoint recorded, and checked against the
// model's classes (a label beyond them is an Error naming the file).
Dataset load_test_data(const DataConfig& data, const Shape& input, const Normalization& normalization,
                       const std::vector<std::string>& class_names);

}  // namespace minicnn
