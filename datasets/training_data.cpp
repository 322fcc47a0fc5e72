#include "datasets/training_data.hpp"

#include "core/error.hpp"
#include "datasets/idx.hpp"
#include "datasets/image_folder.hpp"
#include "datasets/synthetic.hpp"

namespace minicnn {
namespace {

// Generated bars: the training images first, then the test images, from one generator seeded with data.seed,
// so that the test set is the same whenever it is generated again (by eval, for a run).
Dataset generate_bars(const DataConfig& data, const Shape& input, Split split) {
  if (input[0] != 1 || input[1] != input[2] || input[1] < 2)
    throw Error("generated bars are 1xSxS images (S >= 2) but the config's input is " + input.str());
  Rng rng(data.seed);
  Dataset images = make_bars(data.train_images, static_cast<int>(input[1]), rng);
  if (split == Split::Test) images = make_bars(data.test_images, static_cast<int>(input[1]), rng);
  images.source = "generated bars (seed " + std::to_string(data.seed) + ")";
  return images;
}

// Folder data sets keep their splits in DIR/train and DIR/test, each with one folder per class. When
// class_names is given (the test split of a training set, or of a trained model), a folder data set must have
// exactly these classes and an IDX one no label beyond their number.
Dataset load_split(const DataConfig& data, const Shape& input, Split split,
                   const std::vector<std::string>& class_names = {}) {
  if (data.format == "bars") return generate_bars(data, input, split);
  if (data.format == "folder")
    return load_image_folder(data.path + (split == Split::Train ? "/train" : "/test"), input, data.resize, class_names);
  Dataset set = load_idx_split(data.path, split, static_cast<int>(class_names.size()));
  const Shape sample = set.pixels.shape().without_batch();
  if (!(sample == input))
    throw Error(set.source + ": images are " + sample.str() + " (CxHxW) but the config's input is " + input.str());
  return set;
}

}  // namespace

TrainingData load_training_data(const DataConfig& data, const Shape& input, uint64_t seed) {
  TrainingData sets;
  sets.train = load_split(data, input, Split::Train);
  if (data.validation > 0) std::tie(sets.train, sets.validation) = split_validation(sets.train, data.validation, seed);
  sets.test = load_split(data, input, Split::Test, sets.train.class_names);
  const Normalization measured = measure_normalization(sets.train);
  sets.pixel_mean = measured.mean;
  if (data.normalize == "standardize") sets.normalization = measured;
  for (Dataset* set : {&sets.train, &sets.validation, &sets.test}) set_normalization(*set, sets.normalization);
  return sets;
}

Dataset load_test_data(const DataConfig& data, const Shape& input, const Normalization& normalization,
                       const std::vector<std::string>& class_names) {
  Dataset test = load_split(data, input, Split::Test, class_names);
  set_normalization(test, normalization);
  return test;
}

}  // namespace minicnn
