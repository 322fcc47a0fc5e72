#include "core/npy.hpp"

#include <bit>
#include <cctype>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace minicnn {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy reader assumes a little-endian machine");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr uint32_t kMaxHeaderSize = 1 << 16;  // numpy writes a few hundred bytes

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw Error(path + ": " + problem);
}

// The header dict, read by a parser that knows the three keys numpy writes and the literals they hold.
struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  Header parse() {
    Header header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        header.descr = string_literal();
        seen_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape") {
        header.shape = int_tuple();
        seen_shape = true;
      } else {
        bad("unknown key '" + key + "'");
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!seen_descr || !seen_order || !seen_shape) bad("it lacks one of 'descr', 'fortran_order', 'shape'");
    return header;
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) bad(std::string("expected '") + c + "'");
  }
  std::string string_literal() {
    skip_spaces();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) bad("expected a quoted string");
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) bad("unterminated string");
    std::string value = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}})
      if (text_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return value;
      }
    bad("expected True or False");
  }
  std::vector<int64_t> int_tuple() {
    std::vector<int64_t> values;
    expect('(');
    while (!accept(')')) {
      skip_spaces();
      int64_t value = 0;
      size_t digits = 0;
      for (; pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])); ++pos_, ++digits) {
        if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) bad("a dimension is too large");
        value = value * 10 + (text_[pos_] - '0');
      }
      if (digits == 0) bad("expected a non-negative integer in the shape");
      values.push_back(value);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }
  [[noreturn]] void bad(const std::string& what) { fail(path_, "malformed .npy header: " + what); }

  const std::string& text_;
  const std::string& path_;
  size_t pos_ = 0;
};

uint32_t read_le(const unsigned char* bytes, int count) {
  uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

template <typename Stored>
void decode(const std::vector<char>& bytes, std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    Stored value;
    std::memcpy(&value, bytes.data() + i * sizeof(Stored), sizeof(Stored));
    values[i] = value;
  }
}

template <typename Stored>
std::vector<char> encode(const std::vector<double>& values) {
  std::vector<char> bytes(values.size() * sizeof(Stored));
  for (size_t i = 0; i < values.size(); ++i) {
    const Stored value = static_cast<Stored>(values[i]);
    std::memcpy(bytes.data() + i * sizeof(Stored), &value, sizeof(Stored));
  }
  return bytes;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (int64_t size : shape) text += std::to_string(size) + ", ";
  if (shape.size() == 1) text.resize(text.size() - 1);       // "(3,)" is a tuple, "(3)" is not
  else if (!shape.empty()) text.resize(text.size() - 2);     // "(3, 4)"
  return text + ")";
}

}  // namespace

int64_t NpyArray::numel() const {
  int64_t count = 1;
  for (int64_t size : shape) count *= size;
  return count;
}

Shape NpyArray::tensor_shape() const {
  if (shape.empty() || shape.size() > Shape::kMaxRank)
    throw Error("an array of rank " + std::to_string(shape.size()) + " does not fit a tensor (rank 1 to 4)");
  Shape result;
  result.rank = static_cast<int>(shape.size());
  for (int axis = 0; axis < result.rank; ++axis) result[axis] = shape[axis];
  return result;
}

template <typename T>
Tensor<T> NpyArray::to_tensor() const {
  Tensor<T> tensor(tensor_shape());
  for (int64_t i = 0; i < tensor.numel(); ++i) tensor[i] = static_cast<T>(values[i]);
  return tensor;
}

NpyArray load_npy(const std::string& path) {
  const OpenedFile opened = open_for_reading(path);
  std::FILE* file = opened.file.get();
  const auto file_size = static_cast<int64_t>(opened.size);
  const auto read = [&](void* into, size_t bytes) { return std::fread(into, 1, bytes, file) == bytes; };

  // Magic, version, then the header length: 2 bytes in version 1.0, 4 bytes in 2.0.
  unsigned char prefix[12] = {};
  if (file_size < 10 || !read(prefix, 10)) fail(path, "too short to be a .npy file");
  if (std::memcmp(prefix, kMagic, kMagicSize) != 0) fail(path, "not a .npy file (wrong magic string)");
  const int major = prefix[6];
  if (major != 1 && major != 2) fail(path, "unsupported .npy version " + std::to_string(major) + ".x");
  int64_t prefix_size = 10;
  uint32_t header_size = read_le(prefix + 8, 2);
  if (major == 2) {
    if (!read(prefix + 10, 2)) fail(path, "truncated .npy header");
    prefix_size = 12;
    header_size = read_le(prefix + 8, 4);
  }
  if (header_size > kMaxHeaderSize || prefix_size + header_size > file_size)
    fail(path, "truncated or oversized .npy header (" + std::to_string(header_size) + " bytes announced)");
  std::string text(header_size, '\0');
  if (!read(text.data(), header_size)) fail(path, "read error in the .npy header");
  const Header header = HeaderParser(text, path).parse();

  NpyArray array;
  if (header.descr == "<f8") array.is_double = true;
  else if (header.descr != "<f4")
    fail(path, "unsupported dtype '" + header.descr + "' (minicnn reads little-endian float32 '<f4' and float64 '<f8')");
  if (header.fortran_order) fail(path, "Fortran-ordered arrays are not supported (save np.ascontiguousarray(a))");
  if (header.shape.empty() || header.shape.size() > Shape::kMaxRank)
    fail(path, "arrays of rank " + std::to_string(header.shape.size()) + " are not supported (rank 1 to 4)");

  // The data must be exactly numel values: check against the real file length before allocating anything.
  const int64_t item_size = array.is_double ? 8 : 4;
  const int64_t data_size = file_size - prefix_size - header_size;
  int64_t numel = 1;
  for (int64_t size : header.shape) {
    if (size != 0 && numel > data_size / item_size / size) {
      numel = -1;  // more values than the file could hold, however the rest of the shape goes
      break;
    }
    numel *= size;
  }
  if (numel < 0 || numel * item_size > data_size)
    fail(path, "truncated data: shape " + shape_text(header.shape) + " needs more than the " +
                   std::to_string(data_size) + " bytes the file holds");
  if (numel * item_size < data_size)
    fail(path, std::to_string(data_size - numel * item_size) + " unexpected bytes after the data of shape " +
                   shape_text(header.shape));
  array.shape = header.shape;
  std::vector<char> bytes(data_size);
  if (!bytes.empty() && !read(bytes.data(), bytes.size())) fail(path, "read error in the .npy data");
  array.values.resize(numel);
  if (array.is_double) decode<double>(bytes, array.values);
  else decode<float>(bytes, array.values);
  return array;
}

void save_npy(const std::string& path, const NpyArray& array) {
  if (array.shape.empty() || array.shape.size() > Shape::kMaxRank)
    fail(path, "cannot write an array of rank " + std::to_string(array.shape.size()) + " (rank 1 to 4)");
  if (array.numel() != static_cast<int64_t>(array.values.size()))
    fail(path, "shape " + shape_text(array.shape) + " does not match the " + std::to_string(array.values.size()) +
                   " values given");
  std::string header = std::string("{'descr': '") + (array.is_double ? "<f8" : "<f4") +
                       "', 'fortran_order': False, 'shape': " + shape_text(array.shape) + ", }";
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with a newline.
  const size_t unpadded = kMagicSize + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  const std::vector<char> bytes = array.is_double ? encode<double>(array.values) : encode<float>(array.values);

  const char version_and_size[4] = {1, 0, static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  std::string file(kMagic, kMagicSize);
  file.append(version_and_size, 4);
  file += header;
  file.append(bytes.data(), bytes.size());
  write_file_atomically(path, file);
}

template <typename T>
void save_npy(const std::string& path, const Tensor<T>& tensor) {
  NpyArray array;
  array.is_double = std::is_same_v<T, double>;
  for (int axis = 0; axis < tensor.rank(); ++axis) array.shape.push_back(tensor.dim(axis));
  array.values.assign(tensor.begin(), tensor.end());
  save_npy(path, array);
}

template Tensor<float> NpyArray::to_tensor<float>() const;
template Tensor<double> NpyArray::to_tensor<double>() const;
template void save_npy<float>(const std::string&, const Tensor<float>&);
template void save_npy<double>(const std::string&, const Tensor<double>&);

}  // namespace minicnn
