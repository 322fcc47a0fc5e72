// Pixel normalization, the validation split and class names of an in-memory data set.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "datasets/dataset.hpp"

using namespace minicnn;

namespace {

// n images of 1x2x3 labelled index % 3, whose pixels spell their index (index % 256, index / 256, then
// index % 256 four times): which image went where can be read off its pixels.
Dataset numbered_images(int64_t n) {
  Dataset data{Tensor<uint8_t>(Shape{n, 1, 2, 3}), {}, {"a", "b", "c"}, "numbered", {}};
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* image = data.pixels.data() + i * 6;
    std::fill_n(image, 6, static_cast<uint8_t>(i % 256));
    image[1] = static_cast<uint8_t>(i / 256);
    data.labels.push_back(static_cast<int32_t>(i % 3));
  }
  return data;
}

// The image indices a part holds, checking that each image is intact and kept its own label.
std::vector<int64_t> indices_of(const Dataset& part) {
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < part.size(); ++i) {
    const uint8_t* image = part.pixels.data() + i * 6;
    const int64_t index = image[0] + 256 * image[1];
    CHECK(std::all_of(image + 2, image + 6, [&](uint8_t p) { return p == index % 256; }));
    CHECK(part.labels[i] == index % 3);
    indices.push_back(index);
  }
  return indices;
}

}  // namespace

TEST_CASE("measure_normalization gives the mean and population deviation of all pixels, on the p/255 scale") {
  // Pixels 0, 1, ..., 255, each 4 times: mean 127.5/255 = 0.5, variance (256^2 - 1) / 12 / 255^2.
  Dataset data{Tensor<uint8_t>(Shape{4, 1, 16, 16}), std::vector<int32_t>(4), {}, "ramp", {}};
  for (int64_t i = 0; i < data.pixels.numel(); ++i) data.pixels[i] = static_cast<uint8_t>(i % 256);
  const Normalization measured = measure_normalization(data);
  CHECK(measured.mean == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(measured.stddev == doctest::Approx(std::sqrt((256.0 * 256 - 1) / 12) / 255).epsilon(1e-12));
}

TEST_CASE("batches are made of x = (p/255 - mean) / stddev, which has mean 0 and deviation 1") {
  Dataset data = numbered_images(50);
  const Normalization measured = measure_normalization(data);
  set_normalization(data, measured);
  Tensor<float> batch;
  const std::vector<int64_t> picked{17, 3};
  data.gather(picked, batch);
  CHECK(batch.shape() == Shape{2, 1, 2, 3});
  for (int64_t k = 0; k < 6; ++k) {
    CHECK(batch[k] == doctest::Approx((data.pixels[17 * 6 + k] / 255.0 - measured.mean) / measured.stddev));
    CHECK(batch[6 + k] == doctest::Approx((data.pixels[3 * 6 + k] / 255.0 - measured.mean) / measured.stddev));
  }
  const Tensor<float> all = data.inputs();
  double sum = 0.0, squares = 0.0;
  for (float x : all) sum += x, squares += static_cast<double>(x) * x;
  CHECK(std::abs(sum / all.numel()) < 1e-6);
  CHECK(squares / all.numel() == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("normalization refuses what it cannot do") {
  Dataset data = numbered_images(3);
  CHECK_THROWS_AS(set_normalization(data, Normalization{0.5, 0.0}), Error);
  CHECK_THROWS_AS(set_normalization(data, Normalization{0.5, -1.0}), Error);
  CHECK_THROWS_AS(set_normalization(data, Normalization{NAN, 1.0}), Error);
  CHECK(data.normalization.stddev == 1.0);  // untouched by the refused calls
  Dataset empty{Tensor<uint8_t>(Shape{0, 1, 2, 3}), {}, {}, "empty", {}};
  CHECK_THROWS_AS(measure_normalization(empty), Error);
}

TEST_CASE("split_validation holds out round(fraction * N) images, each exactly once, in order") {
  const Dataset data = numbered_images(1000);
  const auto [training, validation] = split_validation(data, 0.1, 42);
  CHECK(validation.size() == 100);
  CHECK(training.size() == 900);
  CHECK(validation.pixels.shape() == Shape{100, 1, 2, 3});
  CHECK(training.pixels.shape() == Shape{900, 1, 2, 3});
  const std::vector<int64_t> held_out = indices_of(validation), kept = indices_of(training);
  CHECK(std::is_sorted(held_out.begin(), held_out.end()));
  CHECK(std::is_sorted(kept.begin(), kept.end()));
  std::set<int64_t> all(held_out.begin(), held_out.end());
  all.insert(kept.begin(), kept.end());
  CHECK(all.size() == 1000);  // no image lost or duplicated
  // Shuffled, not simply the first or last hundred.
  CHECK(held_out.back() >= 100);
  CHECK(held_out.front() < 900);
  CHECK(validation.class_names == data.class_names);
  CHECK(training.class_names == data.class_names);
}

TEST_CASE("split_validation is deterministic in its seed") {
  const Dataset data = numbered_images(200);
  const std::vector<int64_t> first = indices_of(split_validation(data, 0.25, 7).second);
  CHECK(indices_of(split_validation(data, 0.25, 7).second) == first);
  CHECK(indices_of(split_validation(data, 0.25, 8).second) != first);
}

TEST_CASE("split_validation at the edges") {
  const Dataset data = numbered_images(7);
  SUBCASE("fraction 0: no validation images, the training part is the whole set") {
    const auto [training, validation] = split_validation(data, 0.0, 1);
    CHECK(validation.size() == 0);
    CHECK(validation.pixels.shape() == Shape{0, 1, 2, 3});
    CHECK(indices_of(training) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  }
  SUBCASE("fraction 1: everything is validation") {
    const auto [training, validation] = split_validation(data, 1.0, 1);
    CHECK(training.size() == 0);
    CHECK(indices_of(validation) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  }
  SUBCASE("rounding: 0.5 of 7 images is 4, 0.2 of 7 is 1") {
    CHECK(split_validation(data, 0.5, 1).second.size() == 4);
    CHECK(split_validation(data, 0.2, 1).second.size() == 1);
  }
  SUBCASE("a fraction outside [0, 1] is an error") {
    CHECK_THROWS_AS(split_validation(data, -0.1, 1), Error);
    CHECK_THROWS_AS(split_validation(data, 1.5, 1), Error);
    CHECK_THROWS_AS(split_validation(data, NAN, 1), Error);
  }
}

TEST_CASE("known_class_names: Fashion-MNIST's names when the directory says fashion, numbers otherwise") {
  const std::vector<std::string> fashion = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  const std::vector<std::string> digits = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  CHECK(known_class_names("/usr/share/datasets/fashion-mnist", 10) == fashion);
  CHECK(known_class_names("data/Fashion_MNIST/", 10) == fashion);  // any case, trailing slash
  CHECK(known_class_names("../shared/data/mnist", 10) == digits);
  CHECK(known_class_names("/fashion/mnist", 10) == digits);  // only the directory's own name counts
  CHECK(known_class_names("fashion-mnist", 12) == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7",
                                                                            "8", "9", "10", "11"});
  CHECK(known_class_names("letters", 3) == std::vector<std::string>{"0", "1", "2"});
}
