#pragma once
// Opening, reading and replacing files without trusting them. Every reader of a file minicnn is given opens
// it here, so that a path that names something other than a regular file (a directory, a FIFO that would
// block waiting for a writer, /dev/zero that would never end) is refused by name before a byte is read, and
// the file's real length is known before anything is allocated for what its header claims.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace minicnn {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;

struct OpenedFile {
  UniqueFile file;
  uint64_t size = 0;  // the length in bytes when it was opened
};

// Opens a regular file for reading. Throws Error naming the file when it cannot be opened or is not a
// regular file; opening never blocks.
OpenedFile open_for_reading(const std::string& path);

// The whole file. A file longer than max_bytes is refused (naming `what` it should have been) before it is
// read.
std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what);

// Replaces path's contents with bytes so that, whenever the process dies, path holds either all of its old
// contents or all of the new: the bytes go to "<path>.tmp.<pid>" in the same directory, are flushed to disk,
// and that file is renamed over path (atomic in POSIX); then the directory is flushed so that the rename
// itself is on disk. On failure the temporary file is removed and path is unchanged: a temporary file that
// cannot be created, or a rename that is refused (path is a directory), throws Error; a write or flush that
// fails part way (a full disk) throws SystemFailure. Each message names path and ends with `unchanged_note`.
void write_file_atomically(const std::string& path, std::string_view bytes,
                           const std::string& unchanged_note = "the previous file is unchanged");

}  // namespace minicnn
