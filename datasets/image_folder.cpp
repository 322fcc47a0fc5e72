#include "datasets/image_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "core/image.hpp"
#include "core/utf8.hpp"
#include "datasets/preprocess.hpp"

namespace minicnn {

namespace fs = std::filesystem;

namespace {

bool is_image_name(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".pnm", ".tga"})
    if (ext == known) return true;
  return false;
}

// The folder's subfolders, or its image files, sorted by name. Entries are followed through symbolic links;
// one that cannot be followed (dangling, a loop) is neither and is skipped.
std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> entries;
  std::error_code ec, entry_ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (directories ? entry.is_directory(entry_ec) : entry.is_regular_file(entry_ec) && is_image_name(entry.path()))
      entries.push_back(entry.path());
  }
  if (ec) throw Error(dir.string() + ": cannot list the folder: " + ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

}  // namespace

Dataset load_image_folder(const std::string& root, const Shape& input, bool resize,
                          const std::vector<std::string>& class_names) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(root + ": not a folder of class folders");
  const int channels = static_cast<int>(input[0]), height = static_cast<int>(input[1]), width = static_cast<int>(input[2]);
  if (channels != 1 && channels != 3) throw Error(root + ": image folders give 1 (gray) or 3 (RGB) channels, not " + std::to_string(channels));
  Dataset data;
  data.source = root;
  std::vector<std::pair<fs::path, int32_t>> files;
  for (const fs::path& class_dir : sorted_entries(root, true)) {
    data.class_names.push_back(class_dir.filename().string());
    if (!is_utf8(data.class_names.back()))
      throw Error(class_dir.string() + ": a class folder's name must be UTF-8 text (it is stored in checkpoints as JSON)");
    for (const fs::path& file : sorted_entries(class_dir, false))
      files.emplace_back(file, static_cast<int32_t>(data.class_names.size() - 1));
  }
  if (data.class_names.empty()) throw Error(root + ": no class folders (expected " + root + "/<class name>/<image>)");
  if (files.empty()) throw Error(root + ": the class folders hold no images (PNG, JPEG, BMP, GIF, PNM, TGA)");
  if (!class_names.empty() && class_names != data.class_names)
    throw Error(root + ": its class folders differ from the training set's");
  data.pixels = Tensor<uint8_t>(input.with_batch(static_cast<int64_t>(files.size())));
  const int64_t sample = input.numel();
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string path = files[i].first.string();
    Image image = load_image(path, channels);
    if (image.width != width || image.height != height) {
      if (!resize)
        throw Error(path + ": the image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                    " but the config's input is " + std::to_string(width) + "x" + std::to_string(height) +
                    " (set data.resize to resize it)");
      image = resize_bilinear(image, width, height);
    }
    image_to_chw(image, data.pixels.data() + static_cast<int64_t>(i) * sample);
    data.labels.push_back(files[i].second);
  }
  return data;
}

}  // namespace minicnn
