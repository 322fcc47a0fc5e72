// The exceptions' messages stay one line of UTF-8 whatever they quote.
#include <doctest/doctest.h>

#include "core/error.hpp"

using namespace minicnn;

TEST_CASE("control characters and bytes that are not UTF-8 are written as escapes") {
  CHECK(one_line("plain text: 1/2") == "plain text: 1/2");
  CHECK(one_line("two\nlines\r\tand a bell\a, escape \x1b[31m, delete \x7f") ==
        "two\\nlines\\r\\tand a bell\\x07, escape \\x1b[31m, delete \\x7f");
  CHECK(one_line(std::string("a\0b", 3)) == "a\\x00b");
  // Valid UTF-8 (core/utf8.hpp) passes through; every byte of an invalid sequence is escaped.
  CHECK(one_line("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(one_line("caf\xe9") == "caf\\xe9");
  CHECK(one_line("\xc3") == "\\xc3");
  CHECK(one_line("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(one_line("\x80x") == "\\x80x");
}

TEST_CASE("Error and SystemFailure messages are one line") {
  CHECK(std::string(Error("file\nname: bad").what()) == "file\\nname: bad");
  CHECK(std::string(SystemFailure("disk\x01").what()) == "disk\\x01");
}
