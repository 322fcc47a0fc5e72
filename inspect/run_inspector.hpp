#pragma once
// What a training run shows of itself while it trains (docs/inspect.md):
//   RUN/filters.png   the first convolution's kernels now, drawn with the run's scale
//   RUN/filters/      their history with their gradients (filter_history.hpp), every `filters_every` epochs,
//                     at the initialization (epoch 0) and at the last epoch
//   RUN/report.html   the training report (report.hpp), rewritten (atomically) at the start and after every
//                     epoch, so that it can be watched in a browser during a long run
#include <span>
#include <string>
#include <vector>

#include "datasets/training_data.hpp"
#include "inspect/report.hpp"
#include "models/sequential.hpp"
#include "models/training_run.hpp"

namespace minicnn {

class RunInspector {
 public:
  // The network and data must outlive the inspector. epochs_planned: the run's last epoch.
  RunInspector(std::string run_dir, int filters_every, int epochs_planned, Sequential<float>& net,
               const TrainingData& data, std::string description);

  // Before training: records the initial filters of a new run (not of a resumed one, whose weights are
  // not the initial ones) and writes the first report.
  void start(int epochs_done, bool new_run);
  // After a finished epoch, given the test set's predicted classes.
  void after_epoch(const EpochReport& report, std::span<const int32_t> test_predictions);
  // When the run stops early (Ctrl-C): the report says so, and stops reloading.
  void interrupted(int epochs_done);

 private:
  void record(int epoch);
  void write_report(int epochs_done, const std::string& status, int refresh_seconds);

  std::string run_dir_, description_;
  int filters_every_, epochs_planned_;
  Sequential<float>& net_;
  const TrainingData& data_;
  Tensor<float> gradient_images_;         // the first kGradientImages training images
  std::vector<int32_t> gradient_labels_;
  int tested_epoch_ = 0;
  std::vector<std::vector<int64_t>> confusion_;
  std::vector<ReportMistake> mistakes_;
};

// The rows of a run's metrics.csv; throws Error naming the file when it is not what minicnn writes.
std::vector<EpochReport> read_metrics(const std::string& path);

}  // namespace minicnn
