// One libFuzzer program per target of fuzz/targets.hpp: CMake compiles this file once per target, naming it
// in MINICNN_FUZZ_TARGET. A target's broken promise (fuzz::Broken) or any exception other than a refusal
// escapes from here, which libFuzzer reports as a crash with the input that caused it.
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const minicnn::fuzz::Target& target = minicnn::fuzz::find_target(MINICNN_FUZZ_TARGET);
  target.run({data, size});
  return 0;
}
