#pragma once
// The model summary, like Keras' model.summary(): for each layer its output shape, its parameter count, its
// multiply-adds for one sample, and its receptive field (how many input pixels one output pixel sees).
#include <cstdint>
#include <string>
#include <vector>

#include "models/sequential.hpp"

namespace minicnn {

struct LayerSummary {
  std::string name, kind;
  Shape output;
  int64_t params = 0;
  int64_t multiply_adds = 0;
  // Receptive field on the input image and the distance between neighbouring outputs there (the jump), or
  // 0 once a flatten or linear layer mixes every pixel.
  int64_t field_h = 1, field_w = 1, jump_h = 1, jump_w = 1;
};

std::vector<LayerSummary> summarize(Sequential<float>& net);
// The table, aligned, with totals at the bottom.
std::string format_summary(Sequential<float>& net);
// 1234567 -> "1,234,567"
std::string with_commas(int64_t n);

}  // namespace minicnn
