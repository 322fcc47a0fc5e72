// Image-folder data sets: classes from sorted subfolders, pixels scaled to [0, 1], sizes checked or resized.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/image.hpp"
#include "datasets/image_folder.hpp"
#include "datasets/training_data.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path root = fs::temp_directory_path() / ("minicnn-folder-test-" + std::to_string(::getpid()));
  Folder() { fs::remove_all(root); }
  ~Folder() { fs::remove_all(root); }

  // A gray image whose every pixel is `value`.
  void add(const std::string& relative, int width, int height, uint8_t value) {
    fs::create_directories((root / relative).parent_path());
    save_png((root / relative).string(), Image{width, height, 1, std::vector<uint8_t>(size_t(width) * height, value)});
  }
};

}  // namespace

TEST_CASE("classes are the sorted subfolders, images are read in name order") {
  Folder f;
  f.add("zebra/b.png", 4, 3, 255);
  f.add("zebra/a.png", 4, 3, 51);
  f.add("ant/x.png", 4, 3, 0);
  fs::create_directories(f.root / "zebra");
  std::fclose(std::fopen((f.root / "zebra" / "notes.txt").c_str(), "w"));  // not an image: ignored
  const Dataset data = load_image_folder(f.root.string(), Shape{1, 3, 4}, false);
  CHECK(data.class_names == std::vector<std::string>{"ant", "zebra"});
  CHECK(data.labels == std::vector<int32_t>{0, 1, 1});
  CHECK(data.pixels.shape() == Shape{3, 1, 3, 4});
  CHECK(data.pixels.at(0, 0, 2, 3) == 0);
  CHECK(data.pixels.at(1, 0, 0, 0) == 51);  // a.png before b.png
  CHECK(data.pixels.at(2, 0, 1, 1) == 255);
}

TEST_CASE("an image of another size is an error naming it, or resized when asked") {
  Folder f;
  f.add("one/big.png", 8, 6, 100);
  CHECK_THROWS_WITH_AS(load_image_folder(f.root.string(), Shape{1, 3, 4}, false),
                       doctest::Contains("big.png: the image is 8x6 but the config's input is 4x3"), Error);
  const Dataset resized = load_image_folder(f.root.string(), Shape{3, 3, 4}, true);
  CHECK(resized.pixels.shape() == Shape{1, 3, 3, 4});
  CHECK(resized.pixels.at(0, 2, 1, 1) == 100);  // gray given as RGB
}

TEST_CASE("folder data sets that cannot be used are clear errors") {
  Folder f;
  CHECK_THROWS_WITH_AS(load_image_folder(f.root.string(), Shape{1, 2, 2}, false), doctest::Contains("not a folder"), Error);
  fs::create_directories(f.root / "empty");
  CHECK_THROWS_WITH_AS(load_image_folder(f.root.string(), Shape{1, 2, 2}, false), doctest::Contains("hold no images"), Error);
  std::fclose(std::fopen((f.root / "empty" / "broken.png").c_str(), "w"));
  CHECK_THROWS_AS(load_image_folder(f.root.string(), Shape{1, 2, 2}, false), Error);
}

TEST_CASE("a folder config loads DIR/train and DIR/test and requires the same classes") {
  Folder f;
  f.add("train/cat/1.png", 2, 2, 10);
  f.add("train/dog/1.png", 2, 2, 20);
  f.add("test/cat/1.png", 2, 2, 30);
  f.add("test/dog/1.png", 2, 2, 40);
  DataConfig config;
  config.format = "folder";
  config.path = f.root.string();
  const TrainingData sets = load_training_data(config, Shape{1, 2, 2}, 1);
  CHECK(sets.train.size() == 2);
  CHECK(sets.test.size() == 2);
  CHECK(sets.test.class_names == sets.train.class_names);
  f.add("test/eel/1.png", 2, 2, 50);
  CHECK_THROWS_WITH_AS(load_training_data(config, Shape{1, 2, 2}, 1),
                       doctest::Contains("its class folders differ from the training set's"), Error);
}
