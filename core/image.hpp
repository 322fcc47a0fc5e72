#pragma once
// 8-bit images in and out, through stb_image (PNG, JPEG, BMP, GIF, PNM and TGA in) and stb_image_write (PNG
// out), both from Debian's libstb-dev and compiled in core/stb_image_impl.cpp. Pixels are interleaved
// row-major, height x width x channels, as stb stores them.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace minicnn {

struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // pixels[(y * width + x) * channels + c]
};

// Images above this many pixels, or with a side longer than kMaxImageSide, are refused from their header
// before decoding, so that a lying header cannot make us allocate gigabytes: 2^26 is 8192 x 8192.
constexpr int64_t kMaxImagePixels = int64_t{1} << 26;
constexpr int kMaxImageSide = 1 << 16;

// channels: 0 = as stored, 1 = gray, 3 = RGB (stb converts; 2 and 4 add alpha). Throws Error naming the file
// when it cannot be read, is not a regular file or an image stb knows, or is too large.
Image load_image(const std::string& path, int channels);

// Text stored in a PNG beside its pixels, as tEXt chunks of (keyword, text): what a pixel value means, for
// instance. Keywords are 1 to 79 printable characters; text is Latin-1 without NUL.
using PngText = std::vector<std::pair<std::string, std::string>>;

// The bytes of an 8-bit PNG with 1 to 4 channels, in memory (for embedding in HTML), with the text chunks
// right after the header. Throws Error when the image or a text chunk is malformed.
std::string encode_png(const Image& image, const PngText& text = {});

// Writes encode_png(image, text) to a file, replacing it atomically (core/file_io.hpp). Throws Error (or
// SystemFailure, for a full disk) naming the file when it cannot be written.
void save_png(const std::string& path, const Image& image, const PngText& text = {});

}  // namespace minicnn
