// Hostile input given to the real program: each case makes a malformed, lying, oversized or misplaced file,
// runs minicnn on it, and checks the exit status and the one error line it prints, word for word (the
// scratch directory written as DIR). docs/robustness.md lists the same cases with the same messages; the
// last test checks that it does.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/image.hpp"
#include "core/npy.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

// Always under /tmp (not $TMPDIR), named with the process id padded to 7 digits (Linux's largest), so that
// the files holding the path (a checkpoint's config) have the same size, and the messages the same
// offsets, in every run.
const fs::path kDir = [] {
  char name[64];
  std::snprintf(name, sizeof name, "/tmp/minicnn-hostile-%07d", static_cast<int>(::getpid()));
  return fs::path(name);
}();

std::string slurp(const fs::path& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
  return text;
}

struct Outcome {
  int status;
  std::string error;  // stderr, with the scratch directory written as DIR
};

Outcome run_minicnn(const std::string& arguments) {
  const std::string command = std::string(MINICNN_BINARY) + " " + arguments + " >" + (kDir / "stdout").string() +
                              " 2>" + (kDir / "stderr").string() + " </dev/null";
  const int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, replace_all(slurp(kDir / "stderr"), kDir.string(), "DIR")};
}

std::string big_endian(uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

// A checkpoint's bytes with the CRC-32 recomputed, so that only the change made to them is wrong.
std::string with_crc(std::string bytes) {
  const size_t payload = bytes.size() - 24;
  const auto crc = static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()) + 20, payload));
  for (int i = 0; i < 4; ++i) bytes[20 + payload + i] = static_cast<char>(crc >> (8 * i));
  return bytes;
}

// The files every case starts from: a small data set, its config, and a run trained on it for one epoch.
struct Scratch {
  std::string data = (kDir / "data").string(), config = (kDir / "bars.json").string(), run = (kDir / "run").string();
  Scratch() {
    fs::remove_all(kDir);
    fs::create_directories(kDir);
    Rng rng(4);
    for (auto [split, count] : {std::pair{Split::Train, 64}, std::pair{Split::Test, 16}}) {
      write_idx_split(data, split, make_bars(count, 8, rng), false);
    }
    write(config, config_text(data));
    REQUIRE(run_minicnn("train " + config + " --out " + run).status == 0);
  }
  ~Scratch() { fs::remove_all(kDir); }

  static std::string config_text(const std::string& data_path, const std::string& extra_layer = "") {
    return R"({"input": {"channels": 1, "height": 8, "width": 8},
               "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}, )" + extra_layer + R"({"type": "flatten"},
                          {"type": "linear", "units": 10}],
               "data": {"path": ")" + data_path + R"("}, "training": {"epochs": 1, "batch_size": 16, "threads": 1}})";
  }
  // A copy of the data directory with one of its files replaced, and the config training on it.
  std::string config_with_data_file(const std::string& name, const std::string& bytes, const std::string& remove = "") {
    const fs::path copy = kDir / "bad-data";
    fs::remove_all(copy);
    fs::copy(data, copy);
    if (!remove.empty()) fs::remove(copy / remove);
    write(copy / name, bytes);
    write(kDir / "bad-data.json", config_text(copy.string()));
    return "train " + (kDir / "bad-data.json").string() + " --out " + (kDir / "never").string();
  }
  std::string checkpoint() const { return slurp(fs::path(run) / "checkpoint.bin"); }
};

struct Case {
  const char* name;                                   // the case's name in docs/robustness.md
  std::function<std::string(Scratch&)> make;          // writes its files and returns minicnn's arguments
  int status;
  std::string error;                                  // what minicnn prints on stderr
};

// A valid 2x2 PNG whose header (IHDR, from byte 16) claims another size.
std::string png_claiming(int width, int height) {
  save_png((kDir / "tiny.png").string(), Image{2, 2, 1, std::vector<uint8_t>(4, 128)});
  std::string png = slurp(kDir / "tiny.png");
  png.replace(16, 8, big_endian(static_cast<uint32_t>(width)) + big_endian(static_cast<uint32_t>(height)));
  return png;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // IDX data
      {"IDX images cut short",
       [](Scratch& s) {
         const std::string images = slurp(fs::path(s.data) / "train-images-idx3-ubyte");
         return s.config_with_data_file("train-images-idx3-ubyte", images.substr(0, images.size() - 100));
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte: header claims 64 images of 8x8 but the file ends after 62 images)msg" "\n"},
      {"IDX header claiming 2^48 pixels in a 16-byte file",
       [](Scratch& s) {
         return s.config_with_data_file("train-images-idx3-ubyte",
                                        big_endian(2051) + big_endian(65535) + big_endian(65535) + big_endian(65535));
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte: header claims 65535 images of 65535x65535, more than the 2147483647 bytes this program loads from one file)msg" "\n"},
      {"IDX header with zero rows",
       [](Scratch& s) {
         return s.config_with_data_file("train-images-idx3-ubyte", big_endian(2051) + big_endian(5) + big_endian(0) + big_endian(8));
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte: the header gives zero rows)msg" "\n"},
      {"IDX labels where the images should be",
       [](Scratch& s) {
         return s.config_with_data_file("train-images-idx3-ubyte", slurp(fs::path(s.data) / "train-labels-idx1-ubyte"));
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte: IDX data with 1 dimension(s), but images have 3: magic number 2049 (0x00000801), expected 2051 for IDX images)msg" "\n"},
      {"gzip data under a plain IDX name",
       [](Scratch& s) {
         write_idx((kDir / "images.gz").string(), Tensor<uint8_t>(Shape{1, 1, 8, 8}));
         return s.config_with_data_file("train-images-idx3-ubyte", slurp(kDir / "images.gz"));
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte: not an IDX file (it looks gzip-compressed: name it .gz): magic number 529205248 (0x1f8b0800), expected 2051 for IDX images)msg" "\n"},
      {"corrupt gzip data",
       [](Scratch& s) {
         write_idx((kDir / "images.gz").string(), Tensor<uint8_t>(Shape{64, 1, 8, 8}));
         std::string gz = slurp(kDir / "images.gz");
         gz[12] = '\xff';  // inside the compressed blocks
         return s.config_with_data_file("train-images-idx3-ubyte.gz", gz, "train-images-idx3-ubyte");
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte.gz: not valid gzip data (invalid code lengths set))msg" "\n"},
      {"gzip data cut short",
       [](Scratch& s) {
         write_idx((kDir / "images.gz").string(), Tensor<uint8_t>(Shape{64, 1, 8, 8}));
         const std::string gz = slurp(kDir / "images.gz");
         return s.config_with_data_file("train-images-idx3-ubyte.gz", gz.substr(0, gz.size() / 2), "train-images-idx3-ubyte");
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-images-idx3-ubyte.gz: the gzip data is truncated (the file ends mid-stream))msg" "\n"},
      {"IDX file with bytes after its data",
       [](Scratch& s) {
         return s.config_with_data_file("train-labels-idx1-ubyte", slurp(fs::path(s.data) / "train-labels-idx1-ubyte") + "extra");
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-labels-idx1-ubyte: the file goes on after the 64 labels its header claims)msg" "\n"},
      {"fewer labels than images",
       [](Scratch& s) {
         return s.config_with_data_file("train-labels-idx1-ubyte", big_endian(2049) + big_endian(3) + "\x01\x00\x01");
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/train-labels-idx1-ubyte: holds 3 labels but DIR/bad-data/train-images-idx3-ubyte holds 64 images)msg" "\n"},
      {"a test label beyond the training classes",
       [](Scratch& s) {
         std::string labels = slurp(fs::path(s.data) / "t10k-labels-idx1-ubyte");
         labels[8] = 12;
         return s.config_with_data_file("t10k-labels-idx1-ubyte", labels);
       },
       2,
       R"msg(minicnn: error: DIR/bad-data/t10k-labels-idx1-ubyte: label 12 (item 0) is out of range for 10 classes)msg" "\n"},
      {"a FIFO where a data file should be",
       [](Scratch& s) {
         const std::string args = s.config_with_data_file("unused", "");
         fs::remove(kDir / "bad-data" / "train-labels-idx1-ubyte");
         REQUIRE(::mkfifo((kDir / "bad-data" / "train-labels-idx1-ubyte").c_str(), 0644) == 0);
         return args;
       },
       2,
       R"msg(minicnn: error: DIR/bad-data: no training labels file: looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz)msg" "\n"},
      // Configs
      {"a config that is not JSON", [](Scratch&) { write(kDir / "c.json", R"({"layers": [})"); return "summary " + (kDir / "c.json").string(); }, 2,
       R"msg(minicnn: error: DIR/c.json: invalid JSON: parse error at line 1, column 13: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal)msg" "\n"},
      {"a number too large for a double",
       [](Scratch&) { write(kDir / "c.json", R"({"optimizer": {"lr": 1e999}})"); return "summary " + (kDir / "c.json").string(); }, 2,
       R"msg(minicnn: error: DIR/c.json: invalid JSON: number overflow parsing '1e999')msg" "\n"},
      {"JSON nested 100 deep",
       [](Scratch&) {
         write(kDir / "c.json", std::string(100, '[') + std::string(100, ']'));
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: invalid JSON: nested more than 32 levels deep)msg" "\n"},
      {"/dev/zero as a config", [](Scratch&) { return std::string("summary /dev/zero"); }, 2,
       R"msg(minicnn: error: /dev/zero: not a regular file)msg" "\n"},
      {"a FIFO as a config (nobody writing to it)",
       [](Scratch&) {
         REQUIRE(::mkfifo((kDir / "fifo.json").c_str(), 0644) == 0);
         return "summary " + (kDir / "fifo.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/fifo.json: not a regular file)msg" "\n"},
      {"a directory as a config", [](Scratch&) { return "summary " + kDir.string(); }, 2,
       R"msg(minicnn: error: DIR: not a regular file (it is a directory))msg" "\n"},
      {"a 2 MiB config",
       [](Scratch&) { write(kDir / "c.json", std::string(2 << 20, ' ')); return "summary " + (kDir / "c.json").string(); }, 2,
       R"msg(minicnn: error: DIR/c.json: 2097152 bytes, more than the 1048576 a config may have)msg" "\n"},
      {"a misspelled field",
       [](Scratch&) {
         write(kDir / "c.json", R"({"layers": [{"type": "conv2d", "filters": 2, "kernal": 3}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers[0].kernal: unknown field (did you mean 'kernel'?))msg" "\n"},
      {"a kernel larger than its input",
       [](Scratch&) {
         write(kDir / "c.json", R"({"input": {"height": 4, "width": 4}, "layers": [{"type": "conv2d", "filters": 2, "kernel": 5}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers[0] conv1: kernel 5x5 does not fit input 4x4 (padding 0))msg" "\n"},
      {"a kernel of 5000",
       [](Scratch&) {
         write(kDir / "c.json", R"({"layers": [{"type": "conv2d", "filters": 2, "kernel": 5000}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers[0].kernel: expected values from 1 to 4096, got 5000)msg" "\n"},
      {"an input of 4096x65536x65536",
       [](Scratch&) {
         write(kDir / "c.json", R"({"input": {"channels": 4096, "height": 65536, "width": 65536}, "layers": [{"type": "relu"}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: the input 4096x65536x65536 holds more than the 67108864 values an image may have)msg" "\n"},
      {"a layer with 2^36 weights",
       [](Scratch&) {
         write(kDir / "c.json", R"({"input": {"channels": 1, "height": 256, "width": 256},
           "layers": [{"type": "flatten"}, {"type": "linear", "units": 1048576}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers[1] fc1.weight: a parameter of shape 1048576x65536 holds more than the 67108864 values a network may have)msg" "\n"},
      {"a layer output of 2^34 values per image",
       [](Scratch&) {
         write(kDir / "c.json", R"({"input": {"channels": 1, "height": 65536, "width": 256},
           "layers": [{"type": "conv2d", "filters": 1024, "kernel": 1}]})");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers[0] conv1: its output 1024x65536x256 holds more than the 67108864 values an image may have)msg" "\n"},
      {"1001 layers",
       [](Scratch&) {
         std::string layers;
         for (int i = 0; i < 1001; ++i) layers += std::string(i ? ", " : "") + R"({"type": "relu"})";
         write(kDir / "c.json", R"({"layers": [)" + layers + "]}");
         return "summary " + (kDir / "c.json").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.json: layers: 1001 layers, more than the 1000 a network may have)msg" "\n"},
      // Checkpoints
      {"a file that is not a checkpoint", [](Scratch&) { write(kDir / "c.bin", "PK\x03\x04 a zip file"); return "eval " + (kDir / "c.bin").string(); }, 2,
       R"msg(minicnn: error: DIR/c.bin: not a minicnn checkpoint (it does not start with "MCNNCKPT"))msg" "\n"},
      {"a checkpoint cut short",
       [](Scratch& s) { write(kDir / "c.bin", s.checkpoint().substr(0, 1000)); return "eval " + (kDir / "c.bin").string(); }, 2,
       R"msg(minicnn: error: DIR/c.bin: truncated: the header announces a payload of 7110 bytes but the file holds 976)msg" "\n"},
      {"a checkpoint with one byte changed",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         bytes[bytes.size() / 2] ^= 0x10;
         write(kDir / "c.bin", bytes);
         return "eval " + (kDir / "c.bin").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.bin: checksum mismatch: the file is corrupt)msg" "\n"},
      {"a checkpoint from a future version",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         bytes[8] = 2;
         write(kDir / "c.bin", bytes);
         return "eval " + (kDir / "c.bin").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.bin: unsupported checkpoint version 2 (this build reads version 1))msg" "\n"},
      {"a checkpoint whose tensor claims 2^40 values (checksum valid)",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         const size_t name = bytes.find("conv1.weight");
         bytes[name + 12 + 4 + 5] = 1;  // the first dimension's u64, byte 5: + 2^40
         write(kDir / "c.bin", with_crc(bytes));
         return "eval " + (kDir / "c.bin").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.bin: tensor conv1.weight claims 1099511627778 along axis 0, which the 6248 remaining bytes cannot hold (at byte 874))msg" "\n"},
      {"a checkpoint of another network",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         bytes.replace(bytes.find("fc1.bias"), 8, "fc9.bias");
         write(kDir / "c.bin", with_crc(bytes));
         return "eval " + (kDir / "c.bin").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.bin: the network has tensor fc1.bias but the checkpoint does not)msg" "\n"},
      {"a checkpoint naming 2 classes for 10 outputs",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         const size_t names = bytes.find(R"("class_names":[)");
         const size_t end = bytes.find(']', names);
         const std::string two = R"("class_names":["0","1")";
         // The same length, so that the sizes in the file stay right: pad the JSON with spaces.
         bytes.replace(names, end - names, two + std::string(end - names - two.size(), ' '));
         write(kDir / "c.bin", with_crc(bytes));
         return "eval " + (kDir / "c.bin").string();
       },
       2,
       R"msg(minicnn: error: DIR/c.bin: the checkpoint names 2 classes for a network with 10 outputs)msg" "\n"},
      {"resuming a finished run", [](Scratch& s) { return "train --resume " + s.run; }, 2,
       R"msg(minicnn: error: DIR/run: the run has already trained 1 of its 1 epochs; give --epochs to train more)msg" "\n"},
      {"resuming an unfinished epoch past the end of the data",
       [](Scratch& s) {
         std::string bytes = s.checkpoint();
         const size_t meta = bytes.find(R"({"class_names")");
         const std::string unfinished = R"("unfinished_epoch":{"batches_done":99,"rng_state":[1,2,3,4],"loss":1,"accuracy":0,"images":9},)";
         bytes.replace(meta + 1, 0, unfinished);
         // The metadata string's length (4 bytes before it) and the payload size (at byte 12) grow with it.
         const auto grow = [&](size_t at, int bytes_wide) {
           uint64_t n = 0;
           for (int i = 0; i < bytes_wide; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
           n += unfinished.size();
           for (int i = 0; i < bytes_wide; ++i) bytes[at + i] = static_cast<char>(n >> (8 * i));
         };
         grow(meta - 4, 4);
         grow(12, 8);
         fs::create_directories(kDir / "resume");
         write(kDir / "resume" / "checkpoint.bin", with_crc(bytes));
         return "train --resume " + (kDir / "resume").string() + " --epochs 2";
       },
       2,
       R"msg(minicnn: error: DIR/resume/checkpoint.bin: the checkpoint's unfinished epoch has done 99 of 4 batches (9 images), which this data cannot continue)msg" "\n"},
      // Images
      {"a text file as an image", [](Scratch& s) { write(kDir / "x.png", "hello\n"); return "predict " + s.run + " " + (kDir / "x.png").string(); }, 2,
       R"msg(minicnn: error: DIR/x.png: not an image minicnn reads (PNG, JPEG, BMP, GIF, PNM or TGA), or a corrupt one)msg" "\n"},
      {"a PNG claiming 16384x16384 pixels",
       [](Scratch& s) { write(kDir / "x.png", png_claiming(16384, 16384)); return "predict " + s.run + " " + (kDir / "x.png").string(); }, 2,
       R"msg(minicnn: error: DIR/x.png: image of 16384x16384 pixels is too large (limit 67108864 pixels))msg" "\n"},
      {"a PNG claiming a side of 100000",
       [](Scratch& s) { write(kDir / "x.png", png_claiming(100000, 1)); return "predict " + s.run + " " + (kDir / "x.png").string(); }, 2,
       R"msg(minicnn: error: DIR/x.png: not an image minicnn reads (PNG, JPEG, BMP, GIF, PNM or TGA), or a corrupt one)msg" "\n"},
      {"a 71-byte PNG claiming 4000x4000 pixels",
       [](Scratch& s) { write(kDir / "x.png", png_claiming(4000, 4000)); return "predict " + s.run + " " + (kDir / "x.png").string(); }, 2,
       R"msg(minicnn: error: DIR/x.png: the header claims 4000x4000 pixels, more than a file of 71 bytes can hold (truncated or corrupt))msg" "\n"},
      {"a PNG cut short",
       [](Scratch& s) {
         save_png((kDir / "x.png").string(), Image{64, 64, 1, std::vector<uint8_t>(64 * 64, 7)});
         const std::string png = slurp(kDir / "x.png");
         write(kDir / "x.png", png.substr(0, png.size() - 30));
         return "predict " + s.run + " " + (kDir / "x.png").string();
       },
       2,
       R"msg(minicnn: error: DIR/x.png: cannot decode the image: Corrupt PNG)msg" "\n"},
      {"a JPEG Huffman table of 4080 codes", [](Scratch& s) {
         const std::string jpeg = slurp(fs::path(MINICNN_SOURCE_DIR) / "tests/fuzz/regressions/image/jpeg-huffman-table-over-256-codes");
         write(kDir / "x.jpg", jpeg);
         return "predict " + s.run + " " + (kDir / "x.jpg").string();
       },
       2,
       R"msg(minicnn: error: DIR/x.jpg: cannot decode the image: Corrupt JPEG)msg" "\n"},
      {"a 16-bit PGM cut short",
       [](Scratch& s) { write(kDir / "x.pgm", "P5\n4 4\n65535\n" + std::string(20, '\x10')); return "predict " + s.run + " " + (kDir / "x.pgm").string(); },
       2,
       R"msg(minicnn: error: DIR/x.pgm: cannot decode the image: PNM file truncated)msg" "\n"},
      {"an image named with a newline",
       [](Scratch& s) { write(kDir / "a\nb.png", "not a picture"); return "predict " + s.run + " '" + (kDir / "a\nb.png").string() + "'"; }, 2,
       R"msg(minicnn: error: DIR/a\nb.png: not an image minicnn reads (PNG, JPEG, BMP, GIF, PNM or TGA), or a corrupt one)msg" "\n"},
      // .npy arrays
      {"a .npy of int32",
       [](Scratch&) {
         save_npy((kDir / "a.npy").string(), NpyArray{{2}, false, {1, 2}});
         std::string bytes = slurp(kDir / "a.npy");
         bytes.replace(bytes.find("<f4"), 3, "<i4");
         write(kDir / "a.npy", bytes);
         return "convolve " + (kDir / "a.npy").string() + " " + (kDir / "a.npy").string() + " --out " + (kDir / "o.npy").string();
       },
       2,
       R"msg(minicnn: error: DIR/a.npy: unsupported dtype '<i4' (minicnn reads little-endian float32 '<f4' and float64 '<f8'))msg" "\n"},
      {"a .npy shape larger than its data",
       [](Scratch&) {
         save_npy((kDir / "a.npy").string(), NpyArray{{2}, false, {1, 2}});
         std::string bytes = slurp(kDir / "a.npy");
         bytes.replace(bytes.find("(2,)"), 4, "(9999999999,)");
         bytes[8] = static_cast<char>(bytes[8] + 9);  // the header length
         write(kDir / "a.npy", bytes);
         return "convolve " + (kDir / "a.npy").string() + " " + (kDir / "a.npy").string() + " --out " + (kDir / "o.npy").string();
       },
       2,
       R"msg(minicnn: error: DIR/a.npy: truncated data: shape (9999999999,) needs more than the 8 bytes the file holds)msg" "\n"},
      {"a .npy header length beyond the file",
       [](Scratch&) {
         save_npy((kDir / "a.npy").string(), NpyArray{{2}, false, {1, 2}});
         std::string bytes = slurp(kDir / "a.npy");
         bytes[8] = '\xff';
         bytes[9] = '\x7f';
         write(kDir / "a.npy", bytes);
         return "convolve " + (kDir / "a.npy").string() + " " + (kDir / "a.npy").string() + " --out " + (kDir / "o.npy").string();
       },
       2,
       R"msg(minicnn: error: DIR/a.npy: truncated or oversized .npy header (32767 bytes announced))msg" "\n"},
      // Image folders
      {"a class folder named in Latin-1",
       [](Scratch&) {
         write(kDir / "pictures" / "train" / "caf\xe9" / "x.png", png_claiming(2, 2));
         write(kDir / "f.json", R"({"input": {"channels": 1, "height": 2, "width": 2}, "layers": [{"type": "flatten"},
           {"type": "linear", "units": 1}], "data": {"format": "folder", "path": ")" + (kDir / "pictures").string() + R"("}})");
         return "train " + (kDir / "f.json").string() + " --out " + (kDir / "never").string();
       },
       2,
       R"msg(minicnn: error: DIR/pictures/train/caf\xe9: a class folder's name must be UTF-8 text (it is stored in checkpoints as JSON))msg" "\n"},
      // Arguments
      {"--epochs 0", [](Scratch& s) { return "train " + s.config + " --epochs 0"; }, 2,
       "--epochs: Value 0 not in range 1 to 100000\nRun with --help for more information.\n"},
  };
  return all;
}

}  // namespace

TEST_CASE("hostile input: one error line, the file named, exit status 2") {
  Scratch scratch;
  for (const Case& c : cases()) {
    const std::string name = c.name;
    CAPTURE(name);
    const Outcome outcome = run_minicnn(c.make(scratch));
    CHECK(outcome.status == c.status);
    CHECK(outcome.error == c.error);
  }
}

TEST_CASE("docs/robustness.md lists every case with what minicnn says") {
  const std::string doc = slurp(fs::path(MINICNN_SOURCE_DIR) / "docs" / "robustness.md");
  REQUIRE_FALSE(doc.empty());
  for (const Case& c : cases()) {
    std::string message = c.error.substr(0, c.error.find('\n'));
    for (const char* prefix : {"minicnn: error: ", "minicnn: failed: "})
      if (message.rfind(prefix, 0) == 0) message = message.substr(std::string(prefix).size());
    const std::string row = "| " + std::string(c.name) + " | `" + message + "` (" + std::to_string(c.status) + ") |";
    CAPTURE(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}
