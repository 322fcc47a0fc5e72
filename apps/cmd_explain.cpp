// minicnn explain conv2d | toeplitz: a convolution taken apart with small numbers, forward and backward
// (teach/explain_conv2d.hpp), and 1-D convolution as a Toeplitz matrix product (teach/explain_toeplitz.hpp).
#include <cstdio>
#include <memory>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "teach/explain_conv2d.hpp"
#include "teach/explain_toeplitz.hpp"

namespace minicnn {
namespace {

// "2" -> (2, 2), "2x1" -> (2, 1).
std::pair<int, int> parse_pair(const std::string& text, const std::string& what, int min = 1) {
  const Shape s = parse_shape_text(text, what, min);
  if (s.rank > 2) throw Error(what + ": expected N or HxW, got \"" + text + "\"");
  return {static_cast<int>(s[0]), static_cast<int>(s[s.rank - 1])};
}

}  // namespace

CommandRunner add_explain_command(CLI::App& app) {
  struct Options {
    std::string input = "1x4x4", kernel = "1x1x3x3", stride = "1", padding = "0", dilation = "1";
    std::string values = "small-ints", mode = "full";
    int signal = 5, kernel_length = 3, width = 80;
    uint64_t seed = 1;
    bool backward = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("explain", "Take a convolution apart step by step, with small numbers");
  cmd->require_subcommand(1);
  const auto values_check = CLI::IsMember({"small-ints", "random"});

  CLI::App* conv = cmd->add_subcommand(
      "conv2d", "A conv2d layer as im2col and GEMMs, forward (and backward), checked against the direct loops");
  conv->add_option("--input", options->input, "Input shape CxHxW (or HxW)")->capture_default_str();
  conv->add_option("--kernel", options->kernel, "Weight shape OCxCxKHxKW (or KHxKW)")->capture_default_str();
  conv->add_option("--stride", options->stride, "Stride, N or HxW")->capture_default_str();
  conv->add_option("--padding", options->padding, "Zero padding on each side, N or HxW")->capture_default_str();
  conv->add_option("--dilation", options->dilation, "Dilation, N or HxW")->capture_default_str();
  conv->add_option("--values", options->values, "small-ints (to follow by hand) or random")
      ->check(values_check)->capture_default_str();
  conv->add_option("--seed", options->seed, "Seed of the values")->capture_default_str();
  conv->add_flag("--backward", options->backward, "Also the backward pass: dY, three GEMMs, col2im, dx, dW, db");
  conv->add_option("--width", options->width, "Terminal width in columns (80 to 200)")
      ->check(CLI::Range(80, 200))->capture_default_str();

  CLI::App* toeplitz = cmd->add_subcommand(
      "toeplitz", "1-D convolution as a Toeplitz matrix product, and its backward as the transposed product");
  toeplitz->add_option("--signal", options->signal, "Signal length")->capture_default_str();
  toeplitz->add_option("--kernel", options->kernel_length, "Kernel length")->capture_default_str();
  toeplitz->add_option("--mode", options->mode, "full, same or valid")
      ->check(CLI::IsMember({"full", "same", "valid"}))->capture_default_str();
  toeplitz->add_option("--values", options->values, "small-ints (to follow by hand) or random")
      ->check(values_check)->capture_default_str();
  toeplitz->add_option("--seed", options->seed, "Seed of the values")->capture_default_str();
  toeplitz->add_option("--width", options->width, "Terminal width in columns (80 to 200)")
      ->check(CLI::Range(80, 200))->capture_default_str();

  return [options, conv] {
    const bool random = options->values == "random";
    if (conv->parsed()) {
      ExplainConv2dOptions o;
      o.input = parse_shape_text(options->input, "--input");
      o.kernel = parse_shape_text(options->kernel, "--kernel");
      std::tie(o.stride_h, o.stride_w) = parse_pair(options->stride, "--stride");
      std::tie(o.pad_h, o.pad_w) = parse_pair(options->padding, "--padding", 0);
      std::tie(o.dilation_h, o.dilation_w) = parse_pair(options->dilation, "--dilation");
      o.random_values = random;
      o.seed = options->seed;
      o.backward = options->backward;
      o.width = options->width;
      std::fputs(format_explanation(explain_conv2d(o)).c_str(), stdout);
      return 0;
    }
    ExplainToeplitzOptions o{.signal = options->signal, .kernel = options->kernel_length,
                             .mode = parse_mode(options->mode), .random_values = random, .seed = options->seed,
                             .width = options->width};
    std::fputs(format_explanation(explain_toeplitz(o)).c_str(), stdout);
    return 0;
  };
}

}  // namespace minicnn
