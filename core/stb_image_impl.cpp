// The stb_image and stb_image_write implementations, compiled here from Debian's libstb-dev headers instead
// of linked from its libstb, so that minicnn decides what the decoder accepts: only the formats it documents
// (PNG, JPEG, BMP, GIF, PNM, TGA; not PSD, HDR or PIC), and no side longer than kMaxImageSide, refused by
// stb's own header checks (STBI_MAX_DIMENSIONS) before it allocates. Compiling it with the rest also puts the
// decoder under the sanitizers and the fuzzers. <stb/stb_image.h> is the copy of Debian's with stb 2.28's
// fixes of memory errors added, made by cmake/stb_image_fixes.cmake. core/image.cpp is the only caller.
#include "core/image.hpp"

#define STBI_MAX_DIMENSIONS minicnn::kMaxImageSide
#define STBI_FAILURE_USERMSG  // stbi_failure_reason() gives "Corrupt PNG" rather than "outofdata"
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_ONLY_PNM
#define STBI_ONLY_TGA
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION

// Third-party code: its warnings are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop
