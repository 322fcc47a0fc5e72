// minicnn demo: trains a small conv net on generated horizontal-vs-vertical bars, in seconds, with nothing
// to download. The quickest way to see the whole machine run.
#include <cstdio>
#include <memory>

#include "apps/commands.hpp"
#include "core/parallel.hpp"
#include "datasets/synthetic.hpp"
#include "models/bars_network.hpp"
#include "models/trainer.hpp"

namespace minicnn {

CommandRunner add_demo_command(CLI::App& app) {
  struct Options {
    int epochs = 3;
    uint64_t seed = 1;
    int threads = 1;
  };
  auto options = std::make_shared<Options>();
  CLI::App* demo = app.add_subcommand("demo", "Train a small conv net on generated bar images (no data needed)");
  demo->add_option("--epochs", options->epochs, "Passes over the training images")->capture_default_str();
  demo->add_option("--seed", options->seed, "Seed of the random generator")->capture_default_str();
  demo->add_option("--threads", options->threads, "Threads to use")->capture_default_str()->check(CLI::PositiveNumber);
  return [options] {
    set_num_threads(options->threads);
    Rng rng(options->seed);
    const Dataset train = make_bars(2000, 12, rng), test = make_bars(500, 12, rng);
    Sequential<float> net;
    build_bars_network(net);
    net.init_params(rng);
    Sgd<float> sgd(net.params(), SgdOptions{.learning_rate = 0.05, .momentum = 0.9});
    BatchBuffers buffers;
    EpochStats tested;
    for (int epoch = 1; epoch <= options->epochs; ++epoch) {
      const EpochStats trained = train_epoch(net, sgd, train, 32, rng, buffers).stats;
      tested = evaluate(net, test, 100, buffers);
      std::printf("epoch %d  train loss %.4f  accuracy %.2f%%  test loss %.4f  accuracy %.2f%%\n", epoch,
                  trained.loss, 100 * trained.accuracy, tested.loss, 100 * tested.accuracy);
    }
    return 0;
  };
}

}  // namespace minicnn
