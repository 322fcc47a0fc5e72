#include "models/training_run.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/parallel.hpp"
#include "core/utf8.hpp"
#include "datasets/training_data.hpp"
#include "inspect/run_inspector.hpp"
#include "models/checkpoint.hpp"
#include "models/config.hpp"

namespace minicnn {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kMetricsHeader =
    "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,test_accuracy,"
    "seconds\n";

// An exclusive lock on DIR/lock for the life of the object; a second trainer on the same run is refused.
class RunLock {
 public:
  explicit RunLock(const std::string& dir) {
    const std::string path = dir + "/lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(path + ": cannot create the run's lock file");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw Error(dir + ": another minicnn process is training in this run directory");
    }
  }
  ~RunLock() { ::close(fd_); }  // closing releases the lock
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

std::string new_run_dir(const std::string& config_path) {
  const std::string stem = fs::path(config_path).stem().string();
  for (int n = 1;; ++n) {
    const std::string dir = "runs/" + stem + "-" + std::to_string(n);
    std::error_code ec;
    if (!fs::exists(dir, ec)) return dir;
  }
}

// The header and the rows of epochs 1..epochs of an existing metrics.csv (a resumed run redoes the later
// ones); a missing file keeps no rows.
std::string kept_metrics(const std::string& path, int epochs) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return kMetricsHeader;
  std::istringstream in(read_whole_file(path, 64 << 20, "metrics file"));
  std::string line, kept = kMetricsHeader;
  std::getline(in, line);  // header
  for (int row = 0; row < epochs && std::getline(in, line); ++row) kept += line + "\n";
  return kept;
}

std::string metrics_row(const EpochReport& r) {
  char line[512];
  std::snprintf(line, sizeof line, "%d,%.8g,%.6f,%.6f,%s,%s,%.6f,%.6f,%.3f\n", r.epoch, r.learning_rate,
                r.train.loss, r.train.accuracy, r.validation.images ? std::to_string(r.validation.loss).c_str() : "",
                r.validation.images ? std::to_string(r.validation.accuracy).c_str() : "", r.test.loss,
                r.test.accuracy, r.seconds);
  return line;
}

// Removes the temporary files ("checkpoint.bin.tmp.<pid>", "filters/epoch-001.png.tmp.<pid>") that a process
// killed while saving left behind. Only the lock holder calls it, so no save of another process can be in
// flight.
void remove_stale_temporaries(const std::string& dir) {
  const auto is_temporary = [](const std::string& name) {
    const size_t mark = name.rfind(".tmp.");
    if (mark == std::string::npos || mark == 0 || mark + 5 == name.size()) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(mark + 5), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  std::error_code ec;
  for (const std::string& folder : {dir, dir + "/filters"})
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec))
      if (is_temporary(entry.path().filename().string())) fs::remove(entry.path(), ec);
}

json to_json(const Rng::State& s) { return json::array({s[0], s[1], s[2], s[3]}); }
Rng::State rng_state_from(const json& j) {
  return {j.at(0).get<uint64_t>(), j.at(1).get<uint64_t>(), j.at(2).get<uint64_t>(), j.at(3).get<uint64_t>()};
}

// Where a resumed run stands in its unfinished epoch, from the metadata an interrupted save wrote (nothing
// when the run stopped between epochs). Everything is checked: a hostile checkpoint may say anything.
EpochProgress unfinished_progress(const json& meta, int64_t batches, const std::string& path) {
  EpochProgress progress;
  if (!meta.contains("unfinished_epoch")) return progress;
  try {
    const json& u = meta.at("unfinished_epoch");
    progress.batches_done = u.at("batches_done").get<int64_t>();
    const json& state = u.at("rng_state");
    if (!state.is_array() || state.size() != 4)
      throw Error(path + ": the checkpoint's unfinished epoch has no generator state of 4 words");
    progress.rng_state = rng_state_from(state);
    progress.stats = EpochStats{u.at("loss").get<double>(), u.at("accuracy").get<double>(), u.at("images").get<int64_t>()};
  } catch (const json::exception& e) {
    throw Error(path + ": the checkpoint's unfinished epoch is not what minicnn wrote: " + e.what());
  }
  if (progress.batches_done < 1 || progress.batches_done >= batches || progress.stats.images < 1)
    throw Error(path + ": the checkpoint's unfinished epoch has done " + std::to_string(progress.batches_done) +
                " of " + std::to_string(batches) + " batches (" + std::to_string(progress.stats.images) +
                " images), which this data cannot continue");
  return progress;
}


// Applies the command line's overrides to a config and to its record of what was used.
void apply_overrides(Config& config, const TrainRequest& request) {
  if (request.epochs) config.training.epochs = *request.epochs, config.used["training"]["epochs"] = *request.epochs;
  if (request.seed) config.training.seed = *request.seed, config.used["training"]["seed"] = *request.seed;
  if (request.threads) config.training.threads = *request.threads, config.used["training"]["threads"] = *request.threads;
  if (request.data_path) {
    // config.json and the checkpoint keep the path as JSON, which holds only UTF-8.
    if (!is_utf8(*request.data_path)) throw Error(*request.data_path + ": --data must be a path in UTF-8 text");
    config.data.path = *request.data_path, config.used["data"]["path"] = *request.data_path;
  }
  if (request.filters_every)
    config.inspect.filters_every = *request.filters_every, config.used["inspect"]["filters_every"] = *request.filters_every;
}

}  // namespace

TrainResult train(const TrainRequest& request, TrainObserver& observer, const std::atomic<bool>& stop_requested) {
  const bool resuming = !request.resume_dir.empty();
  TrainResult result;
  result.run_dir = resuming ? request.resume_dir : (request.out_dir.empty() ? new_run_dir(request.config_path) : request.out_dir);
  const std::string checkpoint_path = result.run_dir + "/checkpoint.bin";
  std::error_code ec;
  if (!resuming && fs::exists(checkpoint_path, ec))
    throw Error(result.run_dir + ": already holds a run; continue it with --resume " + result.run_dir +
                " or choose another --out");
  fs::create_directories(result.run_dir, ec);
  if (ec) throw Error(result.run_dir + ": cannot create the run directory: " + ec.message());
  RunLock lock(result.run_dir);

  remove_stale_temporaries(result.run_dir);

  Checkpoint saved;
  Config config;
  if (resuming) {
    saved = load_checkpoint(checkpoint_path);
    config = parse_config(parse_json(saved.config_json, checkpoint_path), checkpoint_path);
  } else {
    config = load_config(request.config_path);
  }
  apply_overrides(config, request);
  const int threads = config.training.threads > 0 ? config.training.threads
                                                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  set_num_threads(threads);
  config.used["training"]["threads"] = threads;  // so that a resumed run uses the same count, bit for bit

  TrainingData data = load_training_data(config.data, config.input, config.training.seed);
  Sequential<float> net;
  build_network(config, net);
  const int64_t outputs = net.output_shape(net.size() - 1).numel();
  if (outputs != static_cast<int64_t>(data.train.class_names.size()))
    throw Error(config.file + ": the last layer has " + std::to_string(outputs) + " outputs but " + data.train.source +
                " has " + std::to_string(data.train.class_names.size()) + " classes");
  Rng rng(config.training.seed);
  net.init_params(rng);
  Sgd<float> sgd(net.params(), config.sgd);

  const int batch_size = config.training.batch_size;
  const int64_t batches = (data.train.size() + batch_size - 1) / batch_size;
  const std::string metrics_path = result.run_dir + "/metrics.csv";
  int first_epoch = 0;
  EpochProgress progress;
  std::string metrics = kMetricsHeader;
  if (resuming) {
    restore_params(saved, net.params(), checkpoint_path);
    restore_velocities(saved, net.params(), sgd, checkpoint_path);
    rng.set_state(saved.rng_state);
    if (saved.epoch >= config.training.epochs)
      throw Error(result.run_dir + ": the run has already trained " + std::to_string(saved.epoch) + " of its " +
                  std::to_string(config.training.epochs) + " epochs; give --epochs to train more");
    first_epoch = static_cast<int>(saved.epoch);
    progress = unfinished_progress(parse_json(saved.metadata_json, checkpoint_path), batches, checkpoint_path);
    metrics = kept_metrics(metrics_path, first_epoch);
  }
  std::optional<SgdTracer> tracer;  // made now that a resume has restored the weights and velocities
  if (request.trace) tracer.emplace(*request.trace, net.params(), sgd);
  // Every file of the run directory is replaced whole (core/file_io.hpp), so that a process killed at any
  // moment leaves each of them complete: the old version or the new.
  write_file_atomically(metrics_path, metrics);
  write_file_atomically(result.run_dir + "/config.json", config.used.dump(2) + "\n");

  // What a checkpoint needs besides the tensors: enough to evaluate and predict without the config's data.
  json meta = {{"class_names", data.train.class_names},
               {"normalization", {{"mean", data.normalization.mean}, {"stddev", data.normalization.stddev}}},
               {"pixel_mean", data.pixel_mean}};
  auto save = [&](int epochs_done, const Rng::State& epoch_start_rng, const EpochProgress* unfinished) {
    json m = meta;
    if (unfinished != nullptr)
      m["unfinished_epoch"] = {{"batches_done", unfinished->batches_done}, {"rng_state", to_json(unfinished->rng_state)},
                               {"loss", unfinished->stats.loss}, {"accuracy", unfinished->stats.accuracy},
                               {"images", unfinished->stats.images}};
    save_checkpoint(checkpoint_path, Checkpoint{config.used.dump(), m.dump(), epochs_done, epoch_start_rng,
                                                capture_params(net.params()), capture_velocities(net.params(), sgd)});
  };

  std::ostringstream description;
  description << config.file << " on " << data.train.source << " (" << data.train.size() << " training, "
              << data.validation.size() << " validation, " << data.test.size() << " test images), " << threads
              << (threads == 1 ? " thread" : " threads");
  RunInspector inspector(result.run_dir, config.inspect.filters_every, config.training.epochs, net, data, description.str());
  inspector.start(first_epoch, !resuming);
  observer.on_start(result.run_dir, description.str());

  BatchBuffers buffers;
  for (int epoch = first_epoch; epoch < config.training.epochs; ++epoch) {
    EpochReport report;
    report.epoch = epoch + 1;
    report.epochs = config.training.epochs;
    report.learning_rate = config.schedule.learning_rate(config.sgd.learning_rate, epoch, config.training.epochs);
    sgd.set_learning_rate(report.learning_rate);
    const Rng::State epoch_start_rng = rng.state();
    const auto start = std::chrono::steady_clock::now();
    try {
      progress = train_epoch(net, sgd, data.train, batch_size, rng, buffers,
                             [&](const EpochProgress& p, int64_t batches) {
                               if (tracer) {
                                 const int64_t images = std::min<int64_t>(
                                     batch_size, data.train.size() - (p.batches_done - 1) * batch_size);
                                 const auto trace = tracer->after_step(epoch * batches + p.batches_done, epoch + 1,
                                                                       p.batches_done, batches,
                                                                       static_cast<int>(images));
                                 if (trace) observer.on_sgd_trace(*trace);
                               }
                               observer.on_batch(epoch + 1, p, batches, batch_size);
                               return !stop_requested.load();
                             },
                             progress);
    } catch (const TrainingDiverged& e) {
      throw TrainingDiverged("epoch " + std::to_string(epoch + 1) + ": " + e.what() + "; the last good checkpoint (" +
                             std::to_string(epoch) + " epochs) is kept in " + checkpoint_path);
    }
    if (progress.batches_done < batches) {
      // Stopped by request: keep the unfinished epoch so that a resumed run continues it exactly.
      save(epoch, epoch_start_rng, &progress);
      inspector.interrupted(epoch);
      result.interrupted = true;
      return result;
    }
    report.train = progress.stats;
    progress = EpochProgress{};
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (data.validation.size() > 0)
      report.validation = evaluate(net, data.validation, 256, buffers);
    std::vector<int32_t> test_predictions;
    report.test = evaluate(net, data.test, 256, buffers, &test_predictions);
    // The metrics row goes first: a process killed between the two writes leaves a row for an epoch the
    // checkpoint does not hold, which resuming drops and redoes, never a saved epoch without its row.
    metrics += metrics_row(report);
    write_file_atomically(metrics_path, metrics);
    save(epoch + 1, rng.state(), nullptr);
    inspector.after_epoch(report, test_predictions);
    result.epochs_done = epoch + 1;
    result.last = report;
    observer.on_epoch(report);
  }
  return result;
}

}  // namespace minicnn
