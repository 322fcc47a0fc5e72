#pragma once
// A generated two-class image problem for demos and tests: horizontal bars (class 0) versus vertical bars
// (class 1) at random positions and thicknesses, on a noisy background. Nothing to download.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "datasets/dataset.hpp"

namespace minicnn {

// `count` images of size x size pixels, classes "horizontal" and "vertical", inputs p/255 (no normalization).
Dataset make_bars(int count, int size, Rng& rng);

}  // namespace minicnn
