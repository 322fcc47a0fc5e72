// UTF-8 validation: what JSON can hold, and what an error message may print as it is.
#include <doctest/doctest.h>

#include <string>

#include "core/utf8.hpp"

using namespace minicnn;

TEST_CASE("valid UTF-8 of 1 to 4 bytes is accepted, and its sequences measured") {
  CHECK(is_utf8(""));
  CHECK(is_utf8("plain ASCII, even \x01 control characters"));
  CHECK(is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));  // é € 😀 U+10FFFF
  const std::string text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  CHECK(utf8_sequence_length(text, 0) == 1);
  CHECK(utf8_sequence_length(text, 1) == 2);
  CHECK(utf8_sequence_length(text, 3) == 3);
  CHECK(utf8_sequence_length(text, 6) == 4);
}

TEST_CASE("Latin-1, cut sequences, overlong forms, surrogates and code points past U+10FFFF are refused") {
  for (const char* bad : {"caf\xe9", "\xc3", "\xe2\x82", "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
                          "\xf0\x80\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                          "\xff", "ok\xc3(", "\xe2\x28\xa1"}) {
    CAPTURE(std::string(bad));
    CHECK_FALSE(is_utf8(bad));
  }
  CHECK(is_utf8(std::string("with a NUL\0inside", 17)));
}
