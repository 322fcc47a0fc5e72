// minicnn train CONFIG: trains a network, writing its run directory (see models/training_run.hpp).
// On a terminal it draws a progress bar per epoch; otherwise it prints a plain line every few seconds.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>

#include "apps/commands.hpp"
#include "models/training_run.hpp"

namespace minicnn {
namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int) { g_stop_requested.store(true); }

std::string clock_text(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%d:%02d", s / 60, s % 60);
  return text;
}

class ConsoleObserver : public TrainObserver {
 public:
  ConsoleObserver() : terminal_(isatty(STDOUT_FILENO)) {}

  void on_start(const std::string& run_dir, const std::string& description) override {
    std::printf("training %s\nrun directory: %s (report.html there is updated after every epoch)\n",
                description.c_str(), run_dir.c_str());
    std::fflush(stdout);
  }

  void on_batch(int epoch, const EpochProgress& p, int64_t batches, int batch_size) override {
    const auto now = std::chrono::steady_clock::now();
    if (epoch != epoch_) epoch_ = epoch, epoch_start_ = now, first_batch_ = p.batches_done - 1, last_line_ = now;
    const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
    const int64_t done_here = p.batches_done - first_batch_;
    const double images_per_second = seconds > 0 ? done_here * batch_size / seconds : 0.0;
    const double left = done_here > 0 ? seconds / done_here * (batches - p.batches_done) : 0.0;
    char stats[160];
    std::snprintf(stats, sizeof stats, "%5lld/%lld  %6.0f img/s  loss %.4f  acc %5.2f%%  left %s",
                  static_cast<long long>(p.batches_done), static_cast<long long>(batches), images_per_second,
                  p.stats.loss, 100 * p.stats.accuracy, clock_text(left).c_str());
    if (terminal_) {
      const int width = 24, filled = static_cast<int>(width * p.batches_done / batches);
      std::printf("\repoch %d [%s%s] %s", epoch, std::string(filled, '=').c_str(),
                  std::string(width - filled, ' ').c_str(), stats);
      std::fflush(stdout);
    } else if (std::chrono::duration<double>(now - last_line_).count() >= 5.0) {
      std::printf("epoch %d  batch %s\n", epoch, stats);
      std::fflush(stdout);
      last_line_ = now;
    }
  }

  void on_sgd_trace(const SgdTrace& trace) override {
    traced_ = true;
    if (terminal_) std::printf("\r\033[K");
    std::fputs(describe(trace).c_str(), stdout);
    std::fflush(stdout);
  }

  void on_epoch(const EpochReport& r) override {
    if (terminal_) std::printf("\r\033[K");
    std::printf("epoch %d/%d  train loss %.4f acc %.2f%%", r.epoch, r.epochs, r.train.loss, 100 * r.train.accuracy);
    if (r.validation.images > 0) std::printf("  val loss %.4f acc %.2f%%", r.validation.loss, 100 * r.validation.accuracy);
    std::printf("  test loss %.4f acc %.2f%%  lr %.3g  %.1fs (%.0f img/s)\n", r.test.loss, 100 * r.test.accuracy,
                r.learning_rate, r.seconds, r.seconds > 0 ? r.train.images / r.seconds : 0.0);
    std::fflush(stdout);
  }

  bool traced() const { return traced_; }

 private:
  bool terminal_, traced_ = false;
  int epoch_ = 0;
  int64_t first_batch_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, last_line_;
};

}  // namespace

CommandRunner add_train_command(CLI::App& app) {
  auto request = std::make_shared<TrainRequest>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network from a JSON config");
  cmd->add_option("config", request->config_path, "The network config (JSON); not needed with --resume");
  cmd->add_option("--epochs", request->epochs, "Total epochs (overrides the config)")->check(CLI::Range(1, 100000));
  cmd->add_option("--out", request->out_dir, "Run directory (default: runs/<config name>-<N>)");
  cmd->add_option("--resume", request->resume_dir, "Continue the run in this directory");
  cmd->add_option("--seed", request->seed, "Random seed (overrides the config)");
  cmd->add_option("--threads", request->threads, "Threads (overrides the config; 0 = one per core)")->check(CLI::Range(0, 1024));
  cmd->add_option("--data", request->data_path, "Data directory (overrides the config)");
  cmd->add_option("--filters-every", request->filters_every,
                  "Record the first layer's filters and gradients in RUN/filters/ every N epochs; 0: never "
                  "(overrides the config's inspect.filters_every)")
      ->check(CLI::NonNegativeNumber);
  auto trace = std::make_shared<SgdTraceRequest>();
  CLI::Option* trace_step = cmd->add_option("--trace-step", trace->step, "Print SGD step N (from 1) for one weight: "
                                            "w, grad, momentum buffer, lr, new w")->check(CLI::PositiveNumber);
  CLI::Option* trace_weight = cmd->add_option("--trace-weight", trace->weight, "The weight to trace, like "
                                              "conv1.weight[0,0,1,1] (default: the first parameter's first)");
  cmd->callback([request, cmd, trace, trace_step, trace_weight] {
    if (request->config_path.empty() == request->resume_dir.empty())
      throw CLI::ValidationError("train", "give either a CONFIG for a new run or --resume DIR, not both");
    if (!request->resume_dir.empty() && !request->out_dir.empty())
      throw CLI::ValidationError("train", "--out names a new run; a resumed run stays in its directory");
    if (trace_step->count() > 0 || trace_weight->count() > 0) request->trace = *trace;
    (void)cmd;
  });
  return [request] {
    std::signal(SIGINT, request_stop);
    ConsoleObserver observer;
    const TrainResult result = train(*request, observer, g_stop_requested);
    if (result.interrupted) {
      std::printf("\ninterrupted: the unfinished epoch is saved in %s/checkpoint.bin; continue with\n"
                  "  minicnn train --resume %s\n", result.run_dir.c_str(), result.run_dir.c_str());
      return 130;
    }
    if (request->trace && !observer.traced())
      std::printf("(no SGD step %lld to trace: the run took fewer steps)\n",
                  static_cast<long long>(request->trace->step));
    std::printf("test accuracy %.2f%% after %d epochs\nmetrics: %s/metrics.csv\nfilters: %s/filters.png\n"
                "report:  %s/report.html (open it in a browser)\n",
                100 * result.last.test.accuracy, result.epochs_done, result.run_dir.c_str(), result.run_dir.c_str(),
                result.run_dir.c_str());
    return 0;
  };
}

}  // namespace minicnn
