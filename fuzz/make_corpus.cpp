// Writes the fuzzers' seed corpora: small files made with minicnn's own writers (and stb's), a few of them
// altered into inputs that must be refused. Usage: make_fuzz_corpus REPOSITORY_ROOT
// It replaces REPOSITORY_ROOT/tests/fuzz/corpus/<target>/ and copies the shipped configs/*.json there too.
// A seed's name starts with what its target must do with it, "valid-" (accept) or "refused-" (refuse with an
// Error), which tests/test_fuzz_inputs.cpp checks.
#include <stb/stb_image_write.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/image.hpp"
#include "core/npy.hpp"
#include "datasets/idx.hpp"
#include "models/checkpoint.hpp"
#include "models/config.hpp"

namespace fs = std::filesystem;
using namespace minicnn;
using nlohmann::json;

namespace {

fs::path g_corpus;                                             // tests/fuzz/corpus
const fs::path kWork = fs::temp_directory_path() / ("minicnn-corpus-" + std::to_string(::getpid()));

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  std::ofstream(g_corpus / target / name, std::ios::binary) << bytes;
}

std::string le32(uint32_t n) {
  return {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
}

// The idx targets' input: [u32 size of the images file][images file][labels file].
void idx_seeds(const std::string& target, bool gzip) {
  const std::string ext = gzip ? ".gz" : "";
  Rng rng(11);
  auto images_file = [&](int count, int rows, int cols) {
    Tensor<uint8_t> images(Shape{count, 1, rows, cols});
    for (uint8_t& x : images) x = static_cast<uint8_t>(rng.below(256));
    write_idx((kWork / ("images" + ext)).string(), images);
    return read_file(kWork / ("images" + ext));
  };
  auto labels_file = [&](std::vector<int32_t> labels) {
    write_idx((kWork / ("labels" + ext)).string(), std::span<const int32_t>(labels));
    return read_file(kWork / ("labels" + ext));
  };
  auto pair = [](const std::string& images, const std::string& labels) {
    return le32(static_cast<uint32_t>(images.size())) + images + labels;
  };
  seed(target, "valid-3-images-4x5", pair(images_file(3, 4, 5), labels_file({0, 1, 9})));
  seed(target, "valid-1-image-1x1-label-200", pair(images_file(1, 1, 1), labels_file({200})));
  seed(target, "refused-3-images-2-labels", pair(images_file(3, 2, 2), labels_file({1, 2})));
  const std::string images = images_file(2, 3, 3);
  seed(target, "refused-images-cut-short", pair(images.substr(0, images.size() - 3), labels_file({1, 2})));
  seed(target, "refused-labels-as-images", pair(labels_file({1, 2}), images));
}

void config_seeds(const fs::path& repository) {
  for (const auto& entry : fs::directory_iterator(repository / "configs"))
    seed("config", "valid-" + entry.path().filename().string(), read_file(entry.path()));
  // Every layer type and option, and every schedule.
  const json all_layers = {
      {"input", {{"channels", 3}, {"height", 16}, {"width", 12}}},
      {"layers",
       {{{"type", "conv2d"}, {"filters", 4}, {"kernel", {3, 5}}, {"stride", 1}, {"padding", "same"},
         {"dilation", {2, 1}}, {"bias", false}, {"init", "he_normal"}, {"name", "first"}},
        {{"type", "leaky_relu"}, {"negative_slope", 0.2}},
        {{"type", "maxpool"}, {"kernel", 2}, {"stride", {2, 1}}, {"padding", 1}},
        {{"type", "conv2d"}, {"filters", 2}, {"kernel", 3}, {"padding", "valid"}, {"init", "xavier_normal"}},
        {{"type", "sigmoid"}},
        {{"type", "avgpool"}, {"kernel", {2, 2}}},
        {{"type", "tanh"}},
        {{"type", "global_avgpool"}},
        {{"type", "flatten"}},
        {{"type", "dropout"}, {"p", 0.25}},
        {{"type", "linear"}, {"units", 3}, {"init", "he_uniform"}},
        {{"type", "relu"}}}},
      {"loss", "softmax_cross_entropy"},
      {"optimizer", {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.5}, {"weight_decay", 1e-4}, {"nesterov", true},
                     {"schedule", {{"type", "multistep"}, {"milestones", {2, 4}}, {"gamma", 0.5},
                                   {"warmup_epochs", 1}, {"warmup_start", 0.2}}}}},
      {"data", {{"format", "folder"}, {"path", "pictures"}, {"normalize", "standardize"}, {"validation", 0.1},
                {"resize", true}}},
      {"training", {{"epochs", 3}, {"batch_size", 8}, {"seed", 7}, {"threads", 1}}}};
  seed("config", "valid-every-layer.json", all_layers.dump(2));
  for (const char* schedule : {R"({"type": "step", "step_epochs": 3})", R"({"type": "exponential", "gamma": 0.9})",
                               R"({"type": "cosine", "min_lr": 0.001})", R"({"type": "constant"})"}) {
    json config = all_layers;
    config["optimizer"]["schedule"] = json::parse(schedule);
    seed("config", "valid-schedule-" + config["optimizer"]["schedule"]["type"].get<std::string>() + ".json",
         config.dump());
  }
  seed("config", "refused-typo.json", R"({"layers": [{"type": "conv2d", "filters": 2, "kernal": 3}]})");
  seed("config", "refused-kernel-too-big.json",
       R"({"input": {"height": 4, "width": 4}, "layers": [{"type": "conv2d", "filters": 2, "kernel": 5}]})");
  seed("config", "refused-not-json.json", R"({"layers": [)");
}

// A small network's checkpoint as a run writes it: config, metadata, parameters and SGD velocities.
void checkpoint_seeds() {
  const json config_json = {{"input", {{"channels", 1}, {"height", 6}, {"width", 6}}},
                            {"layers",
                             {{{"type", "conv2d"}, {"filters", 2}, {"kernel", 3}},
                              {{"type", "relu"}},
                              {{"type", "flatten"}},
                              {{"type", "linear"}, {"units", 3}}}}};
  const Config config = parse_config(config_json, "seed");
  Sequential<float> net;
  build_network(config, net);
  Rng rng(3);
  net.init_params(rng);
  Checkpoint checkpoint;
  checkpoint.config_json = config.used.dump();
  json meta = {{"class_names", {"a", "b", "c"}}, {"normalization", {{"mean", 0.1}, {"stddev", 0.3}}}, {"pixel_mean", 0.1}};
  checkpoint.metadata_json = meta.dump();
  checkpoint.epoch = 2;
  checkpoint.rng_state = rng.state();
  checkpoint.params = capture_params(net.params());
  for (const NamedTensor& p : checkpoint.params) {
    NamedTensor velocity = p;
    velocity.tensor.fill(0.01f);
    checkpoint.optimizer_state.push_back(velocity);
  }
  const fs::path path = kWork / "checkpoint.bin";
  auto saved = [&](const Checkpoint& c) {
    save_checkpoint(path.string(), c);
    return read_file(path);
  };
  seed("checkpoint", "valid-after-epoch-2", saved(checkpoint));
  Checkpoint interrupted = checkpoint;
  meta["unfinished_epoch"] = {{"batches_done", 3}, {"rng_state", {1, 2, 3, 4}}, {"loss", 1.5}, {"accuracy", 0.25},
                              {"images", 24}};
  interrupted.metadata_json = meta.dump();
  seed("checkpoint", "valid-interrupted", saved(interrupted));
  Checkpoint two_classes = checkpoint;
  two_classes.metadata_json = R"({"class_names": ["a", "b"], "normalization": {"mean": 0, "stddev": 1}})";
  seed("checkpoint", "refused-2-classes-for-3-outputs", saved(two_classes));
  Checkpoint bad_json = checkpoint;
  bad_json.config_json = "{\"layers\": ";
  seed("checkpoint", "refused-config-not-json", saved(bad_json));
  Checkpoint renamed = checkpoint;
  renamed.params[0].name = "conv9.weight";
  seed("checkpoint", "refused-unknown-tensor", saved(renamed));
}

void npy_seeds() {
  const fs::path path = kWork / "array.npy";
  auto saved = [&](const NpyArray& array) {
    save_npy(path.string(), array);
    return read_file(path);
  };
  seed("npy", "valid-f4-3", saved(NpyArray{{3}, false, {1.5, -2, 0.25}}));
  seed("npy", "valid-f8-2x3", saved(NpyArray{{2, 3}, true, {1, 2, 3, 4, 5, 6.125}}));
  seed("npy", "valid-f4-1x2x2x2", saved(NpyArray{{1, 2, 2, 2}, false, {1, 2, 3, 4, 5, 6, 7, 8}}));
  seed("npy", "valid-f8-empty-0x4", saved(NpyArray{{0, 4}, true, {}}));
  std::string ints = saved(NpyArray{{2}, false, {1, 2}});
  ints.replace(ints.find("<f4"), 3, "<i4");
  seed("npy", "refused-int32", ints);
  std::string fortran = saved(NpyArray{{2, 2}, false, {1, 2, 3, 4}});
  fortran.replace(fortran.find("False"), 5, "True ");
  seed("npy", "refused-fortran-order", fortran);
  const std::string cut = saved(NpyArray{{4}, true, {1, 2, 3, 4}});
  seed("npy", "refused-cut-short", cut.substr(0, cut.size() - 5));
}

void image_seeds() {
  const auto written = [](auto write) {
    std::string bytes;
    write([](void* context, void* data, int size) { static_cast<std::string*>(context)->append(static_cast<char*>(data), size); },
          &bytes);
    return bytes;
  };
  const std::vector<uint8_t> pixels = {0, 40, 80, 120, 160, 200, 240, 255, 10, 20, 30, 50, 70, 90, 110, 130,
                                       150, 170, 190, 210, 230, 250, 5, 15};  // up to 3x2x4
  for (int channels : {1, 3, 4}) {
    const std::string suffix = std::to_string(channels) + "-channel";
    seed("image", "valid-3x2-" + suffix + ".png", written([&](auto f, void* c) {
           return stbi_write_png_to_func(f, c, 3, 2, channels, pixels.data(), 3 * channels);
         }));
    seed("image", "valid-3x2-" + suffix + ".bmp",
         written([&](auto f, void* c) { return stbi_write_bmp_to_func(f, c, 3, 2, channels, pixels.data()); }));
    seed("image", "valid-3x2-" + suffix + ".tga",
         written([&](auto f, void* c) { return stbi_write_tga_to_func(f, c, 3, 2, channels, pixels.data()); }));
    seed("image", "valid-3x2-" + suffix + ".jpg",
         written([&](auto f, void* c) { return stbi_write_jpg_to_func(f, c, 3, 2, channels, pixels.data(), 90); }));
  }
  seed("image", "valid-2x2.pgm", std::string("P5\n2 2\n255\n") + std::string("\x10\x80\xf0\x00", 4));
  seed("image", "valid-1x2.ppm", std::string("P6\n1 2\n255\n") + std::string("\x10\x80\xf0\x00\x01\x02", 6));
  seed("image", "valid-1x1-16-bit.pgm", std::string("P5\n1 1\n65535\n") + std::string("\x12\x34", 2));
  seed("image", "refused-2x2.pgm-cut-short", std::string("P5\n2 2\n255\n") + std::string("\x10\x80\xf0", 3));
  // The smallest GIF: 1x1, one transparent pixel.
  seed("image", "valid-1x1.gif",
       std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00\x21\xf9\x04\x01\x00\x00\x00\x00"
                   "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b", 43));
  seed("image", "refused-text", "this is not an image\n");
  // PNG headers (IHDR: width, height from byte 16) that claim more pixels than minicnn loads, and a side
  // longer than stb is allowed to decode.
  const std::string small = written([&](auto f, void* c) { return stbi_write_png_to_func(f, c, 3, 2, 1, pixels.data(), 3); });
  std::string huge = small;
  huge.replace(16, 8, std::string("\x00\x01\x00\x00\x00\x01\x00\x00", 8));
  seed("image", "refused-png-claims-65536x65536", huge);
  std::string long_side = small;
  long_side.replace(16, 8, std::string("\x00\x10\x00\x00\x00\x00\x00\x01", 8));
  seed("image", "refused-png-claims-1048576x1", long_side);
  const std::string png = written([&](auto f, void* c) { return stbi_write_png_to_func(f, c, 3, 2, 3, pixels.data(), 9); });
  seed("image", "refused-png-cut-short", png.substr(0, png.size() / 2));
}

void image_folder_seeds() {
  seed("image_folder", "valid-two-classes", "cats/1.png\ncats/2.png\ndogs/1.png\n");
  seed("image_folder", "valid-upper-case-and-links", "a/x.PNG\nb/y.jpg\nb/z.png@y.jpg\nc\n");
  seed("image_folder", "valid-odd-names", "caf\xc3\xa9 au lait/ .png\n-/--.png\nname with spaces/x.Gif\n");
  seed("image_folder", "refused-not-an-image", "a/x.png=GIF89a but not really\n");
  seed("image_folder", "refused-no-images", "a\nb/readme.txt=hello\nc/loop.png@loop.png\n");
  seed("image_folder", "refused-latin1-class", "caf\xe9/x.png\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus REPOSITORY_ROOT\n");
    return 2;
  }
  const fs::path repository = argv[1];
  g_corpus = repository / "tests" / "fuzz" / "corpus";
  fs::create_directories(kWork);
  for (const char* target : {"idx", "idx_gz", "config", "checkpoint", "npy", "image", "image_folder"}) {
    fs::remove_all(g_corpus / target);
    fs::create_directories(g_corpus / target);
  }
  idx_seeds("idx", false);
  idx_seeds("idx_gz", true);
  config_seeds(repository);
  checkpoint_seeds();
  npy_seeds();
  image_seeds();
  image_folder_seeds();
  fs::remove_all(kWork);
  std::printf("seed corpora written to %s\n", g_corpus.string().c_str());
  return 0;
}
