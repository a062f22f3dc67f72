#include "sweep/grid_stamp.h"

#include <charconv>

#include "fmt/format.h"

namespace gradflow {
namespace {

// 64-bit FNV-1a: a fixed, portable hash (std::hash may differ between builds).
void Fnv1a(const std::string& text, uint64_t* hash) {
  for (unsigned char c : text) {
    *hash ^= c;
    *hash *= 0x100000001b3ULL;
  }
}

bool ParseU64(const std::string& text, uint64_t* value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

bool IsGridId(const std::string& text) {
  if (text.size() != 16) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string GridId(const std::string& mode, const SweepGrid& grid) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  Fnv1a(mode + '\n', &hash);
  for (const std::string& key : grid.keys) Fnv1a(key + '\n', &hash);
  return fmt::format("{:016x}", hash);
}

std::string StampedHeader(const std::string& header) {
  const bool newline = !header.empty() && header.back() == '\n';
  return header.substr(0, header.size() - (newline ? 1 : 0)) + "," + kGridStampColumns + "\n";
}

std::string StampRows(const std::string& rows, const GridStamp& stamp) {
  const std::string suffix = fmt::format(",{},{},{}\n", stamp.run, stamp.runs, stamp.id);
  std::string out;
  size_t start = 0;
  while (start < rows.size()) {
    const size_t end = rows.find('\n', start);
    const size_t stop = end == std::string::npos ? rows.size() : end;
    out.append(rows, start, stop - start);
    out += suffix;
    start = stop + 1;
  }
  return out;
}

bool UnstampRow(const std::string& row, std::string* plain, GridStamp* stamp) {
  // The stamp's fields never hold commas or quotes: the last three commas end the row.
  size_t cut[3];
  size_t end = row.size();
  for (int i = 2; i >= 0; --i) {
    if (end == 0) return false;
    const size_t comma = row.rfind(',', end - 1);
    if (comma == std::string::npos) return false;
    cut[i] = comma;
    end = comma;
  }
  GridStamp parsed;
  parsed.id = row.substr(cut[2] + 1);
  if (!ParseU64(row.substr(cut[0] + 1, cut[1] - cut[0] - 1), &parsed.run) ||
      !ParseU64(row.substr(cut[1] + 1, cut[2] - cut[1] - 1), &parsed.runs) ||
      parsed.run >= parsed.runs || !IsGridId(parsed.id)) {
    return false;
  }
  *plain = row.substr(0, cut[0]);
  *stamp = std::move(parsed);
  return true;
}

}  // namespace gradflow
