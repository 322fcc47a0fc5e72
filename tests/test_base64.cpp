// core/base64.hpp: the test vectors of RFC 4648 section 10, and every byte value.
#include <doctest/doctest.h>

#include <string>

#include "core/base64.hpp"

using namespace minicnn;

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 encodes bytes above 127 and zeros, using the whole alphabet") {
  CHECK(base64_encode(std::string("\0\0\0", 3)) == "AAAA");
  CHECK(base64_encode("\xff\xff\xff") == "////");
  CHECK(base64_encode("\xfb\xef\xbe") == "++++");
  // 0x00 0x10 0x83 0x10 0x51 0x87 ... is the alphabet itself, 6 bits per character.
  std::string bytes;
  for (int k = 0; k < 64; k += 4) {
    const unsigned group = static_cast<unsigned>(k) << 18 | static_cast<unsigned>(k + 1) << 12 |
                           static_cast<unsigned>(k + 2) << 6 | static_cast<unsigned>(k + 3);
    bytes += static_cast<char>(group >> 16), bytes += static_cast<char>(group >> 8 & 0xff), bytes += static_cast<char>(group & 0xff);
  }
  CHECK(base64_encode(bytes) == "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}
