#include "models/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <map>
#include <string_view>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace minicnn {
namespace {

constexpr std::string_view kMagic = "MCNNCKPT";
constexpr size_t kHeaderBytes = 20;  // magic, version, payload size
constexpr size_t kCrcBytes = 4;
constexpr uint32_t kMaxNameBytes = 1024;
constexpr uint32_t kMaxJsonBytes = 64u << 20;
constexpr size_t kMinTensorBytes = 4 + 4 + 8 + 4;  // empty name, rank 1, one dim, one value

std::string str(uint64_t n) { return std::to_string(n); }

uint64_t load_le(const char* at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t(static_cast<unsigned char>(at[i])) << (8 * i);
  return value;
}

void store_le(char* at, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) at[i] = static_cast<char>(value >> (8 * i));
}

// Tensor names appear in one-line error messages, so they may not hold control characters (newlines...).
bool is_printable(std::string_view name) {
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

uint32_t crc32_of(std::string_view bytes) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// Appends little-endian fields to the file's bytes, refusing what the loader would refuse.
class Encoder {
 public:
  explicit Encoder(const std::string& path) : path_(path) {}

  void u32(uint32_t value) { append(value, 4); }
  void u64(uint64_t value) { append(value, 8); }
  void string(std::string_view text, uint32_t max_bytes, const std::string& field) {
    if (text.size() > max_bytes)
      throw Error(path_ + ": cannot save " + field + ": " + str(text.size()) + " bytes, more than the " +
                  str(max_bytes) + " allowed");
    u32(static_cast<uint32_t>(text.size()));
    bytes_.append(text);
  }
  void tensors(const std::vector<NamedTensor>& list) {
    u32(static_cast<uint32_t>(list.size()));
    for (const NamedTensor& t : list) {
      const Tensor<float>& values = t.tensor;
      if (!is_printable(t.name)) throw Error(path_ + ": cannot save a tensor whose name has a control character");
      if (values.rank() < 1 || values.numel() == 0)
        throw Error(path_ + ": cannot save tensor " + t.name + " of shape [" + values.shape().str() +
                    "]: a saved tensor has 1 to 4 axes, none of them empty");
      string(t.name, kMaxNameBytes, "the name of tensor " + t.name);
      u32(static_cast<uint32_t>(values.rank()));
      for (int axis = 0; axis < values.rank(); ++axis) u64(static_cast<uint64_t>(values.dim(axis)));
      const size_t at = bytes_.size();
      bytes_.resize(at + 4 * values.numel());
      for (int64_t i = 0; i < values.numel(); ++i)
        store_le(&bytes_[at + 4 * i], std::bit_cast<uint32_t>(values[i]), 4);
    }
  }
  std::string& bytes() { return bytes_; }

 private:
  void append(uint64_t value, int size) {
    bytes_.resize(bytes_.size() + size);
    store_le(&bytes_[bytes_.size() - size], value, size);
  }

  const std::string& path_;
  std::string bytes_;
};

// Reads little-endian fields from the payload, checking every size against the bytes that remain before
// anything is allocated. Errors give the file offset of the field being read.
class Decoder {
 public:
  Decoder(const std::string& path, std::string_view payload) : path_(path), payload_(payload) {}

  size_t remaining() const { return payload_.size() - position_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(path_ + ": " + what + " (at byte " + str(kHeaderBytes + field_start_) + ")");
  }

  // The next n bytes, which must exist.
  const char* take(uint64_t n, const std::string& field) {
    field_start_ = position_;
    if (n > remaining())
      fail(field + " needs " + str(n) + " bytes but only " + str(remaining()) + " remain in the payload");
    const char* at = payload_.data() + position_;
    position_ += n;
    return at;
  }
  uint32_t u32(const std::string& field) { return static_cast<uint32_t>(load_le(take(4, field), 4)); }
  uint64_t u64(const std::string& field) { return load_le(take(8, field), 8); }
  std::string string(uint32_t max_bytes, const std::string& field) {
    const uint32_t size = u32("the length of " + field);
    if (size > max_bytes)
      fail(field + " claims " + str(size) + " bytes, more than the " + str(max_bytes) + " allowed");
    return std::string(take(size, field), size);
  }

  std::vector<NamedTensor> tensors(const std::string& list) {
    const uint32_t count = u32("the number of " + list);
    if (count > remaining() / kMinTensorBytes)
      fail("claims " + str(count) + " " + list + " but only " + str(remaining()) + " bytes remain");
    std::vector<NamedTensor> tensors(count);
    for (uint32_t k = 0; k < count; ++k) {
      NamedTensor& t = tensors[k];
      t.name = string(kMaxNameBytes, "the name of " + list + " " + str(k));
      if (!is_printable(t.name)) fail("the name of " + list + " " + str(k) + " contains a control character");
      const std::string field = "tensor " + t.name;
      Shape shape;
      const uint32_t rank = u32("the rank of " + field);
      if (rank < 1 || rank > Shape::kMaxRank) fail(field + " has rank " + str(rank) + ", not 1 to 4");
      shape.rank = static_cast<int>(rank);
      // Each axis keeps count · size within the values the remaining bytes could hold, so the product
      // can neither overflow nor promise more data than the file has.
      const uint64_t max_values = remaining() / 4;
      uint64_t values = 1;
      for (int axis = 0; axis < shape.rank; ++axis) {
        const uint64_t size = u64("the dimensions of " + field);
        if (size == 0) fail(field + " has an empty axis " + str(axis));
        if (size > max_values / values)
          fail(field + " claims " + str(size) + " along axis " + str(axis) + ", which the " +
               str(remaining()) + " remaining bytes cannot hold");
        values *= size;
        shape[axis] = static_cast<int64_t>(size);
      }
      const char* data = take(4 * values, "the values of " + field);
      t.tensor = Tensor<float>(shape);
      for (uint64_t i = 0; i < values; ++i)
        t.tensor[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(data + 4 * i, 4)));
    }
    return tensors;
  }

 private:
  const std::string& path_;
  std::string_view payload_;
  size_t position_ = 0;
  size_t field_start_ = 0;
};

// Copies saved tensors into targets of the same names, after checking that both hold the same names with
// the same shapes; on any mismatch nothing is copied. kind names the tensors in messages.
void restore_named(const std::vector<NamedTensor>& saved,
                   const std::vector<std::pair<std::string, Tensor<float>*>>& targets, const std::string& kind,
                   const std::string& path) {
  std::map<std::string, const Tensor<float>*> by_name;
  for (const NamedTensor& t : saved)
    if (!by_name.emplace(t.name, &t.tensor).second)
      throw Error(path + ": the checkpoint holds " + kind + " " + t.name + " twice");
  for (const auto& [name, target] : targets) {
    const auto found = by_name.find(name);
    if (found == by_name.end())
      throw Error(path + ": the network has " + kind + " " + name + " but the checkpoint does not");
    if (!(found->second->shape() == target->shape()))
      throw Error(path + ": " + kind + " " + name + " has shape " + found->second->shape().str() +
                  " but the network expects " + target->shape().str());
  }
  for (const NamedTensor& t : saved)
    if (std::none_of(targets.begin(), targets.end(), [&](const auto& target) { return target.first == t.name; }))
      throw Error(path + ": the checkpoint has " + kind + " " + t.name + " but the network does not");
  for (const auto& [name, target] : targets) *target = *by_name.at(name);
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  Encoder out(path);
  out.bytes().append(kMagic);
  out.u32(kCheckpointVersion);
  out.u64(0);  // the payload size, filled in below
  out.string(checkpoint.config_json, kMaxJsonBytes, "config_json");
  out.string(checkpoint.metadata_json, kMaxJsonBytes, "metadata_json");
  if (checkpoint.epoch < 0)
    throw Error(path + ": cannot save the negative epoch " + std::to_string(checkpoint.epoch));
  out.u64(static_cast<uint64_t>(checkpoint.epoch));
  for (uint64_t word : checkpoint.rng_state) out.u64(word);
  out.tensors(checkpoint.params);
  out.tensors(checkpoint.optimizer_state);

  std::string& bytes = out.bytes();
  const std::string_view payload = std::string_view(bytes).substr(kHeaderBytes);
  store_le(&bytes[12], payload.size(), 8);
  out.u32(crc32_of(payload));
  write_file_atomically(path, bytes, "the previous checkpoint is unchanged");
}

Checkpoint load_checkpoint(const std::string& path) {
  // No limit but the file's own length: every size inside is checked against it.
  const std::string file = read_whole_file(path, std::numeric_limits<uint64_t>::max(), "checkpoint");
  const auto fail = [&](const std::string& what) { throw Error(path + ": " + what); };
  if (file.compare(0, kMagic.size(), kMagic.substr(0, file.size())) != 0)
    fail("not a minicnn checkpoint (it does not start with \"MCNNCKPT\")");
  if (file.size() < kHeaderBytes + kCrcBytes)
    fail("truncated: " + str(file.size()) + " bytes, fewer than the " + str(kHeaderBytes + kCrcBytes) +
         " of the header and checksum");
  const uint64_t version = load_le(&file[8], 4);
  if (version != kCheckpointVersion)
    fail("unsupported checkpoint version " + str(version) + " (this build reads version " +
         str(kCheckpointVersion) + ")");
  const uint64_t payload_size = load_le(&file[12], 8);
  const uint64_t available = file.size() - kHeaderBytes - kCrcBytes;
  if (payload_size > available)
    fail("truncated: the header announces a payload of " + str(payload_size) + " bytes but the file holds " +
         str(available));
  if (payload_size < available)
    fail(str(available - payload_size) + " unexpected bytes after the checksum");
  const std::string_view payload = std::string_view(file).substr(kHeaderBytes, payload_size);
  const uint32_t stored_crc = static_cast<uint32_t>(load_le(&file[kHeaderBytes + payload_size], 4));
  if (crc32_of(payload) != stored_crc) fail("checksum mismatch: the file is corrupt");

  Decoder in(path, payload);
  Checkpoint checkpoint;
  checkpoint.config_json = in.string(kMaxJsonBytes, "config_json");
  checkpoint.metadata_json = in.string(kMaxJsonBytes, "metadata_json");
  checkpoint.epoch = static_cast<int64_t>(in.u64("the epoch"));
  if (checkpoint.epoch < 0) in.fail("the epoch is negative: " + std::to_string(checkpoint.epoch));
  for (uint64_t& word : checkpoint.rng_state) word = in.u64("the random generator state");
  checkpoint.params = in.tensors("parameter tensors");
  checkpoint.optimizer_state = in.tensors("optimizer tensors");
  if (in.remaining() != 0) fail(str(in.remaining()) + " unexpected bytes at the end of the payload");
  return checkpoint;
}

std::vector<NamedTensor> capture_params(const std::vector<Param<float>*>& params) {
  std::vector<NamedTensor> tensors;
  for (const Param<float>* p : params) tensors.push_back({p->name, p->value});
  return tensors;
}

std::vector<NamedTensor> capture_velocities(const std::vector<Param<float>*>& params, Sgd<float>& sgd) {
  std::vector<NamedTensor> tensors;
  for (size_t k = 0; k < params.size(); ++k) tensors.push_back({params[k]->name, sgd.velocities()[k]});
  return tensors;
}

void restore_params(const Checkpoint& checkpoint, const std::vector<Param<float>*>& params,
                    const std::string& path) {
  std::vector<std::pair<std::string, Tensor<float>*>> targets;
  for (Param<float>* p : params) targets.emplace_back(p->name, &p->value);
  restore_named(checkpoint.params, targets, "tensor", path);
}

void restore_velocities(const Checkpoint& checkpoint, const std::vector<Param<float>*>& params,
                        Sgd<float>& sgd, const std::string& path) {
  std::vector<std::pair<std::string, Tensor<float>*>> targets;
  for (size_t k = 0; k < params.size(); ++k) targets.emplace_back(params[k]->name, &sgd.velocities()[k]);
  restore_named(checkpoint.optimizer_state, targets, "SGD velocity", path);
}

}  // namespace minicnn
