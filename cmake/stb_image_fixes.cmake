# stb_image 2.27, Debian 12's libstb-dev, has memory errors and undefined behaviour that fuzz_image found,
# most of which stb_image 2.28 fixed. Until Debian ships it, minicnn compiles the decoder
# (core/stb_image_impl.cpp) from a copy of Debian's header with those fixes added, written to
# ${CMAKE_BINARY_DIR}/patched/stb/stb_image.h; the library puts that directory first on its include path.
# Each fix replaces one exact piece of 2.27; a header where a piece is missing (another stb version) stops
# the configuration, so that a fix is never silently dropped. Each fix has its input under
# tests/fuzz/regressions/image/.

file(READ "${STB_INCLUDE_DIRS}/stb_image.h" stb_image)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${STB_INCLUDE_DIRS}/stb_image.h")

function(stb_image_fix name old new)
  string(FIND "${stb_image}" "${old}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${STB_INCLUDE_DIRS}/stb_image.h is not the stb_image 2.27 that the fix '${name}' "
                        "(cmake/stb_image_fixes.cmake) applies to")
  endif()
  string(REPLACE "${old}" "${new}" patched "${stb_image}")
  set(stb_image "${patched}" PARENT_SCOPE)
endfunction()

# A JPEG Huffman table whose 16 code counts add up to more than the 256 symbols it holds is written past its
# end (CVE-2021-37789).
stb_image_fix("JPEG Huffman table size"
  "               n += sizes[i];\n            }\n            L -= 17;"
  "               n += sizes[i];\n            }\n            if (n > 256) return stbi__err(\"bad DHT header\",\"Corrupt JPEG\");\n            L -= 17;")

# A 16-bit PNM converted to another channel count goes through the 8-bit converter, and is then read as
# 16-bit values past the end of its buffer; a PNM cut short leaves its pixels uninitialized.
stb_image_fix("PNM 16-bit channel conversion and truncation"
  "   stbi__getn(s, out, s->img_n * s->img_x * s->img_y * (ri->bits_per_channel / 8));

   if (req_comp && req_comp != s->img_n) {
      out = stbi__convert_format(out, s->img_n, req_comp, s->img_x, s->img_y);"
  "   if (!stbi__getn(s, out, s->img_n * s->img_x * s->img_y * (ri->bits_per_channel / 8))) {
      STBI_FREE(out);
      return stbi__errpuc(\"bad PNM\", \"PNM file truncated\");
   }

   if (req_comp && req_comp != s->img_n) {
      if (ri->bits_per_channel == 16)
         out = (stbi_uc *) stbi__convert_format16((stbi__uint16 *) out, s->img_n, req_comp, s->img_x, s->img_y);
      else
         out = stbi__convert_format(out, s->img_n, req_comp, s->img_x, s->img_y);")

# A PNM header number of more than 2^31 overflows an int (undefined behaviour).
stb_image_fix("PNM header number overflow"
  "      value = value*10 + (*c - '0');
      *c = (char) stbi__get8(s);
   }"
  "      value = value*10 + (*c - '0');
      *c = (char) stbi__get8(s);
      if((value > 214748364) || (value == 214748364 && *c > '7'))
          return stbi__err(\"integer parse overflow\", \"Parsing an integer in the PPM header overflowed a 32-bit int\");
   }")

# A PNG whose first IDAT chunk is empty copies 0 bytes to a null buffer: memcpy with a null pointer is
# undefined behaviour even for 0 bytes (harmless in practice; still so in stb 2.30, so this fix is ours).
stb_image_fix("copying 0 bytes to a null buffer"
  "   if (s->img_buffer+n <= s->img_buffer_end) {
      memcpy(buffer, s->img_buffer, n);"
  "   if (s->img_buffer+n <= s->img_buffer_end) {
      if (n > 0) memcpy(buffer, s->img_buffer, n);")

file(WRITE "${CMAKE_BINARY_DIR}/patched/stb_image.h.new" "${stb_image}")
configure_file("${CMAKE_BINARY_DIR}/patched/stb_image.h.new" "${CMAKE_BINARY_DIR}/patched/stb/stb_image.h" COPYONLY)
