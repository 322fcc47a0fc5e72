#include "datasets/idx.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "datasets/byte_io.hpp"

namespace minicnn {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;  // the IDX value type code of uint8
// The most values one file may claim (2 GiB of bytes, 8 GiB as floats): far above any data set trained in
// memory here, and small enough that every count fits an int32.
constexpr int64_t kMaxValues = INT32_MAX;
// Reading grows its buffer from this size, doubling, as the data arrives.
constexpr size_t kFirstChunk = size_t{1} << 20;

// What a file must be: images or labels.
struct IdxKind {
  int dimensions;                      // 3 for images, 1 for labels
  const char* noun;                    // "images"
  std::array<const char*, 3> axes;     // what each size counts, for messages
  uint32_t magic() const { return (uint32_t{kUnsignedByte} << 8) | static_cast<uint32_t>(dimensions); }
};
constexpr IdxKind kImages{3, "images", {"images", "rows", "columns"}};
constexpr IdxKind kLabels{1, "labels", {"labels"}};

// An IDX file whose header has been read and checked; its values are read on demand.
class IdxFile {
 public:
  IdxFile(const std::string& path, const IdxKind& kind) : reader_(path), kind_(kind) { read_header(); }

  int64_t count() const { return sizes_[0]; }
  const std::vector<int64_t>& sizes() const { return sizes_; }
  const std::string& path() const { return reader_.path(); }

  // Exactly the values the header announces; the file must end right after them.
  std::vector<uint8_t> read_values() {
    const auto total = static_cast<size_t>(count() * item_size_);
    // The buffer grows only as data really arrives, so a header claiming far more than the file holds costs
    // at most twice what the file holds, never what the header claims.
    std::vector<uint8_t> values;
    size_t filled = 0;
    while (filled < total) {
      values.resize(std::min(total, std::max(kFirstChunk, 2 * filled)));
      filled += reader_.read(std::span(values).subspan(filled));
      if (filled < values.size())
        fail("header claims " + claim() + " but the file ends after " +
             std::to_string(static_cast<int64_t>(filled) / item_size_) + " " + kind_.noun);
    }
    uint8_t extra;
    if (reader_.read(std::span(&extra, 1)) != 0) fail("the file goes on after the " + claim() + " its header claims");
    return values;
  }

  [[noreturn]] void fail(const std::string& what) const { throw Error(path() + ": " + what); }

 private:
  // Fills `bytes` or fails: the header must be complete.
  void read_header_bytes(std::span<uint8_t> bytes) {
    if (reader_.read(bytes) < bytes.size()) fail("the file ends inside the IDX header (truncated or empty)");
  }

  // The next four bytes of the header as a big-endian number.
  uint32_t read_header_word() {
    std::array<uint8_t, 4> bytes;
    read_header_bytes(bytes);
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
  }

  void read_header() {
    const uint32_t magic = read_header_word();
    if (magic != kind_.magic()) {
      const uint8_t type = (magic >> 8) & 0xff, dimensions = magic & 0xff;
      std::string why = "not an IDX file";
      if (magic >> 16 == 0x1f8b) why += " (it looks gzip-compressed: name it .gz)";
      else if (magic >> 16 == 0 && type != kUnsignedByte) why = "IDX values are not unsigned bytes";
      else if (magic >> 16 == 0)
        why = "IDX data with " + std::to_string(dimensions) + " dimension(s), but " + kind_.noun + " have " +
              std::to_string(kind_.dimensions);
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", magic);
      fail(why + ": magic number " + std::to_string(magic) + " (" + hex + "), expected " +
           std::to_string(kind_.magic()) + " for IDX " + kind_.noun);
    }
    for (int axis = 0; axis < kind_.dimensions; ++axis) {
      sizes_.push_back(read_header_word());
      if (sizes_.back() == 0) fail(std::string("the header gives zero ") + kind_.axes[axis]);
    }
    int64_t values = 1;
    for (int64_t size : sizes_) {
      values *= size;  // below 2^31 * 2^32 while the check passes: no overflow
      if (values > kMaxValues)
        fail("header claims " + claim() + ", more than the " + std::to_string(kMaxValues) +
             " bytes this program loads from one file");
    }
    item_size_ = values / count();
  }

  // "60000 images of 28x28" or "60000 labels"
  std::string claim() const {
    std::string text = std::to_string(count()) + " " + kind_.noun;
    for (size_t axis = 1; axis < sizes_.size(); ++axis)
      text += (axis == 1 ? " of " : "x") + std::to_string(sizes_[axis]);
    return text;
  }

  ByteReader reader_;
  IdxKind kind_;
  std::vector<int64_t> sizes_;  // [N, rows, cols] or [N]
  int64_t item_size_ = 0;       // values per image or label
};

Tensor<uint8_t> pixels_to_tensor(const std::vector<uint8_t>& pixels, const std::vector<int64_t>& sizes) {
  Tensor<uint8_t> images(Shape{sizes[0], 1, sizes[1], sizes[2]});
  std::copy(pixels.begin(), pixels.end(), images.data());
  return images;
}

const char* split_name(Split split) { return split == Split::Train ? "training" : "test"; }

// "train-images-idx3-ubyte", or with separator '.' the other spelling in use, "train-images.idx3-ubyte".
std::string idx_file_name(Split split, const IdxKind& kind, char separator = '-') {
  return std::string(split == Split::Train ? "train-" : "t10k-") + kind.noun + separator + "idx" +
         std::to_string(kind.dimensions) + "-ubyte";
}

// The first of a split's accepted file names that exists in `directory`; fails listing all of them.
std::string find_idx_file(const std::string& directory, Split split, const IdxKind& kind) {
  const std::string hyphen = idx_file_name(split, kind), dotted = idx_file_name(split, kind, '.');
  std::string tried;
  for (const std::string& name : {hyphen, hyphen + ".gz", dotted, dotted + ".gz"}) {
    const std::filesystem::path path = std::filesystem::path(directory) / name;
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) return path.string();
    tried += (tried.empty() ? "" : ", ") + name;
  }
  throw Error(directory + ": no " + split_name(split) + " " + kind.noun + " file: looked for " + tried);
}

std::vector<uint8_t> idx_header(const IdxKind& kind, const std::vector<int64_t>& sizes) {
  std::vector<uint8_t> bytes;
  const auto put_u32 = [&](uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(value >> shift));
  };
  put_u32(kind.magic());
  for (int64_t size : sizes) {
    if (size < 1 || size > UINT32_MAX)
      throw Error("IDX sizes must be between 1 and 2^32 - 1, got " + std::to_string(size));
    put_u32(static_cast<uint32_t>(size));
  }
  return bytes;
}

}  // namespace

std::string idx_images_name(Split split) { return idx_file_name(split, kImages); }
std::string idx_labels_name(Split split) { return idx_file_name(split, kLabels); }

Tensor<uint8_t> read_idx_images(const std::string& path) {
  IdxFile file(path, kImages);
  return pixels_to_tensor(file.read_values(), file.sizes());
}

std::vector<int32_t> read_idx_labels(const std::string& path) {
  IdxFile file(path, kLabels);
  const std::vector<uint8_t> labels = file.read_values();
  return {labels.begin(), labels.end()};
}

Dataset load_idx_split(const std::string& directory, Split split, int classes) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    throw Error(directory + ": no such data directory (it should hold " + idx_images_name(split) + " and " +
                idx_labels_name(split) + ", each plain or .gz)");
  // Both headers are checked, and the counts compared, before any values are read.
  IdxFile images(find_idx_file(directory, split, kImages), kImages);
  IdxFile labels(find_idx_file(directory, split, kLabels), kLabels);
  if (labels.count() != images.count())
    labels.fail("holds " + std::to_string(labels.count()) + " labels but " + images.path() + " holds " +
                std::to_string(images.count()) + " images");

  const std::vector<uint8_t> label_bytes = labels.read_values();
  const int largest = *std::max_element(label_bytes.begin(), label_bytes.end());
  if (classes > 0 && largest >= classes) {
    const auto at = std::find(label_bytes.begin(), label_bytes.end(), largest) - label_bytes.begin();
    labels.fail("label " + std::to_string(largest) + " (item " + std::to_string(at) + ") is out of range for " +
                std::to_string(classes) + " classes");
  }
  if (classes <= 0) classes = std::max(10, largest + 1);

  Dataset data;
  data.pixels = pixels_to_tensor(images.read_values(), images.sizes());
  data.labels.assign(label_bytes.begin(), label_bytes.end());
  data.class_names = known_class_names(directory, classes);
  data.source = directory + " (" + split_name(split) + " split)";
  return data;
}

void write_idx(const std::string& path, const Tensor<uint8_t>& images) {
  if (images.rank() != 4 || images.dim(1) != 1)
    throw Error(path + ": IDX holds [N, 1, rows, cols] images, not " + images.shape().str());
  std::vector<uint8_t> bytes = idx_header(kImages, {images.dim(0), images.dim(2), images.dim(3)});
  bytes.insert(bytes.end(), images.begin(), images.end());
  write_bytes(path, bytes);
}

void write_idx(const std::string& path, std::span<const int32_t> labels) {
  std::vector<uint8_t> bytes = idx_header(kLabels, {static_cast<int64_t>(labels.size())});
  for (int32_t label : labels) {
    if (label < 0 || label > 255)
      throw Error(path + ": label " + std::to_string(label) + " cannot be stored as a byte");
    bytes.push_back(static_cast<uint8_t>(label));
  }
  write_bytes(path, bytes);
}

void write_idx_split(const std::string& directory, Split split, const Dataset& data, bool compressed) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw Error(directory + ": cannot create the directory: " + error.message());
  const std::string extension = compressed ? ".gz" : "";
  write_idx((std::filesystem::path(directory) / (idx_images_name(split) + extension)).string(), data.pixels);
  write_idx((std::filesystem::path(directory) / (idx_labels_name(split) + extension)).string(), data.labels);
}

}  // namespace minicnn
