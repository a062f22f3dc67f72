// Reading an input file with a stated size limit, so that a wrong path
// (/dev/zero, a multi-gigabyte file, a pipe that never ends) is refused
// quickly instead of filling memory.
//
// A regular file larger than the limit is refused from its size, before any
// byte is read. A pipe or FIFO (also stdin and process substitution <(...))
// is read as a stream, but never more than limit + 1 bytes: one byte over the
// limit is enough to refuse it. A FIFO nobody writes to waits for a writer,
// as it does for `cat`. Folders and devices (/dev/zero, /dev/urandom, a
// terminal) are refused by name: no input of gradflow is a device, and an
// endless one would cost a whole limit's worth of reading.
//
// A leading UTF-8 byte order mark (EF BB BF, written by some editors and
// spreadsheet programs) is removed: gradflow's inputs are plain UTF-8, and a
// mark left in place would become part of the first column or key name.
#pragma once

#include <cstdint>
#include <string>

namespace gradflow {

// Limits on inputs (README "Bad input and failures").
constexpr uint64_t kMaxConfigFileBytes = uint64_t{1} << 20;  // --config: 1 MiB
constexpr uint64_t kMaxCsvFileBytes = uint64_t{1} << 30;     // check/merge/resume CSVs: 1 GiB

// The contents of `path`, without a leading UTF-8 BOM. UsageError naming
// `what` (e.g. "--config"), the path and the reason when it is a folder,
// cannot be opened or read, or holds more than max_bytes bytes.
std::string ReadFileLimited(const std::string& path, uint64_t max_bytes, const std::string& what);

// `text` without a leading UTF-8 byte order mark.
std::string StripUtf8Bom(std::string text);

// "1 MiB", "1 GiB", "512 bytes": a limit as people write it.
std::string FormatByteLimit(uint64_t bytes);

}  // namespace gradflow
