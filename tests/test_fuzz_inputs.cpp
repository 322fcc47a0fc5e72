// The fuzz targets of fuzz/targets.hpp on the committed inputs, through the normal build (and so under the
// sanitizer build of the suite too). Every seed of tests/fuzz/corpus/<target>/ must be accepted or refused
// as its name says ("valid-..." or "refused-..."); every input under tests/fuzz/regressions/<target>/, each
// of which once crashed a parser or broke a target's promise, must now be accepted or refused cleanly.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/targets.hpp"

using namespace minicnn::fuzz;
namespace fs = std::filesystem;

namespace {

const fs::path kInputs = fs::path(MINICNN_SOURCE_DIR) / "tests" / "fuzz";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("every seed is accepted or refused as its name says") {
  for (const Target& target : targets()) {
    const std::vector<fs::path> seeds = files_in(kInputs / "corpus" / target.name);
    const std::string target_name = target.name;
    CAPTURE(target_name);
    CHECK(seeds.size() >= 3);
    for (const fs::path& seed : seeds) {
      const std::string name = seed.filename().string();
      CAPTURE(name);
      const bool valid = name.starts_with("valid-");
      REQUIRE((valid || name.starts_with("refused-")));
      Outcome outcome = Outcome::Refused;
      CHECK_NOTHROW(outcome = target.run(bytes_of(seed)));
      CHECK(outcome == (valid ? Outcome::Accepted : Outcome::Refused));
    }
  }
}

TEST_CASE("every input that once broke a parser is now handled") {
  int inputs = 0;
  for (const Target& target : targets())
    for (const fs::path& input : files_in(kInputs / "regressions" / target.name)) {
      CAPTURE(input.string());
      CHECK_NOTHROW(target.run(bytes_of(input)));
      ++inputs;
    }
  MESSAGE(inputs << " regression inputs");
}

TEST_CASE("the targets are found by name") {
  CHECK(std::string(find_target("checkpoint").name) == "checkpoint");
  CHECK_THROWS_AS(find_target("nonsense"), std::invalid_argument);
}
