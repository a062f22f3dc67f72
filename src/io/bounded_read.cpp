#include "io/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

// Closes the descriptor on every path out, exceptions included.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void TooLarge(const std::string& what, const std::string& path, uint64_t max_bytes) {
  throw UsageError(fmt::format("{}: '{}' is larger than {}, the limit for this input", what, path,
                               FormatByteLimit(max_bytes)));
}

}  // namespace

std::string FormatByteLimit(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0) {
    return fmt::format("{} GiB", bytes >> 30);
  }
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  if (bytes >= (uint64_t{1} << 10) && bytes % (uint64_t{1} << 10) == 0) {
    return fmt::format("{} KiB", bytes >> 10);
  }
  return fmt::format("{} bytes", bytes);
}

std::string StripUtf8Bom(std::string text) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  return text;
}

std::string ReadFileLimited(const std::string& path, uint64_t max_bytes, const std::string& what) {
  if (path.empty()) throw UsageError(fmt::format("{}: the file name is empty", what));
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    throw UsageError(fmt::format("{}: cannot read '{}': {}", what, path, std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    throw UsageError(fmt::format("{}: cannot read '{}': it is a folder", what, path));
  }
  if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode)) {
    throw UsageError(fmt::format(
        "{}: cannot read '{}': it is a device, not a file (give a file, a pipe or a FIFO)", what,
        path));
  }
  const bool regular = S_ISREG(info.st_mode);
  if (regular && static_cast<uint64_t>(info.st_size) > max_bytes) TooLarge(what, path, max_bytes);
  const FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    throw UsageError(fmt::format("{}: cannot read '{}': {}", what, path, std::strerror(errno)));
  }
  std::string text;
  if (regular) text.reserve(static_cast<size_t>(info.st_size));
  // At most max_bytes + 1 bytes: the extra one tells "exactly at the limit"
  // from "over it" for streams, and for a regular file that grew meanwhile.
  const uint64_t budget = max_bytes + 1;
  char buffer[1 << 16];
  while (text.size() < budget) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(sizeof buffer, budget - text.size()));
    const ssize_t got = read(fd.get(), buffer, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw UsageError(fmt::format("{}: cannot read '{}': {}", what, path, std::strerror(errno)));
    }
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  if (text.size() > max_bytes) TooLarge(what, path, max_bytes);
  return StripUtf8Bom(std::move(text));
}

}  // namespace gradflow
