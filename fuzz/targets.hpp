#pragma once
// The fuzz targets: one function per parser of files a user may be handed, each taking arbitrary bytes. The
// libFuzzer programs (fuzz/fuzz_main.cpp, one per target) call them with mutated inputs; the regression test
// (tests/test_fuzz_inputs.cpp) calls them with the seed corpora and with every input that ever broke one.
//
// A target writes the bytes where the parser expects a file, runs the parser and checks its promises:
//   - the input is accepted, or refused with a minicnn::Error whose message is one line naming the file;
//     any other exception (std::bad_alloc, a json or filesystem exception...) escapes, and a crash, a leak,
//     a hang or undefined behaviour is caught by the sanitizers and libFuzzer;
//   - what is accepted is sane (sizes within limits) and survives a round trip through the matching writer
//     where there is one.
// A broken promise throws Broken, which no target catches: libFuzzer reports it as a crash.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace minicnn::fuzz {

enum class Outcome { Accepted, Refused };

struct Target {
  const char* name;         // "idx": the program is fuzz_idx, its inputs are under tests/fuzz/*/idx/
  const char* description;  // what the input bytes are
  Outcome (*run)(std::span<const uint8_t> input);
};

class Broken : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

const std::vector<Target>& targets();
// The target of that name; throws std::invalid_argument for an unknown one.
const Target& find_target(const std::string& name);

}  // namespace minicnn::fuzz
