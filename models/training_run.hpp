#pragma once
// A training run: the loop over epochs with everything around it that makes a run safe to leave alone and
// easy to look at afterwards. Its directory holds
//   config.json      the config exactly as applied (every default filled in)
//   checkpoint.bin   weights, optimizer state, epoch, RNG state: written atomically after every epoch
//   metrics.csv      one row per epoch
//   filters.png      the first convolution layer's kernels
//   filters/         their history, with their gradients (inspect/filter_history.hpp)
//   report.html      the training report, rewritten after every epoch (inspect/run_inspector.hpp)
//   lock             held while a process trains here, so that two cannot write one run
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "models/sgd_trace.hpp"
#include "models/trainer.hpp"

namespace minicnn {

struct TrainRequest {
  std::string config_path;   // a new run's config
  std::string resume_dir;    // or the run to continue
  std::string out_dir;       // a new run's directory; empty: runs/<config name>-<N>, the first free N
  std::optional<int> epochs, threads, filters_every;
  std::optional<uint64_t> seed;
  std::optional<std::string> data_path;
  std::optional<SgdTraceRequest> trace;  // show one SGD update of one weight (TrainObserver::on_sgd_trace)
};

struct EpochReport {
  int epoch = 0, epochs = 0;  // epoch counts from 1
  double learning_rate = 0.0, seconds = 0.0;
  EpochStats train, validation, test;
};

// What a run tells as it goes; the command line draws progress from it, tests can ignore it.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void on_start(const std::string& /*run_dir*/, const std::string& /*description*/) {}
  virtual void on_batch(int /*epoch*/, const EpochProgress& /*progress*/, int64_t /*batches*/, int /*batch_size*/) {}
  virtual void on_epoch(const EpochReport& /*report*/) {}
  virtual void on_sgd_trace(const SgdTrace& /*trace*/) {}
};

struct TrainResult {
  std::string run_dir;
  int epochs_done = 0;
  bool interrupted = false;  // stopped by the stop flag; a checkpoint of the unfinished epoch was saved
  EpochReport last;          // the last finished epoch
};

// Trains (or resumes) a run. Setting stop_requested (from a SIGINT handler) ends the run after the current
// batch with a checkpoint. Throws Error for bad input and TrainingDiverged when the loss goes non-finite.
TrainResult train(const TrainRequest& request, TrainObserver& observer, const std::atomic<bool>& stop_requested);

}  // namespace minicnn
