#include "models/config_reader.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace minicnn {

using nlohmann::json;

std::string json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_float: return "a number";
    default: return "an integer";
  }
}

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  // Levenshtein distance, one row at a time.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& candidate : candidates) {
    const size_t d = distance(word, candidate);
    if (d < best_distance) best = candidate, best_distance = d;
  }
  // A likely typo changes at most a third of the word.
  return best_distance <= std::max<size_t>(1, word.size() / 3) ? best : "";
}

ConfigReader::ConfigReader(const json& object, std::string file, std::string path)
    : object_(object), file_(std::move(file)), path_(std::move(path)) {
  if (!object_.is_object()) throw Error(file_ + ": " + (path_.empty() ? "the config" : path_) + ": expected an object, got " + json_type_name(object_));
}

std::string ConfigReader::where(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigReader::fail(const std::string& key, const std::string& message) const {
  throw Error(file_ + ": " + where(key) + ": " + message);
}

const json* ConfigReader::lookup(const std::string& key) {
  read_.insert(key);
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

const json& ConfigReader::raw(const std::string& key) {
  const json* value = lookup(key);
  if (value == nullptr) fail(key, "missing");
  return *value;
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  const json* value = lookup(key);
  int64_t result = fallback;
  if (value != nullptr) {
    if (!value->is_number_integer()) fail(key, "expected an integer, got " + json_type_name(*value));
    result = value->get<int64_t>();
    if (result < min || result > max)
      fail(key, "expected an integer " + (max == INT32_MAX ? "of at least " + std::to_string(min)
                                                            : "from " + std::to_string(min) + " to " + std::to_string(max)) +
                    ", got " + std::to_string(result));
  }
  used_[key] = result;
  return result;
}

double ConfigReader::number(const std::string& key, double fallback, double min, double max) {
  const json* value = lookup(key);
  double result = fallback;
  if (value != nullptr) {
    if (!value->is_number()) fail(key, "expected a number, got " + json_type_name(*value));
    result = value->get<double>();
    if (!(result >= min && result <= max))
      fail(key, "expected a number from " + json(min).dump() + " to " + json(max).dump() + ", got " + value->dump());
  }
  used_[key] = result;
  return result;
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  const json* value = lookup(key);
  bool result = fallback;
  if (value != nullptr) {
    if (!value->is_boolean()) fail(key, "expected true or false, got " + json_type_name(*value));
    result = value->get<bool>();
  }
  used_[key] = result;
  return result;
}

std::string ConfigReader::text(const std::string& key, const std::string& fallback) {
  const json* value = lookup(key);
  std::string result = fallback;
  if (value != nullptr) {
    if (!value->is_string()) fail(key, "expected a string, got " + json_type_name(*value));
    result = value->get<std::string>();
  }
  used_[key] = result;
  return result;
}

std::string ConfigReader::choice(const std::string& key, const std::string& fallback,
                                 std::initializer_list<const char*> allowed) {
  const std::string result = text(key, fallback);
  std::vector<std::string> names(allowed.begin(), allowed.end());
  if (std::find(names.begin(), names.end(), result) != names.end()) return result;
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  const std::string guess = closest_name(result, names);
  fail(key, "unknown value '" + result + "'" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                "; expected one of " + list);
}

std::pair<int64_t, int64_t> ConfigReader::pair(const std::string& key, std::pair<int64_t, int64_t> fallback,
                                               int64_t min, int64_t max) {
  const json* value = lookup(key);
  std::pair<int64_t, int64_t> result = fallback;
  if (value != nullptr) {
    const bool is_pair = value->is_array() && value->size() == 2 && (*value)[0].is_number_integer() &&
                         (*value)[1].is_number_integer();
    if (value->is_number_integer()) result = {value->get<int64_t>(), value->get<int64_t>()};
    else if (is_pair) result = {(*value)[0].get<int64_t>(), (*value)[1].get<int64_t>()};
    else fail(key, "expected an integer or a pair [height, width] of integers, got " + value->dump());
    if (result.first < min || result.second < min || result.first > max || result.second > max)
      fail(key, "expected values from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + value->dump());
  }
  used_[key] = result.first == result.second ? json(result.first) : json::array({result.first, result.second});
  return result;
}

std::vector<int64_t> ConfigReader::integers(const std::string& key, const std::vector<int64_t>& fallback,
                                            int64_t min) {
  const json* value = lookup(key);
  std::vector<int64_t> result = fallback;
  if (value != nullptr) {
    if (!value->is_array()) fail(key, "expected an array of integers, got " + json_type_name(*value));
    result.clear();
    for (const json& item : *value) {
      if (!item.is_number_integer() || item.get<int64_t>() < min)
        fail(key, "expected integers of at least " + std::to_string(min) + ", got " + item.dump());
      result.push_back(item.get<int64_t>());
    }
  }
  used_[key] = result;
  return result;
}

ConfigReader ConfigReader::object(const std::string& key) {
  static const json empty = json::object();
  const json* value = lookup(key);
  if (value != nullptr && !value->is_object()) fail(key, "expected an object, got " + json_type_name(*value));
  return ConfigReader(value != nullptr ? *value : empty, file_, where(key));
}

void ConfigReader::require(const std::string& key, const std::string& what) const {
  if (has(key)) return;
  for (const auto& [present, value] : object_.items())
    if (!closest_name(present, {key}).empty()) fail(present, "unknown field (did you mean '" + key + "'?)");
  fail(key, "missing (" + what + ")");
}

void ConfigReader::finish() const {
  std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& [key, value] : object_.items()) {
    if (read_.count(key)) continue;
    const std::string guess = closest_name(key, known);
    throw Error(file_ + ": " + where(key) + ": unknown field" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
  }
}

}  // namespace minicnn
