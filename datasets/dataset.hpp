#pragma once
// A labeled image data set in memory, and what is done to one before training: normalizing its pixels and
// holding part of it out for validation.
//
// Images stay in memory as the bytes the files hold, 0..255, and become network inputs (floats) one batch at
// a time: Fashion-MNIST's 60,000 training images take 47 MB so, instead of 188 MB as floats.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.hpp"

namespace minicnn {

// How a pixel byte p becomes a network input:  x = (p/255 - mean) / stddev.
struct Normalization {
  double mean = 0.0, stddev = 1.0;  // on the [0, 1] scale of p/255
};

// inputs[i] = (pixels[i]/255 - mean) / stddev for every pixel.
void pixels_to_inputs(std::span<const uint8_t> pixels, const Normalization& normalization, float* inputs);

struct Dataset {
  Tensor<uint8_t> pixels;                // [N, C, H, W], 0..255
  std::vector<int32_t> labels;           // [N], each in [0, class_names.size())
  std::vector<std::string> class_names;  // one per class
  std::string source;                    // where the images came from, for messages and logs
  Normalization normalization;           // applied as batches are made

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  // The network inputs of the images at `indices`, in that order: batch becomes [indices.size(), C, H, W].
  void gather(std::span<const int64_t> indices, Tensor<float>& batch) const;
  // The network inputs of every image.
  Tensor<float> inputs() const;
};

// The mean and (population) standard deviation of p/255 over every pixel of every image.
Normalization measure_normalization(const Dataset& data);
// Makes `normalization` the one the data set's batches use. Throws Error unless stddev > 0 and both finite.
void set_normalization(Dataset& data, const Normalization& normalization);

// Splits off round(fraction * N) images for validation, chosen by a shuffle seeded with `seed` (the same seed
// always picks the same images). Returns {training part, validation part}; each part keeps the original
// order of its images. Throws Error unless 0 <= fraction <= 1.
std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed);

// Names for `classes` classes of the data set in `directory`: the ten Fashion-MNIST names when the
// directory's name mentions "fashion" (and classes == 10), otherwise "0", "1", ..., "classes-1".
std::vector<std::string> known_class_names(const std::string& directory, int classes);

}  // namespace minicnn
