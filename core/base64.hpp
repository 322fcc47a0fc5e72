#pragma once
// Base64 (RFC 4648, the standard alphabet with '=' padding): how binary data, a PNG for instance, travels
// inside text, as in an HTML data: URI.
#include <string>
#include <string_view>

namespace minicnn {

// Every 3 bytes become 4 characters of A-Z a-z 0-9 + /; the last group is padded with '='.
std::string base64_encode(std::string_view bytes);

}  // namespace minicnn
