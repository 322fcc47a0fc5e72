#include "models/checkpoint.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/error.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

#define CHECK_CONTAINS(text, part) CHECK_MESSAGE((text).find(part) != std::string::npos, (text))

namespace {

// A fresh directory for one test, removed with its contents afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("minicnn-test-checkpoint-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void append_le(std::string& bytes, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t get_le(const std::string& bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int i = 0; i < width; ++i) value |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return value;
}

void put_le(std::string& bytes, size_t at, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes[at + i] = static_cast<char>(value >> (8 * i));
}

uint32_t crc_of(std::string_view bytes) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// Rewrites the header's payload size and the trailing CRC to match an altered payload, so that the
// alteration gets past those two checks and reaches the parser's own.
void reseal(std::string& file) {
  const size_t payload_size = file.size() - 24;
  put_le(file, 12, payload_size, 8);
  put_le(file, file.size() - 4, crc_of(std::string_view(file).substr(20, payload_size)), 4);
}

NamedTensor random_tensor(const std::string& name, const Shape& shape, Rng& rng) {
  NamedTensor t{name, Tensor<float>(shape)};
  for (float& v : t.tensor) v = static_cast<float>(rng.normal(0, 1));
  return t;
}

// A small checkpoint with every field set, tensors of ranks 4, 1 and 2, and values whose bits a careless
// format would change: a NaN with a payload, -0, the infinities, a subnormal.
Checkpoint sample_checkpoint(uint64_t seed) {
  Rng rng(seed);
  Checkpoint c;
  c.config_json = R"({"model":"lenet","epochs":12})";
  c.metadata_json = std::string(R"({"classes":["T-shirt","Ankle boot"],"mean":0.286,"note":"µσ)") + '\0' + "\"}";
  c.epoch = 7 + static_cast<int64_t>(seed);
  for (uint64_t& word : c.rng_state) word = rng.next_u64();
  for (auto* list : {&c.params, &c.optimizer_state})
    *list = {random_tensor("conv1.weight", {2, 1, 3, 3}, rng), random_tensor("conv1.bias", {2}, rng),
             random_tensor("fc1.weight", {3, 4}, rng)};
  float* w = c.params[0].tensor.data();
  w[0] = std::bit_cast<float>(0x7fc01234u);
  w[1] = -0.0f;
  w[2] = std::numeric_limits<float>::infinity();
  w[3] = -std::numeric_limits<float>::infinity();
  w[4] = std::numeric_limits<float>::denorm_min();
  return c;
}

bool same_tensors(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const NamedTensor& x, const NamedTensor& y) {
    return x.name == y.name && x.tensor.shape() == y.tensor.shape() &&
           std::memcmp(x.tensor.data(), y.tensor.data(), x.tensor.numel() * sizeof(float)) == 0;
  });
}

bool identical(const Checkpoint& a, const Checkpoint& b) {
  return a.config_json == b.config_json && a.metadata_json == b.metadata_json && a.epoch == b.epoch &&
         a.rng_state == b.rng_state && same_tensors(a.params, b.params) &&
         same_tensors(a.optimizer_state, b.optimizer_state);
}

// The message of the Error that loading path throws, or "" when it loads. Every message must be one line
// that starts with the file's name.
std::string load_error(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK_MESSAGE(message.rfind(path + ": ", 0) == 0, message);
    CHECK_MESSAGE(message.find('\n') == std::string::npos, message);
    return message;
  }
  return "";
}

// Runs save_checkpoint in a child process whose files may not grow past max_bytes, the way a full disk
// stops a write part way. Returns the SystemFailure message the child got, or "saved".
std::string save_with_file_size_limit(const std::string& path, const Checkpoint& c, rlim_t max_bytes) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    const rlimit limit{max_bytes, max_bytes};
    ::signal(SIGXFSZ, SIG_IGN);  // so that writing past the limit fails with EFBIG instead of killing
    std::string outcome = "saved";
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) outcome = "setrlimit failed";
    else
      try {
        save_checkpoint(path, c);
      } catch (const SystemFailure& e) {  // a write cut short is the machine's failure, not bad input
        outcome = e.what();
      } catch (const std::exception& e) {
        outcome = std::string("another exception: ") + e.what();
      }
    const ssize_t written = ::write(pipe_fds[1], outcome.data(), outcome.size());
    ::_exit(written == static_cast<ssize_t>(outcome.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string outcome;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) outcome.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return outcome;
}

}  // namespace

TEST_CASE("a checkpoint survives saving and loading bit for bit") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  const Checkpoint saved = sample_checkpoint(1);
  save_checkpoint(path, saved);
  const Checkpoint loaded = load_checkpoint(path);
  CHECK(identical(saved, loaded));
  CHECK(std::bit_cast<uint32_t>(loaded.params[0].tensor[0]) == 0x7fc01234u);  // the NaN keeps its payload
  CHECK(std::signbit(loaded.params[0].tensor[1]));                             // -0 stays negative

  const Checkpoint empty;
  save_checkpoint(path, empty);
  CHECK(identical(load_checkpoint(path), empty));
}

TEST_CASE("the file is laid out as the table in checkpoint.hpp says") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  Checkpoint c;
  c.config_json = "{}";
  c.metadata_json = "m";
  c.epoch = 3;
  c.rng_state = {1, 2, 0x0102030405060708ULL, UINT64_MAX};
  c.params = {{"w", Tensor<float>(Shape{2})}};
  c.params[0].tensor[0] = 1.0f;
  c.params[0].tensor[1] = -2.0f;
  c.optimizer_state = {{"v", Tensor<float>(Shape{1, 1})}};
  c.optimizer_state[0].tensor[0] = 0.5f;
  save_checkpoint(path, c);

  std::string payload;
  append_le(payload, 2, 4), payload += "{}";
  append_le(payload, 1, 4), payload += "m";
  append_le(payload, 3, 8);
  for (uint64_t word : c.rng_state) append_le(payload, word, 8);
  append_le(payload, 1, 4);                               // one parameter tensor:
  append_le(payload, 1, 4), payload += "w";               //   name
  append_le(payload, 1, 4), append_le(payload, 2, 8);     //   rank 1, [2]
  append_le(payload, 0x3f800000, 4), append_le(payload, 0xc0000000, 4);  // 1.0f, -2.0f
  append_le(payload, 1, 4);                               // one optimizer tensor:
  append_le(payload, 1, 4), payload += "v";
  append_le(payload, 2, 4), append_le(payload, 1, 8), append_le(payload, 1, 8);  // rank 2, [1, 1]
  append_le(payload, 0x3f000000, 4);                      // 0.5f
  std::string expected = "MCNNCKPT";
  append_le(expected, 1, 4);
  append_le(expected, payload.size(), 8);
  expected += payload;
  append_le(expected, crc_of(payload), 4);
  CHECK(read_bytes(path) == expected);
}

TEST_CASE("a changed byte anywhere in the file is detected") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin"), corrupt_path = dir.file("corrupt.bin");
  save_checkpoint(path, sample_checkpoint(1));
  const std::string good = read_bytes(path);
  for (size_t at = 0; at < good.size(); ++at) {
    CAPTURE(at);
    std::string corrupt = good;
    corrupt[at] ^= 0x10;
    write_bytes(corrupt_path, corrupt);
    const std::string message = load_error(corrupt_path);
    if (at < 8) CHECK_CONTAINS(message, "not a minicnn checkpoint");
    else if (at < 12) CHECK_CONTAINS(message, "unsupported checkpoint version");
    else if (at < 20) CHECK((message.find("truncated") != std::string::npos ||
                             message.find("unexpected bytes after the checksum") != std::string::npos));
    else CHECK_CONTAINS(message, "checksum mismatch: the file is corrupt");
  }
}

TEST_CASE("a file cut short at any length is refused as truncated") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin"), cut_path = dir.file("cut.bin");
  save_checkpoint(path, sample_checkpoint(1));
  const std::string good = read_bytes(path);
  for (size_t length = 0; length < good.size(); ++length) {
    CAPTURE(length);
    write_bytes(cut_path, good.substr(0, length));
    CHECK_CONTAINS(load_error(cut_path), "truncated");
  }
  write_bytes(cut_path, good + "x");
  CHECK_CONTAINS(load_error(cut_path), "1 unexpected bytes after the checksum");
}

TEST_CASE("a payload cut short or padded, under a valid header and checksum, is refused by the parser") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin"), cut_path = dir.file("cut.bin");
  save_checkpoint(path, sample_checkpoint(1));
  const std::string good = read_bytes(path);
  const size_t payload_size = good.size() - 24;
  for (size_t length = 0; length < payload_size; ++length) {
    CAPTURE(length);
    std::string cut = good.substr(0, 20 + length) + std::string(4, '\0');
    reseal(cut);
    write_bytes(cut_path, cut);
    const std::string message = load_error(cut_path);
    CHECK_FALSE(message.empty());
    CHECK(message.find("checksum") == std::string::npos);
  }
  std::string padded = good.substr(0, 20 + payload_size) + "pad" + std::string(4, '\0');
  reseal(padded);
  write_bytes(cut_path, padded);
  CHECK_CONTAINS(load_error(cut_path), "3 unexpected bytes at the end of the payload");
}

TEST_CASE("a file that is not a checkpoint is refused") {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  write_bytes(path, "These are not the weights you are looking for.\n");
  CHECK_CONTAINS(load_error(path), "not a minicnn checkpoint");
  write_bytes(path, "MCNN");  // a prefix of the magic: the start of a checkpoint, cut short
  CHECK_CONTAINS(load_error(path), "truncated");

  CHECK_CONTAINS(load_error(dir.file("missing.bin")), "cannot open: No such file or directory");
  CHECK_CONTAINS(load_error(dir.path.string()), "not a regular file");
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_CONTAINS(load_error(fifo), "not a regular file");  // and does not wait for a writer
}

TEST_CASE("a checkpoint from a future version is refused") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  save_checkpoint(path, sample_checkpoint(1));
  std::string file = read_bytes(path);
  put_le(file, 8, kCheckpointVersion + 1, 4);
  write_bytes(path, file);
  CHECK_CONTAINS(load_error(path), "unsupported checkpoint version " + std::to_string(kCheckpointVersion + 1));
}

TEST_CASE("huge or impossible sizes are refused before anything is allocated") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin"), bad_path = dir.file("bad.bin");
  Checkpoint c;
  c.config_json = "c";
  c.params = {{"w", Tensor<float>(Shape{2, 3})}};
  c.optimizer_state = c.params;
  save_checkpoint(path, c);
  const std::string good = read_bytes(path);
  // Field offsets, from the table in checkpoint.hpp.
  const size_t config_at = 20, metadata_at = config_at + 4 + 1, epoch_at = metadata_at + 4,
               count_at = epoch_at + 8 + 32, name_at = count_at + 4, rank_at = name_at + 4 + 1,
               dims_at = rank_at + 4, optimizer_count_at = dims_at + 2 * 8 + 6 * 4;
  REQUIRE(get_le(good, count_at, 4) == 1);
  REQUIRE(get_le(good, rank_at, 4) == 2);
  REQUIRE(get_le(good, dims_at + 8, 8) == 3);
  REQUIRE(get_le(good, optimizer_count_at, 4) == 1);

  // Each case: where to write what, and what the error must say.
  struct Case {
    size_t at;
    int width;
    uint64_t value;
    std::string message;
  };
  const uint64_t u32_max = UINT32_MAX, u64_max = UINT64_MAX;
  const std::string at_rank = "(at byte " + std::to_string(rank_at) + ")";
  const Case cases[] = {
      {config_at, 4, u32_max, "config_json claims 4294967295 bytes, more than the 67108864 allowed"},
      {config_at, 4, 1000000, "config_json needs 1000000 bytes but only"},
      {metadata_at, 4, u32_max, "metadata_json claims 4294967295 bytes"},
      {epoch_at, 8, u64_max, "the epoch is negative"},
      {count_at, 4, u32_max, "claims 4294967295 parameter tensors but only"},
      {name_at + 4, 1, '\n', "the name of parameter tensors 0 contains a control character"},
      {name_at, 4, u32_max, "the name of parameter tensors 0 claims 4294967295 bytes, more than the 1024"},
      {rank_at, 4, 0, "tensor w has rank 0, not 1 to 4 " + at_rank},
      {rank_at, 4, 5, "tensor w has rank 5, not 1 to 4 " + at_rank},
      {rank_at, 4, u32_max, "tensor w has rank 4294967295"},
      {dims_at + 8, 8, 0, "tensor w has an empty axis 1"},
      {dims_at, 8, u64_max, "tensor w claims 18446744073709551615 along axis 0"},
      {dims_at, 8, uint64_t(1) << 62, "tensor w claims 4611686018427387904 along axis 0"},
      {dims_at + 8, 8, uint64_t(1) << 61, "tensor w claims 2305843009213693952 along axis 1"},
      {dims_at + 8, 8, 20, "tensor w claims 20 along axis 1"},  // each axis fits, their product does not
      {optimizer_count_at, 4, u32_max, "claims 4294967295 optimizer tensors"},
  };
  for (const Case& bad : cases) {
    CAPTURE(bad.message);
    std::string file = good;
    put_le(file, bad.at, bad.value, bad.width);
    reseal(file);
    write_bytes(bad_path, file);
    CHECK_CONTAINS(load_error(bad_path), bad.message);
  }

  std::string file = good;
  put_le(file, 12, UINT64_MAX, 8);  // the header's payload size
  write_bytes(bad_path, file);
  CHECK_CONTAINS(load_error(bad_path), "truncated: the header announces a payload of 18446744073709551615 bytes");
}

TEST_CASE("restore_params copies tensors of matching names and shapes, and refuses anything else") {
  const std::string path = "run/checkpoint.bin";
  Rng rng(3);
  Param<float> weight("conv1.weight", {20, 1, 5, 5}), bias("conv1.bias", {20});
  const std::vector<Param<float>*> params = {&weight, &bias};
  Checkpoint c;
  c.params = {random_tensor("conv1.bias", {20}, rng), random_tensor("conv1.weight", {20, 1, 5, 5}, rng)};
  restore_params(c, params, path);
  CHECK(same_tensors(capture_params(params),
                     {{"conv1.weight", c.params[1].tensor}, {"conv1.bias", c.params[0].tensor}}));

  const std::vector<NamedTensor> before = capture_params(params);
  const auto refuses = [&](const Checkpoint& bad, const std::string& message) {
    CHECK_THROWS_WITH_AS(restore_params(bad, params, path), message.c_str(), Error);
    CHECK(same_tensors(capture_params(params), before));  // nothing was copied
  };
  Checkpoint wrong_shape;
  wrong_shape.params = {random_tensor("conv1.bias", {20}, rng), random_tensor("conv1.weight", {10, 1, 5, 5}, rng)};
  refuses(wrong_shape,
          "run/checkpoint.bin: tensor conv1.weight has shape 10x1x5x5 but the network expects 20x1x5x5");
  Checkpoint missing;
  missing.params = {random_tensor("conv1.weight", {20, 1, 5, 5}, rng)};
  refuses(missing, "run/checkpoint.bin: the network has tensor conv1.bias but the checkpoint does not");
  Checkpoint extra = c;
  extra.params.push_back(random_tensor("fc9.weight", {2, 2}, rng));
  refuses(extra, "run/checkpoint.bin: the checkpoint has tensor fc9.weight but the network does not");
  Checkpoint twice = c;
  twice.params.push_back(c.params[0]);
  refuses(twice, "run/checkpoint.bin: the checkpoint holds tensor conv1.bias twice");
}

TEST_CASE("SGD resumed from a saved checkpoint continues exactly as the uninterrupted run") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  const SgdOptions options{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true};
  Rng rng(4);
  const auto set_grads = [&](const std::vector<Param<float>*>& params, uint64_t seed) {
    Rng grads(seed);
    for (Param<float>* p : params)
      for (float& g : p->grad) g = static_cast<float>(grads.normal(0, 1));
  };
  Param<float> w("fc1.weight", {3, 4}), b("fc1.bias", {3});
  for (Param<float>* p : {&w, &b})
    for (float& v : p->value) v = static_cast<float>(rng.normal(0, 1));
  const std::vector<Param<float>*> params = {&w, &b};
  Sgd<float> sgd(params, options);
  for (uint64_t step = 0; step < 3; ++step) {
    set_grads(params, step);
    sgd.step();
  }

  Checkpoint c;
  c.params = capture_params(params);
  c.optimizer_state = capture_velocities(params, sgd);
  save_checkpoint(path, c);

  Param<float> w2("fc1.weight", {3, 4}), b2("fc1.bias", {3});
  const std::vector<Param<float>*> resumed_params = {&w2, &b2};
  Sgd<float> resumed(resumed_params, options);
  const Checkpoint loaded = load_checkpoint(path);
  restore_params(loaded, resumed_params, path);
  restore_velocities(loaded, resumed_params, resumed, path);

  set_grads(params, 99);
  sgd.step();
  set_grads(resumed_params, 99);
  resumed.step();
  CHECK(same_tensors(capture_params(params), capture_params(resumed_params)));
  CHECK(same_tensors(capture_velocities(params, sgd), capture_velocities(resumed_params, resumed)));

  Param<float> b3("fc1.bias", {4});
  Sgd<float> other(std::vector<Param<float>*>{&w2, &b3}, options);
  CHECK_THROWS_WITH_AS(restore_velocities(loaded, {&w2, &b3}, other, path),
                       (path + ": SGD velocity fc1.bias has shape 3 but the network expects 4").c_str(), Error);
}

TEST_CASE("saving over a checkpoint replaces it and leaves no temporary file") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  save_checkpoint(path, sample_checkpoint(1));
  const Checkpoint second = sample_checkpoint(2);
  save_checkpoint(path, second);
  CHECK(identical(load_checkpoint(path), second));
  CHECK(dir.entries() == std::vector<std::string>{"checkpoint.bin"});

  // A bare file name is saved in (and its directory entry flushed from) the working directory.
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path);
  save_checkpoint("bare.bin", second);
  fs::current_path(previous);
  CHECK(identical(load_checkpoint(dir.file("bare.bin")), second));
}

TEST_CASE("a write that fails part way leaves the previous checkpoint intact and no temporary file") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  save_checkpoint(path, sample_checkpoint(1));
  const std::string before = read_bytes(path);
  const Checkpoint next = sample_checkpoint(2);
  const rlim_t size = before.size();  // the same layout, so the same size as next's
  for (rlim_t limit : {rlim_t(0), rlim_t(1), rlim_t(19), rlim_t(20), size / 2, size - 1}) {
    CAPTURE(limit);
    const std::string outcome = save_with_file_size_limit(path, next, limit);
    CHECK_CONTAINS(outcome, path + ": cannot write " + path + ".tmp.");
    CHECK_CONTAINS(outcome, "File too large (the previous checkpoint is unchanged)");
    CHECK(read_bytes(path) == before);
    CHECK(dir.entries() == std::vector<std::string>{"checkpoint.bin"});
  }
  // The same limit with room for the whole file: the save succeeds, so the limit was what failed above.
  CHECK(save_with_file_size_limit(path, next, size) == "saved");
  CHECK(identical(load_checkpoint(path), next));
  CHECK(dir.entries() == std::vector<std::string>{"checkpoint.bin"});
}

TEST_CASE("a save that cannot create, rename or encode its file says so and leaves nothing behind") {
  TempDir dir;
  const Checkpoint c = sample_checkpoint(1);
  const std::string nowhere = dir.file("missing/checkpoint.bin");
  CHECK_THROWS_WITH_AS(save_checkpoint(nowhere, c),
                       doctest::Contains((nowhere + ": cannot create " + nowhere + ".tmp.").c_str()), Error);

  const std::string occupied = dir.file("occupied");  // a directory where the checkpoint should go
  fs::create_directory(occupied);
  CHECK_THROWS_WITH_AS(save_checkpoint(occupied, c), doctest::Contains((occupied + ": cannot rename").c_str()),
                       Error);
  CHECK(dir.entries() == std::vector<std::string>{"occupied"});

  const std::string path = dir.file("checkpoint.bin");
  Checkpoint no_axes = c;
  no_axes.params.push_back({"empty", Tensor<float>()});
  CHECK_THROWS_WITH_AS(save_checkpoint(path, no_axes),
                       (path + ": cannot save tensor empty of shape []: a saved tensor has 1 to 4 axes, none of "
                               "them empty").c_str(),
                       Error);
  Checkpoint long_name = c;
  long_name.optimizer_state[0].name = std::string(1025, 'n');
  CHECK_THROWS_WITH_AS(save_checkpoint(path, long_name),
                       doctest::Contains("bytes, more than the 1024 allowed"), Error);
  Checkpoint two_lines = c;
  two_lines.params[1].name = "conv1\nbias";
  CHECK_THROWS_WITH_AS(save_checkpoint(path, two_lines),
                       (path + ": cannot save a tensor whose name has a control character").c_str(), Error);
  Checkpoint negative_epoch = c;
  negative_epoch.epoch = -1;
  CHECK_THROWS_WITH_AS(save_checkpoint(path, negative_epoch), (path + ": cannot save the negative epoch -1").c_str(),
                       Error);
  CHECK(dir.entries() == std::vector<std::string>{"occupied"});
}

TEST_CASE("killing the saving process at any moment leaves a loadable checkpoint") {
  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  // Big enough (4 MiB each) that most kills land in the middle of a save.
  Rng rng(5);
  Checkpoint a, b;
  a.params = {random_tensor("w", {1 << 20}, rng)};
  b.params = {random_tensor("w", {1 << 20}, rng)};
  b.epoch = 1;
  save_checkpoint(path, a);
  int interrupted = 0;  // kills that left a temporary file: the save was cut in the middle
  for (int trial = 0; trial < 12; ++trial) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {
        for (int k = 0; k < 100; ++k) save_checkpoint(path, k % 2 ? a : b);
      } catch (...) {
        ::_exit(1);
      }
      ::_exit(0);
    }
    ::usleep(static_cast<useconds_t>(1000 + rng.below(40000)));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    const Checkpoint loaded = load_checkpoint(path);
    CHECK((identical(loaded, a) || identical(loaded, b)));
    interrupted += dir.entries().size() > 1;
    for (const std::string& name : dir.entries())
      if (name != "checkpoint.bin") fs::remove(dir.path / name);
  }
  MESSAGE(interrupted << " of 12 kills interrupted a save");
}
