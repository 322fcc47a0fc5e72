// MNIST-format (IDX) files: round trips through the writer, every kind of broken or lying file, and, when
// they are on this machine, the real Fashion-MNIST and MNIST.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <new>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "datasets/byte_io.hpp"
#include "datasets/idx.hpp"
#include "helpers.hpp"

// Every request to operator new is measured, so that a test can show that a lying header was turned down
// without a buffer of the claimed size ever being asked for.
namespace {
std::atomic<size_t> largest_allocation{0};
}

void* operator new(size_t size) {
  size_t largest = largest_allocation.load();
  while (size > largest && !largest_allocation.compare_exchange_weak(largest, size)) {
  }
  if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
  throw std::bad_alloc();
}
// GCC cannot see that the replaced operator new above is malloc, and would warn about the free below.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, size_t) noexcept { std::free(block); }
#pragma GCC diagnostic pop

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name = "idx")
      : path(fs::temp_directory_path() / ("minicnn_test_" + std::to_string(getpid())) / name) {
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path.parent_path()); }
  std::string str() const { return path.string(); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// n random images of rows x cols (not square, so that swapped axes show) with random bytes, and labels 0-9.
Dataset random_images(int64_t n, int64_t rows, int64_t cols, uint64_t seed) {
  Rng rng(seed);
  Dataset data{Tensor<uint8_t>(Shape{n, 1, rows, cols}), {}, {}, "random", {}};
  for (uint8_t& p : data.pixels) p = static_cast<uint8_t>(rng.below(256));
  for (int64_t i = 0; i < n; ++i) data.labels.push_back(static_cast<int32_t>(rng.below(10)));
  return data;
}

// An IDX file's bytes written by hand: a header with any magic number and sizes, then `values` bytes.
std::vector<uint8_t> idx_bytes(uint32_t magic, const std::vector<uint32_t>& sizes, size_t values) {
  std::vector<uint8_t> bytes;
  const auto put_big_endian = [&](uint32_t word) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(word >> shift));
  };
  put_big_endian(magic);
  for (uint32_t size : sizes) put_big_endian(size);
  for (size_t i = 0; i < values; ++i) bytes.push_back(static_cast<uint8_t>(i % 10));
  return bytes;
}

using minicnn::test::error_of;

// The error is one line, names the file, and says `what`.
void check_error(const std::string& message, const std::string& file, const std::string& what) {
  CAPTURE(message);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.starts_with(file + ": "));
  CHECK(message.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("a split written by write_idx_split loads back exactly, plain and gzip") {
  const Dataset data = random_images(37, 5, 4, 3);
  for (const bool compressed : {false, true}) {
    CAPTURE(compressed);
    TempDir dir;
    write_idx_split(dir.str(), Split::Test, data, compressed);
    const std::string images_file = dir / ("t10k-images-idx3-ubyte" + std::string(compressed ? ".gz" : ""));
    REQUIRE(fs::exists(images_file));
    REQUIRE(fs::exists(dir / ("t10k-labels-idx1-ubyte" + std::string(compressed ? ".gz" : ""))));
    if (!compressed) CHECK(fs::file_size(images_file) == 16 + 37 * 5 * 4);  // header + one byte per pixel

    const Dataset loaded = load_idx_split(dir.str(), Split::Test);
    CHECK(loaded.pixels.shape() == Shape{37, 1, 5, 4});
    CHECK(std::equal(loaded.pixels.begin(), loaded.pixels.end(), data.pixels.begin(), data.pixels.end()));
    CHECK(loaded.labels == data.labels);
    CHECK(loaded.class_names == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
    CHECK(loaded.source.find(dir.str()) != std::string::npos);
    // The file functions on their own agree.
    CHECK(read_idx_labels(dir / ("t10k-labels-idx1-ubyte" + std::string(compressed ? ".gz" : ""))) == data.labels);
    const Tensor<uint8_t> images = read_idx_images(images_file);
    CHECK(std::equal(images.begin(), images.end(), data.pixels.begin(), data.pixels.end()));
    // The training split is looked for under its own names.
    check_error(error_of([&] { load_idx_split(dir.str(), Split::Train); }), dir.str(), "no training images file");
  }
}

TEST_CASE("write_idx refuses what IDX cannot hold") {
  TempDir dir;
  check_error(error_of([&] { write_idx(dir / "px", Tensor<uint8_t>(Shape{1, 3, 2, 2})); }), dir / "px",
              "IDX holds [N, 1, rows, cols] images, not 1x3x2x2");
  check_error(error_of([&] { write_idx(dir / "lb", std::vector<int32_t>{3, 256}); }), dir / "lb", "label 256");
}

TEST_CASE("the dotted spelling of the file names is accepted") {
  TempDir dir;
  const Dataset data = random_images(6, 3, 2, 5);
  write_idx(dir / "train-images.idx3-ubyte.gz", data.pixels);
  write_idx(dir / "train-labels.idx1-ubyte", data.labels);
  const Dataset loaded = load_idx_split(dir.str(), Split::Train);
  CHECK(loaded.labels == data.labels);
  CHECK(std::equal(loaded.pixels.begin(), loaded.pixels.end(), data.pixels.begin(), data.pixels.end()));
}

TEST_CASE("class names and the number of classes") {
  Dataset data = random_images(20, 2, 2, 9);
  SUBCASE("a directory named for fashion gets Fashion-MNIST's names") {
    TempDir dir("my-fashion-set");
    write_idx_split(dir.str(), Split::Train, data, false);
    const Dataset loaded = load_idx_split(dir.str(), Split::Train);
    CHECK(loaded.class_names.size() == 10);
    CHECK(loaded.class_names[0] == "T-shirt/top");
    CHECK(loaded.class_names[9] == "Ankle boot");
  }
  SUBCASE("labels above 9 raise the count to the largest label + 1") {
    TempDir dir;
    data.labels[13] = 12;
    write_idx_split(dir.str(), Split::Train, data, false);
    CHECK(load_idx_split(dir.str(), Split::Train).class_names.size() == 13);
    // With the number of classes given, a label at or above it is an error naming the labels file.
    check_error(error_of([&] { load_idx_split(dir.str(), Split::Train, 10); }), dir / "train-labels-idx1-ubyte",
                "label 12 (item 13) is out of range for 10 classes");
    CHECK(load_idx_split(dir.str(), Split::Train, 16).class_names.size() == 16);
  }
}

TEST_CASE("broken files are one-line errors naming the file") {
  const Dataset data = random_images(37, 5, 4, 11);
  for (const std::string extension : {"", ".gz"}) {
    CAPTURE(extension);
    TempDir dir;
    write_idx_split(dir.str(), Split::Train, data, !extension.empty());
    const std::string images = dir / ("train-images-idx3-ubyte" + extension);
    const std::string labels = dir / ("train-labels-idx1-ubyte" + extension);
    const auto load_with = [&](const std::string& path, const std::vector<uint8_t>& bytes) {
      write_bytes(path, bytes);
      return error_of([&] { load_idx_split(dir.str(), Split::Train); });
    };
    const std::vector<uint8_t> good_images = idx_bytes(2051, {37, 5, 4}, 37 * 20);

    SUBCASE("truncated header") {
      check_error(load_with(images, std::vector<uint8_t>(good_images.begin(), good_images.begin() + 10)), images,
                  "the file ends inside the IDX header");
      check_error(load_with(images, {}), images, "the file ends inside the IDX header");
    }
    SUBCASE("truncated images") {
      check_error(load_with(images, idx_bytes(2051, {37, 5, 4}, 20 * 20 + 7)), images,
                  "header claims 37 images of 5x4 but the file ends after 20 images");
    }
    SUBCASE("truncated labels") {
      check_error(load_with(labels, idx_bytes(2049, {37}, 30)), labels,
                  "header claims 37 labels but the file ends after 30 labels");
    }
    SUBCASE("data beyond what the header claims") {
      check_error(load_with(images, idx_bytes(2051, {37, 5, 4}, 37 * 20 + 1)), images,
                  "the file goes on after the 37 images of 5x4 its header claims");
    }
    SUBCASE("wrong magic number") {
      check_error(load_with(images, idx_bytes(0x12345678, {37, 5, 4}, 37 * 20)), images,
                  "not an IDX file: magic number 305419896 (0x12345678), expected 2051 for IDX images");
    }
    SUBCASE("values that are not bytes") {
      check_error(load_with(images, idx_bytes(0x0d03, {37, 5, 4}, 37 * 20 * 4)), images,
                  "IDX values are not unsigned bytes");
    }
    SUBCASE("wrong number of dimensions") {
      check_error(load_with(images, idx_bytes(2049, {37}, 37)), images,
                  "IDX data with 1 dimension(s), but images have 3");
      write_bytes(images, good_images);
      check_error(load_with(images, idx_bytes(2052, {37, 5, 4, 1}, 37 * 20)), images,
                  "IDX data with 4 dimension(s), but images have 3: magic number 2052");
      write_bytes(images, good_images);
      check_error(load_with(labels, idx_bytes(2051, {37, 5, 4}, 37 * 20)), labels,
                  "IDX data with 3 dimension(s), but labels have 1");
    }
    SUBCASE("zero sizes") {
      check_error(load_with(images, idx_bytes(2051, {0, 5, 4}, 0)), images, "the header gives zero images");
      check_error(load_with(images, idx_bytes(2051, {37, 0, 4}, 0)), images, "the header gives zero rows");
      check_error(load_with(images, idx_bytes(2051, {37, 5, 0}, 0)), images, "the header gives zero columns");
      write_bytes(images, good_images);
      check_error(load_with(labels, idx_bytes(2049, {0}, 0)), labels, "the header gives zero labels");
    }
    SUBCASE("image and label counts disagree") {
      check_error(load_with(labels, idx_bytes(2049, {36}, 36)), labels,
                  "holds 36 labels but " + images + " holds 37 images");
    }
    SUBCASE("a missing file lists the names looked for") {
      fs::remove(labels);
      check_error(error_of([&] { load_idx_split(dir.str(), Split::Train); }), dir.str(),
                  "no training labels file: looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, "
                  "train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz");
    }
  }
}

TEST_CASE("files that are not what their names say") {
  TempDir dir;
  const Dataset data = random_images(4, 3, 3, 2);
  SUBCASE("garbage named .gz") {
    write_idx(dir / "train-labels-idx1-ubyte", data.labels);
    write_bytes(dir / "train-images-idx3-ubyte", idx_bytes(0x6a756e6b, {1, 2, 3}, 500));  // "junk..."
    fs::rename(dir / "train-images-idx3-ubyte", dir / "train-images-idx3-ubyte.gz");
    check_error(error_of([&] { load_idx_split(dir.str(), Split::Train); }), dir / "train-images-idx3-ubyte.gz",
                "not valid gzip data");
  }
  SUBCASE("gzip data without .gz") {
    write_idx(dir / "images.gz", data.pixels);
    fs::rename(dir / "images.gz", dir / "images");
    check_error(error_of([&] { read_idx_images(dir / "images"); }), dir / "images",
                "not an IDX file (it looks gzip-compressed: name it .gz)");
  }
  SUBCASE("no such directory") {
    check_error(error_of([&] { load_idx_split(dir / "nowhere", Split::Test); }), dir / "nowhere",
                "no such data directory (it should hold t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, "
                "each plain or .gz)");
  }
}

TEST_CASE("a lying header is turned down quickly, without allocating what it claims") {
  TempDir dir;
  for (const std::string extension : {"", ".gz"}) {
    CAPTURE(extension);
    const auto started = std::chrono::steady_clock::now();
    largest_allocation = 0;
    // 10^9 images of 28x28 in a file of 1 KB of pixels: beyond what any IDX file here may claim.
    write_bytes(dir / ("billion" + extension), idx_bytes(2051, {1'000'000'000, 28, 28}, 1024));
    check_error(error_of([&] { read_idx_images(dir / ("billion" + extension)); }), dir / ("billion" + extension),
                "header claims 1000000000 images of 28x28, more than the 2147483647 bytes this program loads");
    // 2 million images of 28x28 (1.5 GB) is within the limit, but the file holds just over one image.
    write_bytes(dir / ("million" + extension), idx_bytes(2051, {2'000'000, 28, 28}, 1024));
    check_error(error_of([&] { read_idx_images(dir / ("million" + extension)); }), dir / ("million" + extension),
                "header claims 2000000 images of 28x28 but the file ends after 1 images");
    // 10^9 labels in a file holding 1000.
    write_bytes(dir / ("labels" + extension), idx_bytes(2049, {1'000'000'000}, 1000));
    check_error(error_of([&] { read_idx_labels(dir / ("labels" + extension)); }), dir / ("labels" + extension),
                "header claims 1000000000 labels but the file ends after 1000 labels");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(largest_allocation.load() < (size_t{16} << 20));  // reading starts with 1 MiB, not 1.5 GB
    CHECK(seconds < 2.0);
  }
}

namespace {

double seconds_to_load(const std::string& directory, Split split, Dataset& data) {
  const auto started = std::chrono::steady_clock::now();
  data = load_idx_split(directory, split);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

std::vector<int64_t> class_counts(const Dataset& data) {
  std::vector<int64_t> counts(data.class_names.size());
  for (int32_t label : data.labels) ++counts.at(label);
  return counts;
}

}  // namespace

TEST_CASE("the real Fashion-MNIST, when installed") {
  const std::string directory = "/usr/share/datasets/fashion-mnist";
  if (!fs::is_directory(directory)) {
    MESSAGE("skipped: no " << directory);
    return;
  }
  Dataset train, test;
  const double train_seconds = seconds_to_load(directory, Split::Train, train);
  const double test_seconds = seconds_to_load(directory, Split::Test, test);
  MESSAGE("Fashion-MNIST loaded in " << train_seconds << " s (60000 training images) and " << test_seconds
                                     << " s (10000 test images)");
  CHECK(train.pixels.shape() == Shape{60000, 1, 28, 28});
  CHECK(test.pixels.shape() == Shape{10000, 1, 28, 28});
  CHECK(train.class_names[0] == "T-shirt/top");
  // Fashion-MNIST is balanced: 6000 training and 1000 test images of each class.
  CHECK(class_counts(train) == std::vector<int64_t>(10, 6000));
  CHECK(class_counts(test) == std::vector<int64_t>(10, 1000));
  CHECK(*std::min_element(train.pixels.begin(), train.pixels.end()) == 0);
  CHECK(*std::max_element(train.pixels.begin(), train.pixels.end()) == 255);
}

TEST_CASE("the real MNIST, when present beside the repository") {
  const std::string directory = MINICNN_SOURCE_DIR "/../shared/data/mnist";
  if (!fs::is_directory(directory)) {
    MESSAGE("skipped: no " << directory);
    return;
  }
  Dataset train, test;
  const double train_seconds = seconds_to_load(directory, Split::Train, train);
  const double test_seconds = seconds_to_load(directory, Split::Test, test);
  MESSAGE("MNIST loaded in " << train_seconds << " s (60000 training images) and " << test_seconds
                             << " s (10000 test images)");
  CHECK(train.pixels.shape() == Shape{60000, 1, 28, 28});
  CHECK(test.pixels.shape() == Shape{10000, 1, 28, 28});
  CHECK(train.class_names == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
  CHECK(std::vector<int32_t>(train.labels.begin(), train.labels.begin() + 10) ==
        std::vector<int32_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
  CHECK(std::vector<int32_t>(test.labels.begin(), test.labels.begin() + 10) ==
        std::vector<int32_t>{7, 2, 1, 0, 4, 1, 4, 9, 5, 9});
  CHECK(class_counts(train) == std::vector<int64_t>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  // The published mean pixel of the training images, 33.318 on the 0-255 scale (0.1307 after x / 255).
  CHECK(255.0 * measure_normalization(train).mean == doctest::Approx(33.318).epsilon(0.0005 / 33.318));
}
