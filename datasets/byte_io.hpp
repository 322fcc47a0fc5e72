#pragma once
// Reading and writing a file's bytes, plain or gzip-compressed: a name ending in ".gz" means gzip, any other
// name means plain bytes. The reader hands the bytes out in pieces of the caller's choosing, so that a caller
// which does not trust a header can see what the file really holds before allocating for what the header
// claims. zlib is used only behind this door.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "core/file_io.hpp"

namespace minicnn {

bool is_gzip_name(const std::string& path);

class ByteReader {
 public:
  // Throws Error naming the file when it cannot be opened or is not a regular file (core/file_io.hpp).
  explicit ByteReader(std::string path);
  ~ByteReader();
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;

  // Fills `out` with the next (decompressed) bytes and returns how many it got: fewer than out.size() only
  // when the data has ended. Throws Error naming the file on a read error or corrupt or truncated gzip data.
  size_t read(std::span<uint8_t> out);
  const std::string& path() const { return path_; }

 private:
  size_t read_gzip(std::span<uint8_t> out);
  [[noreturn]] void fail(const std::string& what) const;

  struct Inflater;  // zlib's stream state, kept out of this header

  std::string path_;
  UniqueFile file_;
  std::unique_ptr<Inflater> inflater_;  // null for a plain file
};

// Writes `bytes` to `path`, gzip-compressed when the name ends in ".gz". Throws Error naming the file.
void write_bytes(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace minicnn
