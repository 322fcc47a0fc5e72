#include "inspect/run_inspector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/image.hpp"
#include "datasets/preprocess.hpp"
#include "inspect/filter_grid.hpp"
#include "inspect/filter_history.hpp"
#include "inspect/layer_choice.hpp"
#include "inspect/misclassified.hpp"
#include "layers/conv2d.hpp"

namespace minicnn {
namespace {

constexpr int kMistakesShown = 16;

// Files of the run directory that the report reads back: metrics.csv and the filter pictures.
constexpr uint64_t kMaxRunFileBytes = uint64_t{64} << 20;

// A page that reloads about once an epoch, but not more often than every 5 s or less than every 5 min.
int refresh_for(double epoch_seconds) { return static_cast<int>(std::clamp(std::ceil(epoch_seconds * 1.1), 5.0, 300.0)); }

}  // namespace

std::vector<EpochReport> read_metrics(const std::string& path) {
  std::istringstream in(read_whole_file(path, kMaxRunFileBytes, "metrics file"));
  std::string line;
  std::getline(in, line);
  std::map<std::string, size_t> column;
  {
    std::stringstream header(line);
    std::string name;
    for (size_t i = 0; std::getline(header, name, ','); ++i) column[name] = i;
  }
  for (const char* name : {"epoch", "learning_rate", "train_loss", "train_accuracy", "validation_loss",
                           "validation_accuracy", "test_loss", "test_accuracy", "seconds"})
    if (!column.count(name)) throw Error(path + ": the header lacks the column '" + std::string(name) + "'");
  std::vector<EpochReport> rows;
  for (int row = 2; std::getline(in, line); ++row) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (line.back() == ',') cells.emplace_back();
    if (cells.size() != column.size()) throw Error(path + ": line " + std::to_string(row) + " does not have one value per column");
    auto value = [&](const char* name) {
      const std::string& cell = cells[column[name]];
      if (cell.empty()) return std::nan("");
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (end == cell.c_str() || *end != '\0') throw Error(path + ": line " + std::to_string(row) + ": '" + cell + "' is not a number");
      return v;
    };
    EpochReport r;
    r.epoch = static_cast<int>(value("epoch"));
    r.learning_rate = value("learning_rate");
    r.train = {value("train_loss"), value("train_accuracy"), 1};
    const double validation_loss = value("validation_loss");
    if (!std::isnan(validation_loss)) r.validation = {validation_loss, value("validation_accuracy"), 1};
    r.test = {value("test_loss"), value("test_accuracy"), 1};
    r.seconds = value("seconds");
    rows.push_back(r);
  }
  return rows;
}

RunInspector::RunInspector(std::string run_dir, int filters_every, int epochs_planned, Sequential<float>& net,
                           const TrainingData& data, std::string description)
    : run_dir_(std::move(run_dir)),
      description_(std::move(description)),
      filters_every_(filters_every),
      epochs_planned_(epochs_planned),
      net_(net),
      data_(data) {
  const int64_t count = std::min<int64_t>(kGradientImages, data.train.size());
  std::vector<int64_t> first_images(count);
  std::iota(first_images.begin(), first_images.end(), int64_t{0});
  data.train.gather(first_images, gradient_images_);
  gradient_labels_.assign(data.train.labels.begin(), data.train.labels.begin() + count);
}

void RunInspector::record(int epoch) {
  const std::optional<size_t> conv = first_conv_layer(net_);
  if (!conv) return;
  const Tensor<float>& weight = dynamic_cast<Conv2d<float>&>(net_.layer(*conv)).weight().value;
  const std::string& layer = net_.layer(*conv).name;
  const bool recorded = filters_every_ > 0 && (epoch == 0 || epoch % filters_every_ == 0 || epoch == epochs_planned_);
  double scale = max_abs(weight);
  if (recorded) {
    scale = record_filters(run_dir_, layer, epoch, weight,
                           conv_weight_gradient(net_, *conv, gradient_images_, gradient_labels_));
  } else if (const std::optional<RunFilterScale> run = read_run_filter_scale(run_dir_); run && run->layer == layer) {
    scale = std::max(scale, run->scale);
  }
  const FilterGridOptions options{.value_scale = scale};
  save_png(run_dir_ + "/filters.png", filter_grid(weight, options),
           grid_text(layer + " weights " + epoch_words(epoch), weight, options));
}

void RunInspector::start(int epochs_done, bool new_run) {
  if (new_run) record(0);
  write_report(epochs_done, "training: " + std::to_string(epochs_done) + " of " + std::to_string(epochs_planned_) +
                                " epochs done; this page reloads itself",
               refresh_for(0));
}

void RunInspector::after_epoch(const EpochReport& report, std::span<const int32_t> test_predictions) {
  record(report.epoch);
  const Dataset& test = data_.test;
  const int classes = static_cast<int>(data_.train.class_names.size());
  confusion_ = confusion_matrix(test.labels, test_predictions, classes);
  mistakes_.clear();
  const int64_t channels = test.pixels.dim(1);  // pictures of gray or RGB images only
  Tensor<float> input;
  for (const Mistake& m : most_confident_mistakes(net_, test, test_predictions,
                                                  channels == 1 || channels == 3 ? kMistakesShown : 0)) {
    test.gather(std::span(&m.index, 1), input);
    const Image image = input_to_image(input.sample(0), data_.normalization);
    mistakes_.push_back({encode_png(image), data_.train.class_names[m.label], data_.train.class_names[m.predicted],
                         m.confidence, m.index});
  }
  tested_epoch_ = report.epoch;
  const bool finished = report.epoch >= epochs_planned_;
  write_report(report.epoch,
               finished ? "finished: " + std::to_string(report.epoch) + " epochs"
                        : "training: " + std::to_string(report.epoch) + " of " + std::to_string(epochs_planned_) +
                              " epochs done; this page reloads itself",
               finished ? 0 : refresh_for(report.seconds));
}

void RunInspector::interrupted(int epochs_done) {
  write_report(epochs_done,
               "interrupted after " + std::to_string(epochs_done) + " of " + std::to_string(epochs_planned_) +
                   " epochs; continue with: minicnn train --resume " + run_dir_,
               0);
}

void RunInspector::write_report(int epochs_done, const std::string& status, int refresh_seconds) {
  Report r;
  r.run_dir = run_dir_;
  r.description = description_;
  r.status = status;
  r.refresh_seconds = refresh_seconds;
  r.epochs = read_metrics(run_dir_ + "/metrics.csv");
  if (const std::optional<size_t> conv = first_conv_layer(net_)) {
    r.filter_layer = net_.layer(*conv).name;
    for (const int epoch : recorded_filter_epochs(run_dir_, epochs_done)) {
      const std::string weights = filter_history_path(run_dir_, epoch, ".png"),
                        gradient = filter_history_path(run_dir_, epoch, "-grad.png");
      if (std::filesystem::exists(weights))
        r.frames.push_back({epoch, read_whole_file(weights, kMaxRunFileBytes, "filter picture"),
                           std::filesystem::exists(gradient)
                               ? read_whole_file(gradient, kMaxRunFileBytes, "filter picture")
                               : ""});
    }
    if (const std::optional<RunFilterScale> run = read_run_filter_scale(run_dir_)) r.filter_scale = run->scale;
    r.kernels = nearest_classical_kernels(dynamic_cast<Conv2d<float>&>(net_.layer(*conv)).weight().value);
  }
  r.tested_epoch = tested_epoch_;
  r.class_names = data_.train.class_names;
  r.confusion = confusion_;
  r.mistakes = mistakes_;
  r.input = net_.input_shape();
  r.layers = summarize(net_);
  write_file_atomically(run_dir_ + "/report.html", render_report(r), "the previous report is unchanged");
}

}  // namespace minicnn
