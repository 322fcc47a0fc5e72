#include "core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"

namespace minicnn {
namespace {

std::string reason() { return std::strerror(errno); }

// write() until every byte is out; false (errno set) on failure.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

OpenedFile open_for_reading(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); it changes nothing for the
  // reads of a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + reason());
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file" + (S_ISDIR(info.st_mode) ? " (it is a directory)" : ""));
  }
  OpenedFile opened{UniqueFile(::fdopen(fd, "rb")), static_cast<uint64_t>(info.st_size)};
  if (!opened.file) {
    ::close(fd);
    throw Error(path + ": cannot open: " + reason());
  }
  return opened;
}

std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
  OpenedFile opened = open_for_reading(path);
  if (opened.size > max_bytes)
    throw Error(path + ": " + std::to_string(opened.size) + " bytes, more than the " + std::to_string(max_bytes) +
                " a " + what + " may have");
  std::string bytes(static_cast<size_t>(opened.size), '\0');
  // A file that shrank since it was opened gives what it still holds; one that grew is read to its old size.
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), opened.file.get()));
  if (std::ferror(opened.file.get())) throw Error(path + ": cannot read: " + reason());
  return bytes;
}

void write_file_atomically(const std::string& path, std::string_view bytes, const std::string& unchanged_note) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const std::string note = " (" + unchanged_note + ")";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(path + ": cannot create " + temp + ": " + reason() + note);
  const char* failed = nullptr;  // the first step that failed, and its errno
  int error = 0;
  if (!write_all(fd, bytes)) failed = "cannot write";
  else if (::fsync(fd) != 0) failed = "cannot flush";
  if (failed != nullptr) error = errno;
  if (::close(fd) != 0 && failed == nullptr) {
    failed = "cannot close";
    error = errno;
  }
  if (failed != nullptr) {
    ::unlink(temp.c_str());
    throw SystemFailure(path + ": " + failed + " " + temp + ": " + std::strerror(error) + note);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    error = errno;
    ::unlink(temp.c_str());
    throw Error(path + ": cannot rename " + temp + " to it: " + std::strerror(error) + note);
  }
  const std::string directory = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const std::string message = path + ": written, but its directory cannot be flushed: " + reason();
    if (dir_fd >= 0) ::close(dir_fd);
    throw SystemFailure(message);
  }
  ::close(dir_fd);
}

}  // namespace minicnn
