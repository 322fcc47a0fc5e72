#pragma once
// The training report: one self-contained HTML page (inline CSS and SVG, images as base64 data: URIs, a few
// lines of inline script for the epoch slider; nothing fetched from anywhere) with
//   - loss and accuracy curves for training (and validation) and test, and the learning rate, per epoch
//   - the first convolution's filters after each recorded epoch, with a slider, beside their gradients,
//     and the nearest classical kernel of each (nearest_kernel.hpp)
//   - the test set's confusion matrix as a heat map
//   - the test images the network got wrong most confidently, with true and predicted classes
//   - the model summary table
// Errors on the page (a script, an image that does not decode) are recorded on <html data-error="...">,
// and <html data-ready="1"> is set once the page has loaded: tests/browser/check_report.sh reads both.
#include <string>
#include <vector>

#include "core/shape.hpp"
#include "inspect/nearest_kernel.hpp"
#include "models/summary.hpp"
#include "models/training_run.hpp"

namespace minicnn {

// The filters after one epoch (0: as initialized), as PNG bytes.
struct ReportFrame {
  int epoch = 0;
  std::string weights_png, gradient_png;  // gradient_png may be empty
};

struct ReportMistake {
  std::string png;  // the image as the network saw it
  std::string label, predicted;
  double confidence = 0.0;
  int64_t index = 0;  // in the test set
};

struct Report {
  std::string run_dir, description;
  std::string status;       // "training: 3 of 10 epochs done", "finished", ...
  int refresh_seconds = 0;  // > 0: the page reloads itself that often (while the run trains)
  std::vector<EpochReport> epochs;

  std::string filter_layer;
  double filter_scale = 0.0;  // the |w| drawn white in every frame
  std::vector<ReportFrame> frames;
  std::vector<KernelMatch> kernels;  // of the latest filters

  int tested_epoch = 0;  // the epoch the confusion matrix and mistakes are from; 0: none yet
  std::vector<std::string> class_names;
  std::vector<std::vector<int64_t>> confusion;
  std::vector<ReportMistake> mistakes;

  Shape input;
  std::vector<LayerSummary> layers;
};

std::string render_report(const Report& report);

}  // namespace minicnn
