// speed_bench: minicnn's half of the speed benchmark against PyTorch (bench/run_speed_bench.sh runs both
// halves, alternating, and prints the table). Each mode prints one JSON object per measurement on stdout.
//
//   speed_bench train CONFIG --threads T --batch B --images N   training throughput and peak memory
//   speed_bench infer CONFIG --threads T                        batch-1000 throughput, batch-1 latency
//   speed_bench conv --threads T [--case K] [--algorithm A]     conv2d forward/backward per shape, next to
//                                                               a bare sgemm of the same GEMMs
//   speed_bench layers CONFIG --threads T --batch B --images N  where a training step's time goes, per layer
//   speed_bench scaling CONFIG --threads T --batch B --images N training throughput at 1 thread and at T,
//                                                               taking turns in one process
#include <sys/resource.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "datasets/training_data.hpp"
#include "layers/conv2d.hpp"
#include "models/config.hpp"
#include "models/trainer.hpp"

using namespace minicnn;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time used by all threads of this process: on a shared machine, less disturbed by other processes than
// wall-clock time (at 1 thread, images per CPU-second is the throughput on an idle core).
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Peak resident set size of this process so far, in MB (ru_maxrss is in KiB on Linux).
double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

// The best (least disturbed) timing of each body, in seconds, over at least `repeats` runs and at least
// kLeastSeconds of runs of each. The bodies take turns, so that a spell of a slower machine (a shared one
// changes speed from second to second) hits them all alike: their ratios are steadier than their figures.
// A body of a millisecond needs the time as well as the count: its first 5 runs, 5 ms, often fall in one slow
// spell (the stride-2 conv shape, best of 5 against best of 50: 24-25 against 38-39 GFLOP/s).
constexpr double kLeastSeconds = 0.25;
std::vector<double> best_times(int repeats, const std::vector<std::function<void()>>& bodies) {
  std::vector<double> best(bodies.size(), 1e30), total(bodies.size(), 0.0);
  for (int r = 0; r < repeats || *std::min_element(total.begin(), total.end()) < kLeastSeconds; ++r)
    for (size_t b = 0; b < bodies.size(); ++b) {
      const Clock::time_point start = Clock::now();
      bodies[b]();
      const double seconds = seconds_since(start);
      best[b] = std::min(best[b], seconds);
      total[b] += seconds;
    }
  return best;
}
double best_time(int repeats, const std::function<void()>& body) { return best_times(repeats, {body})[0]; }

void print(const json& record) {
  std::printf("%s\n", record.dump().c_str());
  std::fflush(stdout);
}

// Wall-clock and CPU time of the timed batches at one thread count, and how many.
struct TimedBatches {
  double seconds = 0.0, cpu_seconds = 0.0;
  int64_t batches = 0;
};

struct TimedTraining {
  std::map<int, TimedBatches> by_threads;  // by thread count
  std::vector<std::string> layers;         // the network's layer names
};

// Trains `images` images at each of `thread_counts` as the config says, batch size overridden: first 5
// warm-up batches at each count, untimed, then turns of `turn` batches at each count in order, timed. With
// `times`, each layer's forward and backward time over the timed batches is added to it.
TimedTraining timed_turns(const std::string& config_path, int batch, int64_t images,
                          const std::vector<int>& thread_counts, int64_t turn,
                          Sequential<float>::LayerTimes* times = nullptr) {
  Config config = load_config(config_path);
  TrainingData data = load_training_data(config.data, config.input, config.training.seed);
  Sequential<float> net;
  build_network(config, net);
  Rng rng(config.training.seed);
  net.init_params(rng);
  Sgd<float> sgd(net.params(), config.sgd);
  BatchBuffers buffers;
  const int64_t warmup = 5, counts = static_cast<int64_t>(thread_counts.size());
  const int64_t timed = (images + batch - 1) / batch, warmup_batches = warmup * counts;
  if ((warmup_batches + timed * counts) * batch > data.train.size())
    throw Error(config_path + ": " + std::to_string(data.train.size()) + " training images, fewer than " +
                std::to_string((warmup_batches + timed * counts) * batch) + " for one epoch of this benchmark");
  TimedTraining result;
  Clock::time_point start;
  double cpu_start = 0.0;
  set_num_threads(thread_counts[0]);
  train_epoch(net, sgd, data.train, batch, rng, buffers, [&](const EpochProgress& progress, int64_t) {
    const int64_t done = progress.batches_done;
    if (done < warmup_batches) {
      set_num_threads(thread_counts[done / warmup]);
      return true;
    }
    const int64_t timed_done = done - warmup_batches;
    if (timed_done > 0) {
      if (timed_done % turn != 0) return true;
      TimedBatches& t = result.by_threads[num_threads()];
      t.seconds += seconds_since(start);
      t.cpu_seconds += cpu_seconds() - cpu_start;
      t.batches += turn;
      if (timed_done == timed * counts) return false;
    } else if (times != nullptr) {
      net.time_layers(times);
    }
    set_num_threads(thread_counts[timed_done / turn % counts]);
    start = Clock::now(), cpu_start = cpu_seconds();
    return true;
  });
  for (size_t i = 0; i < net.size(); ++i) result.layers.push_back(net.layer(i).name);
  return result;
}

// The same at the thread count set, in one turn.
TimedTraining timed_training(const std::string& config_path, int batch, int64_t images,
                             Sequential<float>::LayerTimes* times = nullptr) {
  return timed_turns(config_path, batch, images, {num_threads()}, (images + batch - 1) / batch, times);
}

json training_record(const std::string& mode, int threads, int batch, const TimedBatches& t) {
  return {{"mode", mode}, {"threads", threads}, {"batch", batch},
          {"images_per_s", t.batches * batch / t.seconds}, {"images_per_cpu_s", t.batches * batch / t.cpu_seconds},
          {"peak_rss_mb", peak_rss_mb()}};
}

void bench_train(const std::string& config_path, int batch, int64_t images) {
  const int threads = num_threads();
  print(training_record("train", threads, batch, timed_training(config_path, batch, images).by_threads.at(threads)));
}

// Training at 1 thread and at `threads` in one process, taking turns of `turn_images` images (at least
// one batch): this machine's speed drifts from second to second, and two runs of a few seconds each, one
// after the other, can differ by a third at the same thread count.
void bench_scaling(const std::string& config_path, int threads, int batch, int64_t images, int turn_images) {
  const int64_t turn = std::max(1, turn_images / batch);
  const int64_t turns = (images + batch * turn - 1) / (batch * turn);
  const TimedTraining t = timed_turns(config_path, batch, turns * turn * batch, {1, threads}, turn);
  for (int count : {1, threads}) print(training_record("scaling", count, batch, t.by_threads.at(count)));
}

// Where a training step's time goes: each layer's forward and backward; the rest of a step (making the
// batch, the loss, zeroing gradients, the SGD update) is what remains of the step's time.
void bench_layers(const std::string& config_path, int batch, int64_t images) {
  Sequential<float>::LayerTimes times;
  const TimedTraining t = timed_training(config_path, batch, images, &times);
  const TimedBatches& timed = t.by_threads.at(num_threads());
  const double step_ms = timed.seconds * 1e3 / timed.batches;
  double layers_ms = 0.0;
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const double forward_ms = times.forward[i] * 1e3 / timed.batches, backward_ms = times.backward[i] * 1e3 / timed.batches;
    layers_ms += forward_ms + backward_ms;
    print({{"mode", "layers"}, {"threads", num_threads()}, {"layer", t.layers[i]},
           {"forward_ms", forward_ms}, {"backward_ms", backward_ms}, {"share", (forward_ms + backward_ms) / step_ms}});
  }
  print({{"mode", "layers"}, {"threads", num_threads()}, {"layer", "rest of the step"}, {"forward_ms", 0.0},
         {"backward_ms", step_ms - layers_ms}, {"share", (step_ms - layers_ms) / step_ms}});
}

void bench_infer(const std::string& config_path) {
  Config config = load_config(config_path);
  TrainingData data = load_training_data(config.data, config.input, config.training.seed);
  Sequential<float> net;
  build_network(config, net);
  Rng rng(config.training.seed);
  net.init_params(rng);
  const Context ctx{false, nullptr};
  const Tensor<float> test = data.test.inputs();
  const Shape sample = test.shape().without_batch();

  // Throughput: the first 5000 test images in batches of 1000.
  const int big = 1000, big_batches = 5;
  Tensor<float> batch(sample.with_batch(big));
  const double big_seconds = best_time(3, [&] {
    for (int b = 0; b < big_batches; ++b) {
      std::copy_n(test.data() + b * batch.numel(), batch.numel(), batch.data());
      net.forward(batch, ctx);
    }
  });
  // Latency: 2000 images one at a time.
  const int singles = 2000;
  Tensor<float> one(sample.with_batch(1));
  const double single_seconds = best_time(3, [&] {
    for (int n = 0; n < singles; ++n) {
      std::copy_n(test.data() + n * one.numel(), one.numel(), one.data());
      net.forward(one, ctx);
    }
  });
  print({{"mode", "infer"}, {"threads", num_threads()},
         {"batch1000_images_per_s", big * big_batches / big_seconds},
         {"batch1_latency_us", single_seconds / singles * 1e6}});
}

// The conv2d shapes of issue 4: N, C, H, W, OC, K, stride, pad.
struct ConvCase {
  int n, c, h, w, oc, k, stride, pad;
};
const ConvCase kConvCases[] = {{64, 1, 28, 28, 20, 5, 1, 0},   {64, 20, 12, 12, 50, 5, 1, 0},
                               {64, 3, 32, 32, 32, 3, 1, 1},   {64, 32, 16, 16, 64, 3, 1, 1},
                               {32, 64, 56, 56, 64, 3, 1, 1},  {16, 128, 28, 28, 128, 3, 1, 1},
                               {64, 3, 32, 32, 16, 3, 2, 1}};

const char* algorithm_name(ConvAlgorithm a) {
  return a == ConvAlgorithm::Winograd ? "winograd" : a == ConvAlgorithm::Direct ? "direct" : "im2col";
}

void fill_uniform(Tensor<float>& t, Rng& rng) {
  for (float& v : t) v = static_cast<float>(rng.uniform(-1.0, 1.0));
}

// Every shape, or only shape number `only` (from 1) when it is positive, by the given algorithm.
void bench_conv(int repeats, int only, ConvAlgorithm algorithm) {
  Rng rng(1);
  for (int index = 1; const ConvCase& cc : kConvCases) {
    if (only > 0 && index++ != only) continue;
    Conv2dOptions options;
    options.out_channels = cc.oc;
    options.kernel_h = options.kernel_w = cc.k;
    options.stride_h = options.stride_w = cc.stride;
    options.pad_h = options.pad_w = cc.pad;
    options.algorithm = algorithm;
    Conv2d<float> conv(options);
    conv.name = "conv";
    conv.setup(Shape{cc.c, cc.h, cc.w});
    conv.init_params(rng);
    Tensor<float> x(Shape{cc.n, cc.c, cc.h, cc.w}), y, dx(x.shape());
    fill_uniform(x, rng);
    const Context ctx{true, &rng};
    conv.forward(x, y, ctx);  // warm-up: sizes the workspaces
    Tensor<float> dy(y.shape());
    fill_uniform(dy, rng);
    conv.backward(x, y, dy, dx);

    // The same GEMMs on their own, group by group as Conv2d issues them: M, N, K of forward, dW and dcols.
    const ConvGeometry& g = conv.geometry();
    const int OC = cc.oc, R = g.col_rows(), group = conv.group_size();
    const int64_t most_columns = int64_t{group} * g.col_cols();
    std::vector<Tensor<float>> a(num_threads(), Tensor<float>(Shape{std::max(OC, R), std::max(most_columns, int64_t{R})}));
    std::vector<Tensor<float>> b = a, c = a;
    for (int t = 0; t < num_threads(); ++t) fill_uniform(a[t], rng), fill_uniform(b[t], rng);
    auto gemms = [&](bool forward) {
      parallel_for(cc.n, [&](const Block& block) {
        const int t = block.thread;
        for (int64_t first = block.begin; first < block.end; first += group) {
          const int N = static_cast<int>(std::min<int64_t>(group, block.end - first)) * g.col_cols();
          if (forward) {
            gemm(Trans::No, Trans::No, OC, N, R, 1.0f, a[t].data(), b[t].data(), 0.0f, c[t].data());
          } else {
            gemm(Trans::No, Trans::Yes, OC, R, N, 1.0f, a[t].data(), b[t].data(), 1.0f, c[t].data());
            gemm(Trans::Yes, Trans::No, R, N, OC, 1.0f, a[t].data(), b[t].data(), 0.0f, c[t].data());
          }
        }
      }, group);
    };
    const std::vector<double> seconds = best_times(repeats, {[&] { conv.forward(x, y, ctx); },
                                                             [&] { conv.backward(x, y, dy, dx); },
                                                             [&] { gemms(true); }, [&] { gemms(false); }});
    const double forward_s = seconds[0], backward_s = seconds[1], sgemm_forward_s = seconds[2],
                 sgemm_backward_s = seconds[3];

    const double flops = 2.0 * cc.n * OC * g.col_cols() * R;  // one multiply-add per weight per output pixel
    // Efficiency: the conv's rate over the sgemm's, both timed here, taking turns (a ratio of one run's
    // figures, steadier than a ratio of figures from runs minutes apart).
    print({{"mode", "conv"}, {"threads", num_threads()},
           {"shape", {cc.n, cc.c, cc.h, cc.w, cc.oc, cc.k, cc.stride, cc.pad}},
           {"algorithm", algorithm_name(conv.algorithm())},
           {"forward_gflops", flops / forward_s * 1e-9}, {"backward_gflops", 2 * flops / backward_s * 1e-9},
           {"total_gflops", 3 * flops / (forward_s + backward_s) * 1e-9},
           {"sgemm_forward_gflops", flops / sgemm_forward_s * 1e-9},
           {"sgemm_backward_gflops", 2 * flops / sgemm_backward_s * 1e-9},
           {"sgemm_total_gflops", 3 * flops / (sgemm_forward_s + sgemm_backward_s) * 1e-9},
           {"efficiency", (sgemm_forward_s + sgemm_backward_s) / (forward_s + backward_s)}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minicnn's half of the speed benchmark (see bench/run_speed_bench.sh)"};
  app.require_subcommand(1);
  int threads = 1, batch = 64, repeats = 5, only_case = 0, turn_images = 1024;
  int64_t images = 12800;
  std::string config_path;
  CLI::App* train = app.add_subcommand("train", "training throughput and peak memory");
  CLI::App* infer = app.add_subcommand("infer", "inference throughput and latency");
  CLI::App* conv = app.add_subcommand("conv", "conv2d forward and backward per shape");
  CLI::App* layers = app.add_subcommand("layers", "where a training step's time goes, per layer");
  CLI::App* scaling = app.add_subcommand("scaling", "training throughput at 1 thread and at --threads, taking turns");
  for (CLI::App* mode : {train, infer, conv, layers, scaling}) mode->add_option("--threads", threads);
  for (CLI::App* mode : {train, infer, layers, scaling}) mode->add_option("config", config_path)->required();
  for (CLI::App* mode : {train, layers, scaling}) {
    mode->add_option("--batch", batch);
    mode->add_option("--images", images);
  }
  scaling->add_option("--turn", turn_images, "images a turn at each thread count (at least one batch)");
  conv->add_option("--repeats", repeats);
  conv->add_option("--case", only_case, "only this shape (1-7)");
  ConvAlgorithm algorithm = ConvAlgorithm::Auto;
  conv->add_option("--algorithm", algorithm, "auto, im2col, winograd or direct")
      ->transform(CLI::CheckedTransformer(std::map<std::string, ConvAlgorithm>{
          {"auto", ConvAlgorithm::Auto}, {"im2col", ConvAlgorithm::Im2col},
          {"winograd", ConvAlgorithm::Winograd}, {"direct", ConvAlgorithm::Direct}}));
  CLI11_PARSE(app, argc, argv);
  try {
    set_num_threads(threads);
    if (*train) bench_train(config_path, batch, images);
    if (*infer) bench_infer(config_path);
    if (*conv) bench_conv(repeats, only_case, algorithm);
    if (*layers) bench_layers(config_path, batch, images);
    if (*scaling) bench_scaling(config_path, threads, batch, images, turn_images);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "speed_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
