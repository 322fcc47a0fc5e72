// minicnn filter: an image with a known edge goes through the command, and the PNG that comes out has the
// values the kernels and the documented mapping to 0-255 give.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "core/image.hpp"

using namespace minicnn;

namespace {

int run_minicnn(const std::string& arguments, std::string* errors = nullptr) {
  const std::string command = std::string(MINICNN_BINARY) + " " + arguments + " > test_cmd_filter.log 2>&1";
  const int status = std::system(command.c_str());
  if (errors != nullptr) {
    std::ifstream log("test_cmd_filter.log");
    *errors = std::string(std::istreambuf_iterator<char>(log), {});
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A 12 x 10 gray image: 40 on the left half (x < 5), 100 on the right.
Image step_image(int channels) {
  Image image{10, 12, channels, {}};
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 10; ++x)
      for (int c = 0; c < channels; ++c) image.pixels.push_back(static_cast<uint8_t>(x < 5 ? 40 : 100 + 10 * c));
  return image;
}

uint8_t pixel(const Image& image, int x, int y, int c = 0) {
  return image.pixels[(static_cast<size_t>(y) * image.width + x) * image.channels + c];
}

}  // namespace

TEST_CASE("sobel_x finds the vertical edge; the mapping rules give the documented values") {
  save_png("filter_step.png", step_image(1));
  // Inside the image (wrap keeps the left and right borders apart from the step only at x = 0 / 9).
  REQUIRE(run_minicnn("filter filter_step.png --kernel sobel_x --boundary symm --out filter_out.png") == 0);
  Image out = load_image("filter_out.png", 0);
  REQUIRE(out.width == 10);
  REQUIRE(out.height == 12);
  // Convolving with sobel_x gives (left - right)·4 around the step: (40 - 100)·4 = -240, mapped by abs
  // (the kernel sums to 0) to 240; flat regions give 0.
  CHECK(pixel(out, 4, 6) == 240);
  CHECK(pixel(out, 5, 6) == 240);
  CHECK(pixel(out, 2, 6) == 0);
  CHECK(pixel(out, 8, 6) == 0);
  REQUIRE(run_minicnn("filter filter_step.png --kernel sobel_x --boundary symm --map offset --out filter_out.png") == 0);
  out = load_image("filter_out.png", 0);
  CHECK(pixel(out, 4, 6) == 8);    // 128 - 240/2
  CHECK(pixel(out, 2, 6) == 128);  // zero
  REQUIRE(run_minicnn("filter filter_step.png --kernel sobel_x --op correlate --boundary symm --map offset "
                  "--out filter_out.png") == 0);
  out = load_image("filter_out.png", 0);
  CHECK(pixel(out, 4, 6) == 248);  // 128 + 240/2: correlation does not flip, so the sign turns
  REQUIRE(run_minicnn("filter filter_step.png --kernel sobel_y --magnitude --boundary symm --out filter_out.png") == 0);
  out = load_image("filter_out.png", 0);
  CHECK(pixel(out, 4, 6) == 240);  // sqrt(0² + 240²)
  // A box blur averages: at x = 4 the 3x3 window sees two columns of 40 and one of 100.
  REQUIRE(run_minicnn("filter filter_step.png --kernel box --boundary symm --out filter_out.png") == 0);
  out = load_image("filter_out.png", 0);
  CHECK(pixel(out, 4, 6) == 60);
  CHECK(pixel(out, 2, 6) == 40);
  // 'valid' shrinks by the kernel size minus one.
  REQUIRE(run_minicnn("filter filter_step.png --kernel box:5 --mode valid --out filter_out.png") == 0);
  out = load_image("filter_out.png", 0);
  CHECK(out.width == 6);
  CHECK(out.height == 8);
}

TEST_CASE("RGB is filtered channel by channel; --gray makes one channel") {
  save_png("filter_rgb.png", step_image(3));
  REQUIRE(run_minicnn("filter filter_rgb.png --kernel sobel_x --boundary wrap --out filter_out.png") == 0);
  Image out = load_image("filter_out.png", 0);
  REQUIRE(out.channels == 3);
  CHECK(pixel(out, 4, 6, 0) == 240);  // (100 - 40)·4
  CHECK(pixel(out, 4, 6, 1) == 255);  // (110 - 40)·4 = 280, cut to 255
  CHECK(pixel(out, 0, 6, 2) == 255);  // wrap: the left border sees the right half
  REQUIRE(run_minicnn("filter filter_rgb.png --gray --kernel box --out filter_out.png") == 0);
  CHECK(load_image("filter_out.png", 0).channels == 1);
}

TEST_CASE("minicnn filter: bad input is a one-line error and exit status 2") {
  std::string errors;
  save_png("filter_step.png", step_image(1));
  CHECK(run_minicnn("filter missing.png --kernel box --out filter_out.png", &errors) == 2);
  CHECK(errors == "minicnn: error: missing.png: cannot open: No such file or directory\n");
  CHECK(run_minicnn("filter filter_step.png --kernel sobel --out filter_out.png", &errors) == 2);
  CHECK(errors.find("unknown kernel 'sobel'") != std::string::npos);
  CHECK(run_minicnn("filter filter_step.png --kernel box:11 --mode valid --out filter_out.png", &errors) == 2);
  CHECK(errors.find("at least as large as the other") != std::string::npos);  // 11x11 vs 12x10
  CHECK(run_minicnn("filter filter_step.png --kernel box --map sideways --out filter_out.png") == 2);
  std::ofstream("filter_text.png") << "text";
  CHECK(run_minicnn("filter filter_text.png --kernel box --out filter_out.png", &errors) == 2);
  CHECK(errors.find("filter_text.png: not an image") != std::string::npos);
  for (const char* path : {"filter_step.png", "filter_rgb.png", "filter_out.png", "filter_text.png", "test_cmd_filter.log"})
    std::remove(path);
}
