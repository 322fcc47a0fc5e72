// core/image.hpp: PNG round trips through stb, channel conversion, text chunks in memory and in files, and
// the refusals (missing file, not an image, an image too large to decode, a truncated file).
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/image.hpp"

using namespace minicnn;

namespace {

Image pattern(int width, int height, int channels) {
  Image image{width, height, channels, {}};
  for (int i = 0; i < width * height * channels; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 37 % 256));
  return image;
}

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

struct Chunk {
  std::string type, data;
  bool crc_ok;
};

// Walks a PNG's chunks after the signature: 4-byte big-endian length, type, data, CRC-32 of type and data.
std::vector<Chunk> chunks_of(const std::string& png) {
  auto u32 = [&](size_t at) {
    return uint32_t{static_cast<uint8_t>(png[at])} << 24 | uint32_t{static_cast<uint8_t>(png[at + 1])} << 16 |
           uint32_t{static_cast<uint8_t>(png[at + 2])} << 8 | uint32_t{static_cast<uint8_t>(png[at + 3])};
  };
  std::vector<Chunk> chunks;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint32_t length = u32(at);
    REQUIRE(at + 12 + length <= png.size());
    const std::string body = png.substr(at + 4, 4 + length);
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    chunks.push_back({body.substr(0, 4), body.substr(4), crc == u32(at + 8 + length)});
    at += 12 + length;
  }
  return chunks;
}

}  // namespace

TEST_CASE("save_png then load_image gives the same pixels, gray and RGB") {
  for (int channels : {1, 3, 4}) {
    const Image image = pattern(13, 7, channels);
    const std::string path = "test_image_" + std::to_string(channels) + ".png";
    save_png(path, image);
    const Image back = load_image(path, 0);
    CHECK(back.width == 13);
    CHECK(back.height == 7);
    CHECK(back.channels == channels);
    CHECK(back.pixels == image.pixels);
    std::remove(path.c_str());
  }
}

TEST_CASE("encode_png puts text chunks with valid CRCs right after the header; the file holds the same bytes") {
  const Image image = pattern(5, 4, 3);
  const PngText text{{"minicnn.scale", "0.125"}, {"Description", "weights: mid-gray is 0"}};
  const std::string png = encode_png(image, text);
  CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const std::vector<Chunk> chunks = chunks_of(png);
  REQUIRE(chunks.size() >= 4);
  CHECK(chunks[0].type == "IHDR");
  CHECK(chunks[1].type == "tEXt");
  CHECK(chunks[1].data == std::string("minicnn.scale") + '\0' + "0.125");
  CHECK(chunks[2].type == "tEXt");
  CHECK(chunks[2].data == std::string("Description") + '\0' + "weights: mid-gray is 0");
  CHECK(chunks.back().type == "IEND");
  for (const Chunk& chunk : chunks) {
    INFO(chunk.type);
    CHECK(chunk.crc_ok);
  }
  save_png("test_image_text_chunks.png", image, text);
  CHECK(read_bytes("test_image_text_chunks.png") == png);
  CHECK(load_image("test_image_text_chunks.png", 0).pixels == image.pixels);
  std::remove("test_image_text_chunks.png");

  CHECK_THROWS_WITH_AS(encode_png(image, {{"", "x"}}), doctest::Contains("keywords are 1 to 79"), Error);
  CHECK_THROWS_WITH_AS(encode_png(image, {{std::string(80, 'k'), "x"}}), doctest::Contains("keywords are 1 to 79"), Error);
  CHECK_THROWS_WITH_AS(encode_png(image, {{"key", std::string("a\0b", 3)}}), doctest::Contains("texts hold no NUL"), Error);
}

TEST_CASE("load_image converts channels as asked") {
  Image rgb = pattern(4, 3, 3);
  const std::string path = "test_image_convert.png";
  save_png(path, rgb);
  const Image gray = load_image(path, 1);
  CHECK(gray.channels == 1);
  REQUIRE(gray.pixels.size() == 12);
  // stb's luma: (77 r + 150 g + 29 b) >> 8
  CHECK(gray.pixels[5] == ((77 * rgb.pixels[15] + 150 * rgb.pixels[16] + 29 * rgb.pixels[17]) >> 8));
  const Image again = load_image(path, 3);
  CHECK(again.pixels == rgb.pixels);
  std::remove(path.c_str());
}

TEST_CASE("unreadable, non-image, oversized and truncated files are refused with the file named") {
  CHECK_THROWS_WITH_AS(load_image("no_such_image.png", 0), doctest::Contains("no_such_image.png: cannot open"), Error);
  write_bytes("test_image_text.png", "this is not an image at all");
  CHECK_THROWS_WITH_AS(load_image("test_image_text.png", 0), doctest::Contains("test_image_text.png: not an image"), Error);

  // A real PNG whose header is rewritten to claim 10000 x 10000 pixels (more than kMaxImagePixels, less than
  // stb's own limit): refused before decoding.
  save_png("test_image_small.png", pattern(8, 8, 1));
  std::string bytes = read_bytes("test_image_small.png");
  for (int offset : {16, 20}) {  // IHDR width and height, big-endian
    bytes[offset] = 0;
    bytes[offset + 1] = 0;
    bytes[offset + 2] = 0x27;  // 0x2710 = 10000
    bytes[offset + 3] = 0x10;
  }
  write_bytes("test_image_huge.png", bytes);
  CHECK_THROWS_WITH_AS(load_image("test_image_huge.png", 0), doctest::Contains("image of 10000x10000 pixels is too large"), Error);

  const std::string whole = read_bytes("test_image_small.png");
  write_bytes("test_image_truncated.png", whole.substr(0, whole.size() / 2));
  CHECK_THROWS_WITH_AS(load_image("test_image_truncated.png", 0), doctest::Contains("test_image_truncated.png"), Error);

  CHECK_THROWS_AS(save_png("test_image_bad.png", Image{4, 4, 1, std::vector<uint8_t>(15)}), Error);
  CHECK_THROWS_AS(save_png("no_such_dir/out.png", pattern(2, 2, 1)), Error);
  for (const char* path : {"test_image_text.png", "test_image_small.png", "test_image_huge.png", "test_image_truncated.png"})
    std::remove(path);
}
