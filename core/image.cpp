#include "core/image.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace minicnn {
namespace {

// The largest image file read: far more than the largest image allowed takes in any format (a 16-bit PNM of
// kMaxImagePixels pixels with 4 channels is 512 MiB).
constexpr uint64_t kMaxImageFileBytes = uint64_t{1} << 30;
// The most pixels one byte of a file can hold in the formats stb reads here: the densest is a PNG of one
// colour at 1 bit per pixel, about 8200 pixels per byte (deflate's limit, 1032:1, times 8); GIF's LZW and
// JPEG hold far fewer. A header claiming more than this describes data the file does not have, which some of
// stb's decoders would otherwise fill with zeros, at the cost of the whole image.
constexpr int64_t kMaxPixelsPerFileByte = 16384;

}  // namespace

Image load_image(const std::string& path, int channels) {
  if (channels < 0 || channels > 4) throw Error(path + ": cannot load an image with " + std::to_string(channels) + " channels");
  const std::string file = read_whole_file(path, kMaxImageFileBytes, "image file");
  const auto* data = reinterpret_cast<const stbi_uc*>(file.data());
  const int size = static_cast<int>(file.size());
  // The header alone first: refuse what is not an image, or too large, before decoding anything.
  int width = 0, height = 0, stored_channels = 0;
  if (!stbi_info_from_memory(data, size, &width, &height, &stored_channels))
    throw Error(path + ": not an image minicnn reads (PNG, JPEG, BMP, GIF, PNM or TGA), or a corrupt one");
  if (width <= 0 || height <= 0)
    throw Error(path + ": the header gives an empty image of " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels");
  if (int64_t{width} * height > kMaxImagePixels)
    throw Error(path + ": image of " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels is too large (limit " + std::to_string(kMaxImagePixels) + " pixels)");
  if (int64_t{width} * height > kMaxPixelsPerFileByte * static_cast<int64_t>(file.size()))
    throw Error(path + ": the header claims " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels, more than a file of " + std::to_string(file.size()) + " bytes can hold (truncated or corrupt)");
  Image image;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(data, size, &image.width, &image.height, &stored_channels, channels), stbi_image_free);
  if (!pixels) throw Error(path + ": cannot decode the image: " + stbi_failure_reason());
  if (image.width != width || image.height != height)
    throw Error(path + ": the image decodes to " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                " pixels but its header says " + std::to_string(width) + "x" + std::to_string(height));
  image.channels = channels == 0 ? stored_channels : channels;
  image.pixels.assign(pixels.get(), pixels.get() + int64_t{image.width} * image.height * image.channels);
  return image;
}

namespace {

void append_u32_big_endian(std::string& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((value >> shift) & 0xff);
}

// One PNG chunk: length (big-endian), type, data, and the CRC-32 of type and data (the CRC zlib computes).
std::string text_chunk(const std::string& keyword, const std::string& text) {
  const bool printable = std::all_of(keyword.begin(), keyword.end(), [](char c) { return c >= 32 && c <= 126; });
  if (keyword.empty() || keyword.size() > 79 || !printable || keyword.front() == ' ' || keyword.back() == ' ' ||
      text.find('\0') != std::string::npos)
    throw Error("PNG text chunk '" + keyword + "': keywords are 1 to 79 printable characters, texts hold no NUL");
  const std::string body = "tEXt" + keyword + '\0' + text;
  std::string chunk;
  append_u32_big_endian(chunk, static_cast<uint32_t>(body.size() - 4));
  chunk += body;
  append_u32_big_endian(chunk, static_cast<uint32_t>(
                                   crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  return chunk;
}

}  // namespace

std::string encode_png(const Image& image, const PngText& text) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4 ||
      static_cast<int64_t>(image.pixels.size()) != int64_t{image.width} * image.height * image.channels)
    throw Error("cannot encode an image of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                "x" + std::to_string(image.channels) + " from " + std::to_string(image.pixels.size()) + " bytes");
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &png, image.width, image.height, image.channels, image.pixels.data(),
                              image.width * image.channels))
    throw Error("cannot encode a PNG of " + std::to_string(image.width) + "x" + std::to_string(image.height));
  // The signature (8 bytes) and the IHDR chunk (4 + 4 + 13 + 4 bytes) come first; text may follow at once.
  constexpr size_t kAfterHeader = 8 + 25;
  std::string chunks;
  for (const auto& [keyword, value] : text) chunks += text_chunk(keyword, value);
  png.insert(kAfterHeader, chunks);
  return png;
}

void save_png(const std::string& path, const Image& image, const PngText& text) {
  std::string png;
  try {
    png = encode_png(image, text);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  // Encoded in memory, then written whole: a process killed while saving leaves the old picture or the new
  // one, never half of one.
  write_file_atomically(path, png);
}

}  // namespace minicnn
