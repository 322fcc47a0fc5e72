#pragma once
// ConfigReader: reads one JSON object of a config strictly. Every getter names its field, checks the JSON
// type and range, and records the value used (the default when the field is absent) into used(), so that a
// run directory can keep the config exactly as it was applied. finish() rejects fields nobody read, with the
// closest valid name as a suggestion. Every error is one line: "FILE: PATH.FIELD: what was expected".
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minicnn {

class ConfigReader {
 public:
  // `path` is the JSON path of the object ("layers[3]"), empty for the top level.
  ConfigReader(const nlohmann::json& object, std::string file, std::string path);

  int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max = INT32_MAX);
  double number(const std::string& key, double fallback, double min, double max);
  bool boolean(const std::string& key, bool fallback);
  std::string choice(const std::string& key, const std::string& fallback, std::initializer_list<const char*> allowed);
  std::string text(const std::string& key, const std::string& fallback);
  // An integer or a pair [h, w] of integers, each from min to max.
  std::pair<int64_t, int64_t> pair(const std::string& key, std::pair<int64_t, int64_t> fallback, int64_t min,
                                   int64_t max);
  std::vector<int64_t> integers(const std::string& key, const std::vector<int64_t>& fallback, int64_t min);

  bool has(const std::string& key) const { return object_.contains(key); }
  // Fails unless the key is present: as a misspelling when another field is close to it, else as missing.
  void require(const std::string& key, const std::string& what) const;
  const nlohmann::json& raw(const std::string& key);  // marks the key read; the caller checks it
  ConfigReader object(const std::string& key);         // a nested object ({} when absent)
  // Stores a value the caller derived from raw() into used().
  void record(const std::string& key, nlohmann::json value) { used_[key] = std::move(value); }

  // Throws for the first field that no getter asked for.
  void finish() const;
  const nlohmann::json& used() const { return used_; }

  // "FILE: PATH.key: message" as an Error.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  std::string where(const std::string& key) const;
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json* lookup(const std::string& key);

  const nlohmann::json& object_;
  std::string file_, path_;
  std::set<std::string> read_;
  nlohmann::json used_ = nlohmann::json::object();
};

// The candidate closest to `word` by edit distance, or "" when none is close enough to be a likely typo.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// The JSON type of a value in words: "a string", "an array", ...
std::string json_type_name(const nlohmann::json& value);

}  // namespace minicnn
