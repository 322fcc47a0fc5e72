#include "datasets/dataset.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace minicnn {
namespace {

// The images and labels at `indices`, in that order.
Dataset pick(const Dataset& data, const std::vector<int64_t>& indices, const std::string& part) {
  const Shape image_shape = data.pixels.shape().without_batch();
  const int64_t image_size = image_shape.numel();
  Dataset picked{Tensor<uint8_t>(image_shape.with_batch(static_cast<int64_t>(indices.size()))), {},
                 data.class_names, data.source + " (" + part + ")", data.normalization};
  picked.labels.reserve(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    std::copy_n(data.pixels.data() + indices[i] * image_size, image_size,
                picked.pixels.data() + static_cast<int64_t>(i) * image_size);
    picked.labels.push_back(data.labels[indices[i]]);
  }
  return picked;
}

// The pixels a block of gather() looks up, at least.
constexpr int64_t kGatherGrain = 4096;

// A byte has 256 values: a table of their inputs turns the arithmetic into a lookup.
using InputTable = std::array<float, 256>;
InputTable input_table(const Normalization& normalization) {
  InputTable input_of;
  for (int p = 0; p < 256; ++p) input_of[p] = static_cast<float>((p / 255.0 - normalization.mean) / normalization.stddev);
  return input_of;
}

void look_up_inputs(std::span<const uint8_t> pixels, const InputTable& input_of, float* inputs) {
  std::transform(pixels.begin(), pixels.end(), inputs, [&](uint8_t p) { return input_of[p]; });
}

}  // namespace

void pixels_to_inputs(std::span<const uint8_t> pixels, const Normalization& normalization, float* inputs) {
  look_up_inputs(pixels, input_table(normalization), inputs);
}

void Dataset::gather(std::span<const int64_t> indices, Tensor<float>& batch) const {
  const Shape image_shape = pixels.shape().without_batch();
  const int64_t image_size = image_shape.numel();
  batch.resize(image_shape.with_batch(static_cast<int64_t>(indices.size())));
  const InputTable input_of = input_table(normalization);  // once a batch: 256 divisions cost as much as an image
  // Image by image over the threads: the images lie anywhere in the data set, and each lookup may wait for
  // memory (a batch of 64 MNIST images: 58 µs on one thread).
  parallel_for(static_cast<int64_t>(indices.size()), [&](const Block& b) {
    for (int64_t i = b.begin; i < b.end; ++i)
      look_up_inputs(std::span(pixels.data() + indices[i] * image_size, image_size), input_of,
                     batch.data() + i * image_size);
  }, std::max<int64_t>(1, kGatherGrain / std::max<int64_t>(image_size, 1)));
}

Tensor<float> Dataset::inputs() const {
  Tensor<float> all(pixels.shape());
  pixels_to_inputs(std::span(pixels.data(), pixels.numel()), normalization, all.data());
  return all;
}

Normalization measure_normalization(const Dataset& data) {
  const int64_t count = data.pixels.numel();
  if (count == 0) throw Error("cannot measure the pixel statistics of an empty data set (" + data.source + ")");
  // A histogram of the 256 byte values gives both moments exactly, in one pass over the pixels:
  //   mean = Σ_p h[p]·p / count,  variance = Σ_p h[p]·(p - mean)² / count   (on the p/255 scale).
  std::array<int64_t, 256> histogram{};
  for (uint8_t p : data.pixels) ++histogram[p];
  double sum = 0.0;
  for (int p = 0; p < 256; ++p) sum += static_cast<double>(histogram[p]) * (p / 255.0);
  const double mean = sum / static_cast<double>(count);
  double squares = 0.0;
  for (int p = 0; p < 256; ++p) squares += static_cast<double>(histogram[p]) * (p / 255.0 - mean) * (p / 255.0 - mean);
  return {mean, std::sqrt(squares / static_cast<double>(count))};
}

void set_normalization(Dataset& data, const Normalization& normalization) {
  if (!(normalization.stddev > 0.0) || !std::isfinite(normalization.stddev) || !std::isfinite(normalization.mean))
    throw Error("cannot normalize by mean " + std::to_string(normalization.mean) + " and standard deviation " +
                std::to_string(normalization.stddev) + ": the deviation must be positive and both finite");
  data.normalization = normalization;
}

std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed) {
  if (!(fraction >= 0.0 && fraction <= 1.0))
    throw Error("the validation fraction must be between 0 and 1, got " + std::to_string(fraction));
  const int64_t count = data.size();
  if (data.pixels.rank() < 1 || data.pixels.dim(0) != count)
    throw Error(data.source + ": " + std::to_string(count) + " labels do not match images of shape " +
                data.pixels.shape().str());
  // A Fisher-Yates shuffle of 0..N-1; its first round(fraction * N) entries are the validation images.
  std::vector<int64_t> order(count);
  std::iota(order.begin(), order.end(), int64_t{0});
  Rng rng(seed);
  for (int64_t i = count - 1; i > 0; --i) std::swap(order[i], order[rng.below(static_cast<uint64_t>(i) + 1)]);
  const auto validation_count = static_cast<int64_t>(std::llround(fraction * static_cast<double>(count)));
  std::vector<int64_t> validation(order.begin(), order.begin() + validation_count);
  std::vector<int64_t> training(order.begin() + validation_count, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(training.begin(), training.end());
  return {pick(data, training, "training part"), pick(data, validation, "validation part")};
}

std::vector<std::string> known_class_names(const std::string& directory, int classes) {
  // The directory's own name ("fashion-mnist" in /usr/share/datasets/fashion-mnist/), not its parents'.
  std::filesystem::path path = std::filesystem::path(directory).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // a trailing slash
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (classes == 10 && name.find("fashion") != std::string::npos)
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  std::vector<std::string> names;
  for (int k = 0; k < classes; ++k) names.push_back(std::to_string(k));
  return names;
}

}  // namespace minicnn
