// A whole training run on a small generated IDX data set: the run directory, exact resume after a finished
// epoch and after an interrupted one, the lock, and the stop on a diverging loss.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"
#include "datasets/training_data.hpp"
#include "models/checkpoint.hpp"
#include "models/config.hpp"
#include "models/training_run.hpp"

using namespace minicnn;
namespace fs = std::filesystem;

namespace {

// A temporary directory with the bars problem as IDX files and a tiny config training on it.
struct Fixture {
  fs::path root = fs::temp_directory_path() / ("minicnn-run-test-" + std::to_string(::getpid()));
  std::string config_path = (root / "bars.json").string();

  explicit Fixture(double lr = 0.05) {
    fs::remove_all(root);
    fs::create_directories(root / "data");
    Rng rng(7);
    for (auto [split, count] : {std::pair{Split::Train, 600}, std::pair{Split::Test, 200}}) {
      const Dataset data = make_bars(count, 12, rng);
      write_idx_split((root / "data").string(), split, data, split == Split::Train);
    }
    std::ofstream(config_path) << R"({
      "input": {"channels": 1, "height": 12, "width": 12},
      "layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
                 {"type": "flatten"}, {"type": "dropout", "p": 0.2}, {"type": "linear", "units": 10}],
      "optimizer": {"lr": )" << lr << R"(, "momentum": 0.9, "weight_decay": 1e-4,
                    "schedule": {"type": "step", "step_epochs": 2, "gamma": 0.5}},
      "data": {"path": ")" << (root / "data").string() << R"(", "normalize": "standardize", "validation": 0.1},
      "training": {"epochs": 3, "batch_size": 16, "seed": 5, "threads": 1}
    })";
  }
  ~Fixture() { fs::remove_all(root); }

  TrainRequest request(const std::string& out, std::optional<int> epochs = {}, std::optional<int> threads = {}) const {
    TrainRequest r;
    r.config_path = config_path;
    r.out_dir = (root / out).string();
    r.epochs = epochs;
    r.threads = threads;
    return r;
  }
};

struct Quiet : TrainObserver {};

// Stops the run (through the stop flag) after a given number of batches of a given epoch.
struct StopAt : TrainObserver {
  int epoch;
  int64_t batch;
  std::atomic<bool>& stop;
  StopAt(int e, int64_t b, std::atomic<bool>& s) : epoch(e), batch(b), stop(s) {}
  void on_batch(int e, const EpochProgress& p, int64_t, int) override {
    if (e == epoch && p.batches_done == batch) stop = true;
  }
};

std::vector<NamedTensor> saved_params(const std::string& run_dir) {
  return load_checkpoint(run_dir + "/checkpoint.bin").params;
}

void check_bit_identical(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(a[i].name);
    REQUIRE(a[i].tensor.numel() == b[i].tensor.numel());
    CHECK(std::memcmp(a[i].tensor.data(), b[i].tensor.data(), a[i].tensor.numel() * sizeof(float)) == 0);
  }
}

}  // namespace

TEST_CASE("a run trains, and leaves its config, metrics, checkpoint and filters") {
  Fixture f;
  std::atomic<bool> stop{false};
  Quiet quiet;
  const TrainResult result = train(f.request("full"), quiet, stop);
  CHECK(result.epochs_done == 3);
  CHECK_FALSE(result.interrupted);
  CHECK(result.last.test.accuracy >= 0.95);
  CHECK(result.last.validation.images == 60);
  CHECK(result.last.learning_rate == doctest::Approx(0.025));  // step schedule: epoch 3 is after one step
  for (const char* file : {"config.json", "metrics.csv", "checkpoint.bin", "filters.png"})
    CHECK(fs::exists(fs::path(result.run_dir) / file));
  std::ifstream metrics(result.run_dir + "/metrics.csv");
  std::string line;
  int rows = 0;
  while (std::getline(metrics, line)) ++rows;
  CHECK(rows == 4);  // header + 3 epochs
  CHECK(load_checkpoint(result.run_dir + "/checkpoint.bin").epoch == 3);
}

TEST_CASE("resuming after a finished epoch gives the uninterrupted run's weights, bit for bit") {
  Fixture f;
  std::atomic<bool> stop{false};
  Quiet quiet;
  train(f.request("straight"), quiet, stop);
  train(f.request("split", 1), quiet, stop);
  // What processes killed mid-save leave behind, which the resume removes; and files that only look alike.
  const fs::path split = f.root / "split";
  const std::vector<fs::path> stale = {split / "report.html.tmp.123", split / "checkpoint.bin.tmp.77",
                                       split / "filters" / "epoch-001.png.tmp.4567"};
  const std::vector<fs::path> kept = {split / "notes.tmp.txt", split / "filters" / "epoch.tmp."};
  for (const fs::path& path : stale) std::ofstream(path) << "half";
  for (const fs::path& path : kept) std::ofstream(path) << "mine";
  TrainRequest resume;
  resume.resume_dir = split.string();
  resume.epochs = 3;
  const TrainResult resumed = train(resume, quiet, stop);
  CHECK(resumed.epochs_done == 3);
  check_bit_identical(saved_params((f.root / "straight").string()), saved_params(resumed.run_dir));
  for (const fs::path& path : stale) CHECK_FALSE(fs::exists(path));
  for (const fs::path& path : kept) CHECK(fs::exists(path));
}

TEST_CASE("an interrupted epoch is saved and finished exactly on resume, on 1 thread and on 2") {
  // On 2 threads the conv layer's gradient shares are summed in block order, whichever thread ran which
  // block (core/parallel.hpp), and the run saves its thread count: the resumed run must still match.
  Fixture f;
  std::atomic<bool> stop{false};
  Quiet quiet;
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const std::string suffix = "-" + std::to_string(threads);
    train(f.request("straight" + suffix, {}, threads), quiet, stop);
    StopAt stop_in_epoch_2(2, 13, stop);
    const TrainResult first = train(f.request("interrupted" + suffix, {}, threads), stop_in_epoch_2, stop);
    CHECK(first.interrupted);
    CHECK(first.epochs_done == 1);
    stop = false;
    TrainRequest resume;
    resume.resume_dir = first.run_dir;
    const TrainResult resumed = train(resume, quiet, stop);
    CHECK(resumed.epochs_done == 3);
    check_bit_identical(saved_params((f.root / ("straight" + suffix)).string()), saved_params(resumed.run_dir));
  }
}

TEST_CASE("a run directory that holds a run is refused, and so is a second trainer on it") {
  Fixture f;
  std::atomic<bool> stop{false};
  Quiet quiet;
  train(f.request("once", 1), quiet, stop);
  CHECK_THROWS_WITH_AS(train(f.request("once", 1), quiet, stop),
                       doctest::Contains("already holds a run; continue it with --resume"), Error);

  // While one trainer runs (inside its batch callback), another on the same directory is refused.
  struct Intruder : TrainObserver {
    const Fixture& fixture;
    std::string refusal;
    explicit Intruder(const Fixture& fx) : fixture(fx) {}
    void on_batch(int, const EpochProgress& p, int64_t, int) override {
      if (p.batches_done != 1) return;
      TrainRequest second;
      second.resume_dir = (fixture.root / "busy").string();
      Quiet q;
      std::atomic<bool> no{false};
      try {
        train(second, q, no);
      } catch (const Error& e) {
        refusal = e.what();
      }
    }
  } intruder(f);
  train(f.request("busy", 1), intruder, stop);
  CHECK(intruder.refusal.find("another minicnn process is training in this run directory") != std::string::npos);
}

TEST_CASE("a diverging loss stops the run, names the epoch, batch and layer, and keeps the last checkpoint") {
  Fixture f(1e6);
  std::atomic<bool> stop{false};
  Quiet quiet;
  std::string message;
  try {
    train(f.request("diverge"), quiet, stop);
  } catch (const TrainingDiverged& e) {
    message = e.what();
  }
  CAPTURE(message);
  CHECK(message.find("epoch 1: the loss became") != std::string::npos);
  CHECK(message.find("in batch") != std::string::npos);
  CHECK(message.find("first non-finite value: ") != std::string::npos);
  CHECK_FALSE(fs::exists(f.root / "diverge" / "checkpoint.bin"));  // no good epoch yet, nothing written
}

TEST_CASE("the teaching config trains on generated bars in seconds, and traces one SGD step") {
  struct Tracing : TrainObserver {
    std::vector<SgdTrace> traces;
    void on_sgd_trace(const SgdTrace& trace) override { traces.push_back(trace); }
  } tracing;
  const fs::path root = fs::temp_directory_path() / ("minicnn-teach-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  TrainRequest request;
  request.config_path = std::string(MINICNN_SOURCE_DIR) + "/configs/teach-tiny.json";
  request.out_dir = (root / "run").string();
  request.trace = SgdTraceRequest{"conv1.weight[0,0,1,1]", 70};  // in epoch 2: 63 batches of 32 per epoch
  std::atomic<bool> stop{false};
  const TrainResult result = train(request, tracing, stop);
  CHECK(result.epochs_done == 3);
  CHECK(result.last.test.accuracy >= 0.95);
  REQUIRE(tracing.traces.size() == 1);
  const SgdTrace& t = tracing.traces[0];
  CHECK(t.weight == "conv1.weight[0,0,1,1]");
  CHECK(t.step == 70);
  CHECK(t.epoch == 2);
  CHECK(t.batch == 7);
  CHECK(t.batches == 63);
  CHECK(t.batch_size == 32);
  CHECK(t.sgd.learning_rate == 0.05);
  CHECK(t.sgd.momentum == 0.9);
  // The optimizer's numbers follow the update rule (in float, as the optimizer computes them).
  const float v = 0.9f * static_cast<float>(t.velocity_before) + static_cast<float>(t.grad);
  CHECK(static_cast<float>(t.velocity) == v);
  CHECK(static_cast<float>(t.new_w) == static_cast<float>(t.w) - 0.05f * v);
  CHECK(t.grad != 0.0);

  // The test images are generated again, the same, for a later evaluation.
  const Config config = load_config(request.config_path);
  const Dataset test_again = load_test_data(config.data, config.input, Normalization{}, {});
  const TrainingData data = load_training_data(config.data, config.input, config.training.seed);
  REQUIRE(test_again.size() == 500);
  CHECK(data.train.size() == 2000);
  CHECK(data.train.class_names == std::vector<std::string>{"horizontal", "vertical"});
  CHECK(std::equal(test_again.pixels.begin(), test_again.pixels.end(), data.test.pixels.begin()));
  Config wrong_shape = config;
  wrong_shape.input = Shape{3, 12, 12};
  CHECK_THROWS_WITH_AS(load_training_data(wrong_shape.data, wrong_shape.input, 1),
                       "generated bars are 1xSxS images (S >= 2) but the config's input is 3x12x12", Error);
  fs::remove_all(root);
}
