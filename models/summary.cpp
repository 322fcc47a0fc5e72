#include "models/summary.hpp"

#include <algorithm>
#include <cstdio>

#include "layers/conv2d.hpp"
#include "layers/linear.hpp"
#include "layers/pool2d.hpp"

namespace minicnn {
namespace {

// Past this many pixels (far beyond any input, at most 65536 wide) a receptive field and a jump stop
// growing, so that a thousand strided layers cannot overflow them.
constexpr int64_t kFieldCap = int64_t{1} << 32;

// A window of k taps, spaced d apart, moving by s: the receptive field grows by (k-1)·d input jumps and
// the jump between neighbouring outputs multiplies by s. (With (k-1)·d and s below 2^26, as the limits on
// configs and images make them, and both values at most 2^32, nothing below overflows.)
void grow(int64_t& field, int64_t& jump, int kernel, int dilation, int stride) {
  if (field == 0) return;
  field = std::min(kFieldCap, field + static_cast<int64_t>(kernel - 1) * dilation * jump);
  jump = std::min(kFieldCap, jump * stride);
}

}  // namespace

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

std::vector<LayerSummary> summarize(Sequential<float>& net) {
  std::vector<LayerSummary> rows;
  int64_t field_h = 1, field_w = 1, jump_h = 1, jump_w = 1;
  for (size_t i = 0; i < net.size(); ++i) {
    Layer<float>& layer = net.layer(i);
    LayerSummary row{layer.name, layer.kind(), net.output_shape(i)};
    for (Param<float>* p : layer.params()) row.params += p->value.numel();
    if (auto* conv = dynamic_cast<Conv2d<float>*>(&layer)) {
      const Conv2dOptions& o = conv->options();
      // One multiply-add per weight per output pixel.
      row.multiply_adds = conv->weight().value.numel() * row.output[1] * row.output[2];
      grow(field_h, jump_h, o.kernel_h, o.dilation_h, o.stride_h);
      grow(field_w, jump_w, o.kernel_w, o.dilation_w, o.stride_w);
    } else if (auto* pool = dynamic_cast<Pool2d<float>*>(&layer)) {
      const Pool2dOptions& o = pool->options();
      grow(field_h, jump_h, o.kernel_h, 1, o.stride_h);
      grow(field_w, jump_w, o.kernel_w, 1, o.stride_w);
    } else if (auto* linear = dynamic_cast<Linear<float>*>(&layer)) {
      row.multiply_adds = linear->weight().value.numel();
      field_h = field_w = 0;
    } else if (layer.kind() == "flatten") {
      field_h = field_w = 0;
    }
    row.field_h = field_h, row.field_w = field_w, row.jump_h = jump_h, row.jump_w = jump_w;
    rows.push_back(row);
  }
  return rows;
}

std::string format_summary(Sequential<float>& net) {
  const std::vector<LayerSummary> rows = summarize(net);
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %-15s %-14s %12s %15s %10s\n", "layer", "type", "output", "params",
                "multiply-adds", "receptive");
  text += line;
  text += std::string(87, '-') + "\n";
  std::snprintf(line, sizeof line, "%-16s %-15s %-14s %12s %15s %10s\n", "input", "", net.input_shape().str().c_str(),
                "", "", "1x1");
  text += line;
  int64_t params = 0, multiply_adds = 0;
  for (const LayerSummary& row : rows) {
    const std::string field = row.field_h == 0 ? "all" : std::to_string(row.field_h) + "x" + std::to_string(row.field_w);
    std::snprintf(line, sizeof line, "%-16s %-15s %-14s %12s %15s %10s\n", row.name.c_str(), row.kind.c_str(),
                  row.output.str().c_str(), with_commas(row.params).c_str(), with_commas(row.multiply_adds).c_str(),
                  field.c_str());
    text += line;
    params += row.params;
    multiply_adds += row.multiply_adds;
  }
  text += std::string(87, '-') + "\n";
  std::snprintf(line, sizeof line, "%-47s %12s %15s\n", "total (per image)", with_commas(params).c_str(),
                with_commas(multiply_adds).c_str());
  text += line;
  std::snprintf(line, sizeof line, "parameters: %s (%.2f MB as float32)\n", with_commas(params).c_str(),
                params * 4.0 / 1e6);
  text += line;
  return text;
}

}  // namespace minicnn
