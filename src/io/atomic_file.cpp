#include "io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "base/error.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

// umask(2) sets the mask as it reads it, process-wide, so it is read once here,
// during static initialisation, before main() can start any thread.
const mode_t kUmask = [] {
  const mode_t mask = umask(022);
  umask(mask);
  return mask;
}();

constexpr size_t kTempRandomChars = 6;  // mkstemp's XXXXXX

std::string FolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseNameOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// An existing target that is not a regular file (/dev/null, a FIFO, a
// terminal) is written in place: renaming over it would replace the device.
bool IsSpecialFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode);
}

// True when `path` is the file our stdout is (/dev/stdout, /proc/self/fd/1,
// or the file stdout is redirected to): written through std::cout, since
// replacing the file would lose what else goes to stdout.
bool IsStdout(const std::string& path) {
  struct stat file, out;
  return stat(path.c_str(), &file) == 0 && fstat(STDOUT_FILENO, &out) == 0 &&
         file.st_dev == out.st_dev && file.st_ino == out.st_ino;
}

void WriteInPlace(const std::string& path, const std::string& content) {
  errno = 0;
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.flush();
  if (!out) {
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path,
                                         errno != 0 ? std::strerror(errno) : "write failed"));
  }
}

bool WriteAll(int fd, const std::string& content) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

// Creates an empty temporary beside `target` (mode 0666 less the umask, as
// any output); returns its name and open descriptor, or throws.
std::pair<std::string, int> CreateTemp(const std::string& target, const std::string& shown) {
  std::string name = TempFilePrefix(target) + std::string(kTempRandomChars, 'X');
  const int fd = mkstemp(name.data());
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot create a temporary file beside '{}': {}", shown, std::strerror(errno)));
  }
  fchmod(fd, 0666 & ~kUmask);  // mkstemp makes the file 0600
  return {name, fd};
}

}  // namespace

std::string ResolveOutputPath(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {  // 40: Linux's own limit on links followed
    struct stat info;
    if (lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    char target[PATH_MAX];
    const ssize_t n = readlink(current.c_str(), target, sizeof(target) - 1);
    if (n < 0) return current;
    const std::string link(target, static_cast<size_t>(n));
    current = !link.empty() && link[0] == '/' ? link : FolderOf(current) + "/" + link;
  }
  return current;
}

std::string TempFilePrefix(const std::string& path) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a of the file name
  for (unsigned char c : BaseNameOf(path)) hash = (hash ^ c) * 1099511628211ull;
  return fmt::format("{}/.gf.{:016x}.", FolderOf(path), hash);
}

int RemoveStaleTemps(const std::string& path) {
  if (path.empty() || path == "-") return 0;
  const std::string target = ResolveOutputPath(path);
  const std::string folder = FolderOf(target);
  const std::string ours = BaseNameOf(TempFilePrefix(target));
  const std::string older = BaseNameOf(target) + ".tmp.";
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return 0;
  int removed = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    for (const std::string& prefix : {ours, older}) {
      if (name.size() == prefix.size() + kTempRandomChars && name.rfind(prefix, 0) == 0 &&
          std::remove((folder + "/" + name).c_str()) == 0) {
        ++removed;
      }
    }
  }
  closedir(dir);
  return removed;
}

void CheckWritable(const std::string& option, const std::string& path) {
  if (path.empty() || path == "-") return;
  if (IsSpecialFile(path) || IsStdout(path)) {
    if (access(path.c_str(), W_OK) != 0) {
      throw UsageError(option + ": '" + path + "' is not writable");
    }
    return;
  }
  const std::string target = ResolveOutputPath(path);
  const std::string folder = FolderOf(target);
  struct stat info;
  if (stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw UsageError(option + ": folder '" + folder + "' of '" + path + "' does not exist");
  }
  if (stat(target.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    throw UsageError(option + ": '" + path + "' is a folder, not a file");
  }
  // access(W_OK) says yes to root on folders it still cannot write (sysfs,
  // read-only mounts), so try: create and remove a temporary file there.
  std::string probe = TempFilePrefix(target) + std::string(kTempRandomChars, 'X');
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    throw UsageError(option + ": cannot write in folder '" + folder + "' of '" + path +
                     "': " + std::strerror(errno));
  }
  close(fd);
  std::remove(probe.c_str());
}

void FlushStdout() {
  std::cout.flush();
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
  if (failed) {
    const int error = errno;
    throw std::runtime_error(std::string("error writing to stdout: ") +
                             (error != 0 ? std::strerror(error) : "write failed"));
  }
}

AtomicWriteSet::~AtomicWriteSet() {
  for (const Pending& p : pending_) {
    if (!p.temp.empty()) std::remove(p.temp.c_str());
  }
}

void AtomicWriteSet::Add(const std::string& path, const std::string& content) {
  if (path == "-" || IsStdout(path)) {
    pending_.push_back({"-", "-", "", content});
    return;
  }
  if (IsSpecialFile(path)) {  // resolved by the kernel as it opens it
    pending_.push_back({path, path, "", content});
    return;
  }
  Pending p{path, ResolveOutputPath(path), "", ""};
  const auto [temp, fd] = CreateTemp(p.target, path);
  p.temp = temp;
  pending_.push_back(p);  // from here on the destructor removes the temporary
  bool ok = WriteAll(fd, content);
  const int error = errno;
  if (close(fd) != 0 && ok) ok = false;
  if (!ok) {
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(error)));
  }
}

void AtomicWriteSet::Commit() {
  // What cannot be renamed first: a full disk or closed pipe stops the set
  // before any file is replaced.
  for (const Pending& p : pending_) {
    if (p.path == "-") {
      std::cout << p.content;
      FlushStdout();
    } else if (p.temp.empty()) {
      WriteInPlace(p.target, p.content);
    }
  }
  for (Pending& p : pending_) {
    if (p.temp.empty()) continue;
    if (std::rename(p.temp.c_str(), p.target.c_str()) != 0) {
      throw std::runtime_error(fmt::format("cannot write '{}': {}", p.path, std::strerror(errno)));
    }
    p.temp.clear();
  }
  pending_.clear();
}

void WriteAtomically(const std::string& path, const std::string& content) {
  AtomicWriteSet set;
  set.Add(path, content);
  set.Commit();
}

}  // namespace gradflow
