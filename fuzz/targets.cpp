#include "fuzz/targets.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/image.hpp"
#include "core/npy.hpp"
#include "datasets/idx.hpp"
#include "datasets/image_folder.hpp"
#include "datasets/preprocess.hpp"
#include "models/checkpoint.hpp"
#include "models/config.hpp"
#include "models/saved_model.hpp"
#include "models/summary.hpp"

namespace minicnn::fuzz {
namespace {

namespace fs = std::filesystem;
using Bytes = std::span<const uint8_t>;

// A directory of this process's own under $TMPDIR (fuzz.sh points it at a tmpfs), removed at exit.
const fs::path& scratch() {
  struct Directory {
    fs::path path = fs::temp_directory_path() / ("minicnn-fuzz-" + std::to_string(::getpid()));
    Directory() { fs::create_directories(path); }
    ~Directory() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static const Directory directory;
  return directory.path;
}

// Whether the bytes could be written (in an image folder, an earlier entry may be a dangling link by the name).
bool try_write_file(const fs::path& path, Bytes bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

void write_file(const fs::path& path, Bytes bytes) {
  if (!try_write_file(path, bytes)) throw std::runtime_error("the fuzz harness cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void require(bool promise, const std::string& what) {
  if (!promise) throw Broken(what);
}

// Runs parse(): Accepted when it returns, Refused when it throws an Error, which must be one line naming
// `file` (the file, or a directory above the files read).
template <typename Parse>
Outcome guarded(const fs::path& file, Parse&& parse) {
  try {
    parse();
    return Outcome::Accepted;
  } catch (const Error& e) {
    const std::string message = e.what();
    require(message.find('\n') == std::string::npos, "an error of more than one line: " + message);
    require(message.find(file.string()) != std::string::npos, "an error that does not name " + file.string() +
                                                                  ": " + message);
    return Outcome::Refused;
  }
}

uint64_t little_endian(Bytes bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size(); ++i) value |= uint64_t{bytes[i]} << (8 * i);
  return value;
}

// IDX: [u32 n, little-endian][images file: n mod (rest + 1) bytes][labels file: the rest], each file
// gzip-compressed in the .gz target.
Outcome run_idx(Bytes input, bool gzip) {
  const fs::path dir = scratch() / (gzip ? "idx-gz" : "idx");
  fs::create_directories(dir);
  const Bytes rest = input.subspan(std::min<size_t>(4, input.size()));
  const size_t split = little_endian(input.first(std::min<size_t>(4, input.size()))) % (rest.size() + 1);
  const std::string extension = gzip ? ".gz" : "";
  const fs::path images_path = dir / (idx_images_name(Split::Train) + extension);
  const fs::path labels_path = dir / (idx_labels_name(Split::Train) + extension);
  write_file(images_path, rest.first(split));
  write_file(labels_path, rest.subspan(split));

  const Outcome images = guarded(images_path, [&] {
    const Tensor<uint8_t> t = read_idx_images(images_path);
    require(t.rank() == 4 && t.dim(1) == 1 && t.numel() > 0, "IDX images of shape " + t.shape().str());
  });
  const Outcome labels = guarded(labels_path, [&] { require(!read_idx_labels(labels_path).empty(), "no labels"); });
  if (images == Outcome::Refused || labels == Outcome::Refused) return Outcome::Refused;
  return guarded(dir, [&] {
    const Dataset data = load_idx_split(dir.string(), Split::Train);
    require(data.pixels.dim(0) == data.size(), "images and labels of different counts");
    for (int32_t label : data.labels)
      require(label >= 0 && label < static_cast<int32_t>(data.class_names.size()), "a label beyond the classes");
  });
}

// A JSON config. Accepted configs are built and summarized as `minicnn summary` does, and what a run
// directory keeps of them (config.used, as text) must read back as the same config: resuming depends on it.
Outcome run_config(Bytes input) {
  const fs::path path = scratch() / "config.json";
  write_file(path, input);
  return guarded(path, [&] {
    const Config config = load_config(path.string());
    Sequential<float> net;
    build_network(config, net);
    format_summary(net);
    try {
      const Config again = parse_config(parse_json(config.used.dump(), path.string()), path.string());
      require(again.used == config.used, "the config as applied reads back differently");
    } catch (const Error& e) {
      throw Broken(std::string("the config as applied does not read back: ") + e.what());
    }
  });
}

// A checkpoint. Mutated bytes would almost never get past the CRC-32, so the CRC is recomputed whenever the
// header's payload size fits the input: the fuzzer explores the parser behind the checksum (which the unit
// tests cover). Accepted checkpoints must save back to the same bytes, and are loaded as a model, as eval and
// predict load them.
Outcome run_checkpoint(Bytes input) {
  std::vector<uint8_t> bytes(input.begin(), input.end());
  constexpr size_t kHeader = 20, kCrc = 4;
  if (bytes.size() >= kHeader + kCrc && little_endian(Bytes(bytes).subspan(12, 8)) == bytes.size() - kHeader - kCrc) {
    const size_t payload = bytes.size() - kHeader - kCrc;
    const auto crc = static_cast<uint32_t>(crc32_z(0, bytes.data() + kHeader, payload));
    for (size_t i = 0; i < kCrc; ++i) bytes[kHeader + payload + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  const fs::path path = scratch() / "checkpoint.bin", copy = scratch() / "copy.bin";
  write_file(path, bytes);
  Checkpoint checkpoint;
  if (guarded(path, [&] { checkpoint = load_checkpoint(path.string()); }) == Outcome::Refused) return Outcome::Refused;
  try {
    save_checkpoint(copy.string(), checkpoint);
  } catch (const Error& e) {
    throw Broken(std::string("a loaded checkpoint cannot be saved: ") + e.what());
  }
  require(read_file(copy) == std::string(bytes.begin(), bytes.end()), "a loaded checkpoint saves to other bytes");
  return guarded(path, [&] { load_saved_model(path.string()); });
}

bool same_values(const NpyArray& a, const NpyArray& b) {
  if (a.shape != b.shape || a.is_double != b.is_double || a.values.size() != b.values.size()) return false;
  for (size_t i = 0; i < a.values.size(); ++i)
    if (!(a.values[i] == b.values[i] || (std::isnan(a.values[i]) && std::isnan(b.values[i])))) return false;
  return true;
}

// A .npy file; accepted arrays must survive save_npy and load_npy unchanged.
Outcome run_npy(Bytes input) {
  const fs::path path = scratch() / "array.npy", copy = scratch() / "copy.npy";
  write_file(path, input);
  NpyArray array;
  const Outcome outcome = guarded(path, [&] {
    array = load_npy(path.string());
    require(!array.shape.empty() && array.shape.size() <= 4, "an array of rank " + std::to_string(array.shape.size()));
    require(array.numel() == static_cast<int64_t>(array.values.size()), "an array whose shape is not its size");
  });
  if (outcome == Outcome::Refused) return outcome;
  try {
    save_npy(copy.string(), array);
    require(same_values(load_npy(copy.string()), array), "an array that changes through save_npy and load_npy");
  } catch (const Error& e) {
    throw Broken(std::string("a loaded array does not save and load back: ") + e.what());
  }
  return outcome;
}

// An image file in any format, loaded with 0 (as stored) to 4 channels (input size mod 5), then resized and
// scaled as predict does.
Outcome run_image(Bytes input) {
  const fs::path path = scratch() / "image";
  write_file(path, input);
  const int channels = static_cast<int>(input.size() % 5);
  return guarded(path, [&] {
    const Image image = load_image(path.string(), channels);
    require(image.width > 0 && image.height > 0 && int64_t{image.width} * image.height <= kMaxImagePixels &&
                image.channels >= 1 && image.channels <= 4 && (channels == 0 || image.channels == channels),
            "an image of " + std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                std::to_string(image.channels));
    require(image.pixels.size() == static_cast<size_t>(image.width) * image.height * image.channels,
            "an image whose pixels are not its size");
    const Image small = resize_bilinear(image, 5, 3);
    std::vector<uint8_t> chw(static_cast<size_t>(5 * 3 * small.channels));
    image_to_chw(small, chw.data());
  });
}

// A folder of class folders, described by the input's lines (at most 64):
//   CLASS/FILE          FILE in class folder CLASS holds a valid 2x2 gray PNG
//   CLASS/FILE=BYTES    ... holds BYTES
//   CLASS/FILE@TARGET   ... is a symbolic link to TARGET
//   CLASS               an empty class folder
// Names that no file system allows (empty, ".", "..", with a NUL, over 200 bytes) are skipped. The folder is
// loaded as 2x2 images, gray or RGB, resized or not, as training does.
Outcome run_image_folder(Bytes input) {
  static const std::string png = [] {
    const fs::path path = scratch() / "valid.png";
    save_png(path.string(), Image{2, 2, 1, {0, 85, 170, 255}});
    return read_file(path);
  }();
  const fs::path root = scratch() / "folder";
  fs::remove_all(root);
  fs::create_directories(root);
  const auto usable = [](const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.size() <= 200 &&
           name.find('\0') == std::string::npos && name.find('/') == std::string::npos;
  };
  const std::string text(input.begin(), input.end());
  size_t start = 0;
  for (int line = 0; line < 64 && start < text.size(); ++line) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string entry = text.substr(start, end - start);
    start = end + 1;
    const size_t slash = entry.find('/');
    const std::string class_name = entry.substr(0, slash);
    if (!usable(class_name)) continue;
    std::error_code ec;
    fs::create_directory(root / class_name, ec);
    if (slash == std::string::npos) continue;
    const std::string rest = entry.substr(slash + 1);
    const size_t mark = rest.find_first_of("=@");
    const std::string file = rest.substr(0, mark);
    if (!usable(file) || ec) continue;
    const fs::path path = root / class_name / file;
    if (mark == std::string::npos) {
      try_write_file(path, Bytes(reinterpret_cast<const uint8_t*>(png.data()), png.size()));
    } else if (rest[mark] == '=') {
      const std::string content = rest.substr(mark + 1);
      try_write_file(path, Bytes(reinterpret_cast<const uint8_t*>(content.data()), content.size()));
    } else if (const std::string target = rest.substr(mark + 1);
               !target.empty() && target[0] != '/' && target.find("..") == std::string::npos &&
               target.find('\0') == std::string::npos) {
      fs::create_symlink(target, path, ec);  // within the folder: dangling, looping, to a sibling...
    }
  }
  const int64_t channels = input.size() % 3 == 0 ? 3 : 1;
  const bool resize = input.size() % 2 == 0;
  return guarded(root, [&] {
    const Dataset data = load_image_folder(root.string(), Shape{channels, 2, 2}, resize);
    require(data.pixels.shape() == Shape{data.size(), channels, 2, 2}, "images of shape " + data.pixels.shape().str());
    for (int32_t label : data.labels)
      require(label >= 0 && label < static_cast<int32_t>(data.class_names.size()), "a label beyond the classes");
    // Class names go into checkpoints as JSON: they must be text JSON can hold.
    nlohmann::json(data.class_names).dump();
  });
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"idx", "an IDX images file and an IDX labels file, plain", [](Bytes b) { return run_idx(b, false); }},
      {"idx_gz", "an IDX images file and an IDX labels file, gzip-compressed", [](Bytes b) { return run_idx(b, true); }},
      {"config", "a JSON network config", run_config},
      {"checkpoint", "a checkpoint (MCNNCKPT), its CRC-32 made to match", run_checkpoint},
      {"npy", "a NumPy .npy array", run_npy},
      {"image", "an image file (PNG, JPEG, BMP, GIF, PNM, TGA or anything else)", run_image},
      {"image_folder", "the names and files of an image folder, one per line", run_image_folder},
  };
  return all;
}

const Target& find_target(const std::string& name) {
  for (const Target& target : targets())
    if (name == target.name) return target;
  throw std::invalid_argument("no fuzz target named " + name);
}

}  // namespace minicnn::fuzz
