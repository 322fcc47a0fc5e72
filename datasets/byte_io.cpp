#include "datasets/byte_io.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace minicnn {
namespace {

// zlib counts bytes in 32-bit unsigned ints, so larger requests are served in pieces of this size.
constexpr size_t kMaxZlibPiece = size_t{1} << 30;

std::string system_error() { return std::strerror(errno); }

}  // namespace

bool is_gzip_name(const std::string& path) { return path.ends_with(".gz"); }

struct ByteReader::Inflater {
  z_stream stream{};
  std::vector<uint8_t> input = std::vector<uint8_t>(size_t{1} << 18);  // compressed bytes read ahead
  bool member_ended = false;    // the current gzip member is complete and its CRC-32 and length checked
  bool any_member_ended = false;

  ~Inflater() { inflateEnd(&stream); }
};

ByteReader::ByteReader(std::string path) : path_(std::move(path)), file_(open_for_reading(path_).file) {
  if (is_gzip_name(path_)) {
    inflater_ = std::make_unique<Inflater>();
    // Window bits 15 + 16: accept only a gzip wrapper (no zlib header, no raw deflate), largest window.
    if (inflateInit2(&inflater_->stream, 15 + 16) != Z_OK) fail("zlib cannot start inflating");
  }
}

ByteReader::~ByteReader() = default;

void ByteReader::fail(const std::string& what) const { throw Error(path_ + ": " + what); }

size_t ByteReader::read(std::span<uint8_t> out) {
  if (out.empty()) return 0;  // its data() may be null, which fread must not be given
  if (inflater_) return read_gzip(out);
  const size_t got = std::fread(out.data(), 1, out.size(), file_.get());
  if (got < out.size() && std::ferror(file_.get())) fail("read error: " + system_error());
  return got;
}

size_t ByteReader::read_gzip(std::span<uint8_t> out) {
  Inflater& in = *inflater_;
  z_stream& stream = in.stream;
  size_t produced = 0;
  while (produced < out.size()) {
    if (stream.avail_in == 0) {
      const size_t got = std::fread(in.input.data(), 1, in.input.size(), file_.get());
      if (got == 0) {
        if (std::ferror(file_.get())) fail("read error: " + system_error());
        if (in.member_ended) break;  // the clean end of the data
        fail(stream.total_in == 0 && !in.any_member_ended ? "the file is empty, not gzip data"
                                                          : "the gzip data is truncated (the file ends mid-stream)");
      }
      stream.next_in = in.input.data();
      stream.avail_in = static_cast<uInt>(got);
    }
    if (in.member_ended) {
      // Bytes after a complete gzip member: by the gzip format another member follows (as `cat a.gz b.gz`).
      inflateReset(&stream);
      in.member_ended = false;
    }
    const size_t piece = std::min(out.size() - produced, kMaxZlibPiece);
    stream.next_out = out.data() + produced;
    stream.avail_out = static_cast<uInt>(piece);
    const int status = inflate(&stream, Z_NO_FLUSH);
    produced += piece - stream.avail_out;
    if (status == Z_STREAM_END) {
      in.member_ended = in.any_member_ended = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {  // Z_BUF_ERROR only asks for more input
      const std::string reason = stream.msg ? stream.msg : "zlib error " + std::to_string(status);
      fail(in.any_member_ended ? "unexpected bytes after the end of the gzip data (" + reason + ")"
                               : "not valid gzip data (" + reason + ")");
    }
  }
  return produced;
}

void write_bytes(const std::string& path, std::span<const uint8_t> bytes) {
  const auto fail = [&](const std::string& what) { throw Error(path + ": cannot write: " + what); };
  if (is_gzip_name(path)) {
    gzFile file = gzopen(path.c_str(), "wb");
    if (file == nullptr) fail(system_error());
    for (size_t done = 0; done < bytes.size();) {
      const size_t piece = std::min(bytes.size() - done, kMaxZlibPiece);
      if (gzwrite(file, bytes.data() + done, static_cast<unsigned>(piece)) != static_cast<int>(piece)) {
        gzclose(file);
        fail("gzip write failed");
      }
      done += piece;
    }
    if (gzclose(file) != Z_OK) fail("gzip close failed");
    return;
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) fail(system_error());
  // (An empty span may hold a null pointer, which fwrite must not be given.)
  const bool written = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  if (std::fclose(file) != 0 || !written) fail(system_error());
}

}  // namespace minicnn
