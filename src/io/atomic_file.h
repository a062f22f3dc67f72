// Output files are written whole or not at all: to a temporary file in the
// same folder, then renamed over the target.
//
// A symlinked output is resolved and its target replaced (the link stays a
// link); an existing special file (a device such as /dev/null, a FIFO, a
// terminal) is written in place, since renaming over it would replace it; the
// file that is our stdout (/dev/stdout, whatever it points to) is written
// through stdout.
// Temporary files are named ".gf.<hash of the target's name>.XXXXXX" beside
// the target: short, so a 250-character output name still fits the 255-byte
// limit, and tied to the target, so RemoveStaleTemps finds a killed run's.
#pragma once

#include <string>
#include <vector>

namespace gradflow {

// Throws UsageError naming `option` if `path` could not be written later:
// its folder is missing or not writable, or it names a folder. "-" (stdout)
// and "" (no output) always pass. Call before the run starts.
void CheckWritable(const std::string& option, const std::string& path);

// Writes `content` to `path` atomically ("-" writes to stdout). Throws
// std::runtime_error naming the file on failure, leaving no partial file.
void WriteAtomically(const std::string& path, const std::string& content);

// Several outputs that appear together or not at all (as far as renames
// allow): Add writes each file's temporary at once, Commit writes stdout and
// special files, then renames every temporary. Temporaries not committed
// (an exception in between) are removed by the destructor.
class AtomicWriteSet {
 public:
  AtomicWriteSet() = default;
  AtomicWriteSet(const AtomicWriteSet&) = delete;
  AtomicWriteSet& operator=(const AtomicWriteSet&) = delete;
  ~AtomicWriteSet();

  // Throws std::runtime_error naming the file when its temporary cannot be written.
  void Add(const std::string& path, const std::string& content);
  void Commit();

 private:
  struct Pending {
    std::string path;     // as given, for messages
    std::string target;   // symlinks resolved
    std::string temp;     // "" for stdout and special files, written at Commit
    std::string content;  // stdout and special files only
  };
  std::vector<Pending> pending_;
};

// Flushes stdout (std::cout and C stdio) and throws std::runtime_error
// ("error writing to stdout: No space left on device") if any write to it failed.
void FlushStdout();

// `path` with every symbolic link along its last component followed (a
// dangling link gives the path it points to); `path` itself if it is no link.
std::string ResolveOutputPath(const std::string& path);

// The name a temporary for `path` starts with: "<folder>/.gf.<16 hex digits>.".
std::string TempFilePrefix(const std::string& path);

// Removes temporaries a killed process left beside `path` (its own pattern,
// and the older "<name>.tmp.XXXXXX"); returns how many. Other files are kept.
int RemoveStaleTemps(const std::string& path);

}  // namespace gradflow
