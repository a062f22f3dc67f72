// Refuses, before any work, a command whose outputs would overwrite each
// other or one of its inputs (`run -o a.csv --summary-out a.csv`,
// `merge shard.csv -o shard.csv`).
#pragma once

#include <string>
#include <vector>

namespace gradflow {

// An option and the path given to it; "" (not given) is ignored.
struct NamedPath {
  std::string option;
  std::string path;
};

// Throws UsageError naming both options when two outputs, or an output and an
// input, are the same file. Existing files are compared by identity (device
// and inode, so links and hard links count), others by their normalised
// absolute path with symlinked folders resolved. "-" is stdout among outputs
// (two outputs cannot share it) and stdin among inputs (never compared). An
// existing special file (/dev/null, a FIFO) may be named twice: writing it in
// place destroys nothing.
void CheckDistinctPaths(const std::vector<NamedPath>& outputs,
                        const std::vector<NamedPath>& inputs = {});

}  // namespace gradflow
