#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "base/error.h"

namespace gradflow {
namespace {

std::string FolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// An existing target that is not a regular file (/dev/null, a FIFO, a
// terminal) is written in place: renaming over it would replace the device.
bool IsSpecialFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode);
}

void WriteInPlace(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.flush();
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
}

}  // namespace

void CheckWritable(const std::string& option, const std::string& path) {
  if (path.empty() || path == "-") return;
  if (IsSpecialFile(path)) {
    if (access(path.c_str(), W_OK) != 0) {
      throw UsageError(option + ": '" + path + "' is not writable");
    }
    return;
  }
  const std::string folder = FolderOf(path);
  struct stat info;
  if (stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw UsageError(option + ": folder '" + folder + "' of '" + path + "' does not exist");
  }
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    throw UsageError(option + ": '" + path + "' is a folder, not a file");
  }
  // access(W_OK) says yes to root on folders it still cannot write (sysfs,
  // read-only mounts), so try: create and remove a temporary file there.
  std::string probe_name = path + ".tmp.XXXXXX";
  std::vector<char> probe(probe_name.begin(), probe_name.end());
  probe.push_back('\0');
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    throw UsageError(option + ": cannot write in folder '" + folder + "' of '" + path +
                     "': " + std::strerror(errno));
  }
  close(fd);
  std::remove(probe.data());
}

void WriteAtomically(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content << std::flush;
    return;
  }
  if (IsSpecialFile(path)) {
    WriteInPlace(path, content);
    return;
  }
  std::string temp_name = path + ".tmp.XXXXXX";
  std::vector<char> temp(temp_name.begin(), temp_name.end());
  temp.push_back('\0');
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    throw std::runtime_error("cannot create a temporary file beside '" + path +
                             "': " + std::strerror(errno));
  }
  // mkstemp makes the file 0600; outputs are ordinary files, so honour the umask.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  size_t written = 0;
  bool ok = true;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  const int saved_errno = errno;
  if (close(fd) != 0) ok = false;
  if (!ok || std::rename(temp.data(), path.c_str()) != 0) {
    const int error = ok ? errno : saved_errno;
    std::remove(temp.data());
    throw std::runtime_error("cannot write '" + path + "': " + std::strerror(error));
  }
}

}  // namespace gradflow
