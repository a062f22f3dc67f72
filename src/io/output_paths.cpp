#include "io/output_paths.h"

#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "base/error.h"
#include "fmt/format.h"
#include "io/atomic_file.h"

namespace gradflow {
namespace {

// A key equal for two paths exactly when they name the same file; nullopt for
// paths never compared (special files, stdin).
std::optional<std::string> Identity(const std::string& path, bool is_output) {
  if (path == "-") return is_output ? std::optional<std::string>("stdout") : std::nullopt;
  struct stat info;
  if (stat(path.c_str(), &info) == 0) {
    if (!S_ISREG(info.st_mode)) return std::nullopt;
    return fmt::format("inode {}:{}", info.st_dev, info.st_ino);
  }
  // Not there yet: where it will be created, dangling links followed.
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(ResolveOutputPath(path), error);
  if (error) return "path " + path;
  const std::filesystem::path normal = std::filesystem::weakly_canonical(absolute, error);
  return "path " + (error ? absolute.lexically_normal() : normal).string();
}

}  // namespace

void CheckDistinctPaths(const std::vector<NamedPath>& outputs,
                        const std::vector<NamedPath>& inputs) {
  struct Seen {
    const NamedPath* named;
    std::string identity;
  };
  std::vector<Seen> seen;
  for (const NamedPath& output : outputs) {
    if (output.path.empty()) continue;
    const std::optional<std::string> identity = Identity(output.path, true);
    if (!identity) continue;
    for (const Seen& other : seen) {
      if (other.identity != *identity) continue;
      throw UsageError(
          output.path == "-"
              ? fmt::format("{} and {} both write to '-' (stdout); give one of them a file",
                            other.named->option, output.option)
              : fmt::format("{} '{}' is the same file as {} '{}': one output would overwrite the "
                            "other",
                            output.option, output.path, other.named->option, other.named->path));
    }
    seen.push_back({&output, *identity});
  }
  for (const NamedPath& input : inputs) {
    if (input.path.empty()) continue;
    const std::optional<std::string> identity = Identity(input.path, false);
    if (!identity) continue;
    for (const Seen& output : seen) {
      if (output.identity != *identity) continue;
      throw UsageError(fmt::format(
          "{} '{}' is the same file as the input {} '{}': writing it would destroy the input",
          output.named->option, output.named->path, input.option, input.path));
    }
  }
}

}  // namespace gradflow
