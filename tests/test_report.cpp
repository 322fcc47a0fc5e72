// The training report (inspect/report.hpp, inspect/run_inspector.hpp) after a short run on generated bars:
// present from the start, rewritten after every epoch (reloading itself until the run ends), self-contained,
// with the curves, the filter frames of the recorded epochs, the confusion matrix, the mistakes (whose
// images decode) and the model table; and the filter history beside it sharing one scale.
#include <doctest/doctest.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"
#include "inspect/filter_grid.hpp"
#include "inspect/filter_history.hpp"
#include "inspect/run_inspector.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::temp_directory_path() / ("minicnn-report-test-" + std::to_string(::getpid()));

// Bars as IDX files (10 classes, as IDX data sets are read, two of them used) and a config training on them.
struct Fixture {
  std::string config = (kRoot / "bars.json").string();

  Fixture() {
    fs::remove_all(kRoot);
    fs::create_directories(kRoot / "data");
    Rng rng(11);
    for (auto [split, count] : {std::pair{Split::Train, 400}, std::pair{Split::Test, 200}}) {
      write_idx_split((kRoot / "data").string(), split, make_bars(count, 12, rng), false);
    }
    std::ofstream(config) << R"({
      "input": {"channels": 1, "height": 12, "width": 12},
      "layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
                 {"type": "flatten"}, {"type": "linear", "units": 10}],
      "optimizer": {"lr": 0.02},
      "data": {"path": ")" << (kRoot / "data").string() << R"(", "validation": 0.1},
      "training": {"epochs": 3, "batch_size": 32, "threads": 1},
      "inspect": {"filters_every": 2}
    })";
  }
  ~Fixture() { fs::remove_all(kRoot); }

  TrainRequest request(const std::string& out) const {
    TrainRequest r;
    r.config_path = config;
    r.out_dir = (kRoot / out).string();
    return r;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string base64_decode(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<uint32_t>(alphabet.find(c));
    held += 6;
    if (held >= 8) bytes += static_cast<char>(bits >> (held -= 8) & 0xff);
  }
  return bytes;
}

// Each data: URI's PNG, decoded by stb: {width, height} of each.
std::vector<std::pair<int, int>> embedded_pngs(const std::string& html) {
  std::vector<std::pair<int, int>> sizes;
  const std::regex uri("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), uri); it != std::sregex_iterator(); ++it) {
    const std::string png = base64_decode((*it)[1].str());
    int width = 0, height = 0, channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()),
                                            &width, &height, &channels, 0);
    sizes.emplace_back(pixels ? width : 0, pixels ? height : 0);
    stbi_image_free(pixels);
  }
  return sizes;
}

// Reads the report after each epoch, as someone watching the run would.
struct Watcher : TrainObserver {
  std::string run_dir;
  std::vector<std::string> pages;
  void on_start(const std::string& dir, const std::string&) override {
    run_dir = dir;
    pages.push_back(slurp(dir + "/report.html"));
  }
  void on_epoch(const EpochReport&) override { pages.push_back(slurp(run_dir + "/report.html")); }
};

}  // namespace

TEST_CASE("a run's report is there from the start, reloads while training, and holds every part at the end") {
  Fixture f;
  Watcher watcher;
  std::atomic<bool> stop{false};
  const TrainResult result = train(f.request("run"), watcher, stop);
  REQUIRE(result.epochs_done == 3);
  REQUIRE(watcher.pages.size() == 4);

  // At the start: the initial filters, no curves yet; reloading itself.
  const std::string& first = watcher.pages[0];
  CHECK(first.find("http-equiv=\"refresh\"") != std::string::npos);
  CHECK(first.find("training: 0 of 3 epochs done") != std::string::npos);
  CHECK(count(first, "<figure class=\"epoch-frame\"") == 1);
  CHECK(first.find("no data yet") != std::string::npos);
  // After epoch 1 (not a recorded one with filters_every 2): still one frame, one point per curve.
  const std::string& second = watcher.pages[1];
  CHECK(second.find("training: 1 of 3 epochs done") != std::string::npos);
  CHECK(count(second, "<figure class=\"epoch-frame\"") == 1);
  CHECK(count(second, "<circle") == 7);  // loss: train, validation, test; accuracy: the same; learning rate

  // At the end: finished, no reloading, and every part.
  const std::string html = slurp(result.run_dir + "/report.html");
  CHECK(html == watcher.pages[3]);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("finished: 3 epochs") != std::string::npos);
  CHECK(html.find("http-equiv=\"refresh\"") == std::string::npos);
  // Self-contained: nothing to fetch.
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(count(html, "src=\"") == count(html, "src=\"data:image/png;base64,"));
  // Curves: loss and accuracy for train, validation and test, and the learning rate; 3 epochs each.
  CHECK(count(html, "<svg class=\"chart\"") == 3);
  CHECK(count(html, "<polyline") == 7);
  CHECK(count(html, "<circle") == 21);
  // Filters: epochs 0, 2 and 3 (every 2, and the last), the last one shown; weights and gradients.
  CHECK(count(html, "<figure class=\"epoch-frame\"") == 3);
  CHECK(html.find("data-label=\"epoch 0 (as initialized)\" hidden") != std::string::npos);
  CHECK(html.find("data-label=\"after epoch 2\" hidden") != std::string::npos);
  CHECK(html.find("data-label=\"after epoch 3\">") != std::string::npos);
  CHECK(html.find("id=\"epoch-slider\" min=\"0\" max=\"2\" value=\"2\"") != std::string::npos);
  CHECK(count(html, "alt=\"conv1 weights, ") == 3);
  CHECK(count(html, "alt=\"conv1 gradient, ") == 3);
  for (int filter = 0; filter < 4; ++filter)  // the nearest classical kernel of each of the 4 filters
    CHECK(html.find("<tr><td>" + std::to_string(filter) + "</td><td>") != std::string::npos);
  CHECK(html.find("<tr><td>4</td><td>") == std::string::npos);
  // The confusion matrix: 10 classes, 10 cells each, row sums = 200 test images.
  CHECK(count(html, "predicted as ") == 100);
  // The mistakes and the model table.
  const size_t mistakes = count(html, "alt=\"test image ");
  CHECK(mistakes <= 16);
  CHECK(html.find(mistakes == 0 ? "None: every test image is classified right" : "predicted <b>") != std::string::npos);
  for (const char* layer : {"<td>conv1</td><td>conv2d</td>", "<td>relu1</td>", "<td>pool1</td>", "<td>flatten1</td>",
                            "<td>fc1</td>", "total (per image)"})
    CHECK(html.find(layer) != std::string::npos);
  // Every embedded picture decodes: 3 weight grids, 3 gradient grids, the mistakes (12x12 each).
  const std::vector<std::pair<int, int>> pngs = embedded_pngs(html);
  CHECK(pngs.size() == 6 + mistakes);
  for (const auto& [width, height] : pngs) CHECK(width > 0);
  for (size_t k = 6; k < pngs.size(); ++k) CHECK(pngs[k] == std::pair{12, 12});

  // The history: the recorded epochs only, all drawn with the run's scale, the largest |w| of all of them.
  const std::string filters = result.run_dir + "/filters/";
  CHECK(recorded_filter_epochs(result.run_dir, 3) == std::vector<int>{0, 2, 3});
  double largest = 0;
  for (int epoch : {0, 2, 3}) largest = std::max(largest, max_abs(load_npy(filter_history_path(result.run_dir, epoch, ".npy")).to_tensor<float>()));
  REQUIRE(read_run_filter_scale(result.run_dir));
  CHECK(read_run_filter_scale(result.run_dir)->scale == largest);
  for (int epoch : {0, 2, 3}) {
    const Tensor<float> w = load_npy(filter_history_path(result.run_dir, epoch, ".npy")).to_tensor<float>();
    CHECK(load_image(filter_history_path(result.run_dir, epoch, ".png"), 0).pixels ==
          filter_grid(w, {.value_scale = largest}).pixels);
  }
  CHECK(fs::exists(result.run_dir + "/filters.png"));
  CHECK_FALSE(fs::exists(result.run_dir + "/report.html.tmp"));
}

TEST_CASE("an interrupted run's report says how to continue and stops reloading; resuming finishes it") {
  Fixture f;
  struct StopInEpoch2 : TrainObserver {
    std::atomic<bool>& stop;
    explicit StopInEpoch2(std::atomic<bool>& s) : stop(s) {}
    void on_batch(int epoch, const EpochProgress& p, int64_t, int) override {
      if (epoch == 2 && p.batches_done == 3) stop = true;
    }
  };
  std::atomic<bool> stop{false};
  StopInEpoch2 stopper(stop);
  const TrainResult first = train(f.request("stopped"), stopper, stop);
  REQUIRE(first.interrupted);
  std::string html = slurp(first.run_dir + "/report.html");
  CHECK(html.find("interrupted after 1 of 3 epochs; continue with: minicnn train --resume " + first.run_dir) != std::string::npos);
  CHECK(html.find("http-equiv=\"refresh\"") == std::string::npos);
  CHECK(count(html, "<circle") == 7);

  stop = false;
  TrainRequest resume;
  resume.resume_dir = first.run_dir;
  TrainObserver quiet;
  train(resume, quiet, stop);
  html = slurp(first.run_dir + "/report.html");
  CHECK(html.find("finished: 3 epochs") != std::string::npos);
  CHECK(count(html, "<circle") == 21);
  CHECK(count(html, "<figure class=\"epoch-frame\"") == 3);
}

TEST_CASE("read_metrics reads what a run writes and refuses what it does not") {
  fs::create_directories(kRoot);
  const std::string path = (kRoot / "metrics.csv").string();
  std::ofstream(path) << "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,"
                         "test_accuracy,seconds\n1,0.01,0.5,0.8,,,0.4,0.85,1.5\n2,0.005,0.3,0.9,0.35,0.88,0.33,0.9,1.4\n";
  const std::vector<EpochReport> rows = read_metrics(path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].epoch == 1);
  CHECK(rows[0].learning_rate == 0.01);
  CHECK(rows[0].train.loss == 0.5);
  CHECK(rows[0].validation.images == 0);
  CHECK(rows[0].test.accuracy == 0.85);
  CHECK(rows[1].validation.images > 0);
  CHECK(rows[1].validation.accuracy == 0.88);
  CHECK(rows[1].seconds == 1.4);
  std::ofstream(path) << "epoch,loss\n1,2\n";
  CHECK_THROWS_WITH_AS(read_metrics(path), doctest::Contains("lacks the column 'learning_rate'"), Error);
  std::ofstream(path) << "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,"
                         "test_accuracy,seconds\n1,x,0.5,0.8,,,0.4,0.85,1.5\n";
  CHECK_THROWS_WITH_AS(read_metrics(path), doctest::Contains("line 2: 'x' is not a number"), Error);
  fs::remove_all(kRoot);
}
