#pragma once
// The exceptions minicnn throws on purpose, and what the command-line program makes of them:
//   Error          the user's input is wrong (a bad config, a corrupt or lying file, a shape that does not
//                  fit, a path that cannot be used): one line naming the file and the problem, exit status 2.
//   SystemFailure  the machine failed a run whose input was fine (the disk is full, a write fails part way):
//                  one line, exit status 1.
// Both keep their message on one line whatever it quotes: a control character (a newline in a file name, an
// escape sequence in a corrupt header) is written as an escape such as \n or \x1b.
#include <stdexcept>
#include <string>

#include "core/utf8.hpp"

namespace minicnn {

// The text with every control character and every byte that is not part of valid UTF-8 (a Latin-1 file
// name) written as a C escape (\n, \x1b, \xe9), so that it prints as one inert line of UTF-8.
inline std::string one_line(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string line;
  line.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t length = utf8_sequence_length(text, i);
    if (length > 1 || (length == 1 && c >= 0x20 && c != 0x7f)) {
      line.append(text, i, length);
      i += length;
      continue;
    }
    if (c == '\n') line += "\\n";
    else if (c == '\r') line += "\\r";
    else if (c == '\t') line += "\\t";
    else line += std::string("\\x") + kHex[c >> 4] + kHex[c & 0xf];
    ++i;
  }
  return line;
}

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(one_line(message)) {}
};

class SystemFailure : public std::runtime_error {
 public:
  explicit SystemFailure(const std::string& message) : std::runtime_error(one_line(message)) {}
};

}  // namespace minicnn
