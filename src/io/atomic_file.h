// Output files are written whole or not at all: to a temporary file in the
// same folder, then renamed over the target.
#pragma once

#include <string>

namespace gradflow {

// Throws UsageError naming `option` if `path` could not be written later:
// its folder is missing or not writable, or it names a folder. "-" (stdout)
// and "" (no output) always pass. Call before the run starts.
void CheckWritable(const std::string& option, const std::string& path);

// Writes `content` to `path` atomically ("-" writes to stdout). Throws
// std::runtime_error naming the file on failure, leaving no partial file.
void WriteAtomically(const std::string& path, const std::string& content);

}  // namespace gradflow
