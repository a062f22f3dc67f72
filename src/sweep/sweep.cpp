#include "sweep/sweep.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "engine/memory_estimate.h"
#include "experiment/run.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/csv_reader.h"
#include "sweep/aggregate.h"
#include "sweep/grid_stamp.h"

namespace gradflow {
namespace {

constexpr const char* kJournalMagic = "gradflow sweep journal 1";

std::string WithoutNewline(const std::string& line) {
  return line.empty() || line.back() != '\n' ? line : line.substr(0, line.size() - 1);
}

bool FileExists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

std::string JournalRecord(const RunRows& rows) {
  size_t lines = 0;
  for (char c : rows.layer_rows) lines += c == '\n';
  return fmt::format("run {}\n{}{}end\n", lines, rows.layer_rows, rows.summary_row);
}

// Appends journal records with one write(2) each, so a killed process leaves
// whole records and at most one torn last record. The journal is never
// truncated: its first records (the header and any resumed runs) replace the
// old journal by an atomic rename, so a kill at any moment leaves either the
// old journal or the new one, each with every finished run.
class JournalWriter {
 public:
  JournalWriter(const std::string& path, const SweepMode& mode, const std::string& first_records)
      : path_(path) {
    WriteAtomically(path, fmt::format("{}\n{}{}{}", kJournalMagic, mode.layer_header(),
                                      mode.summary_header(), first_records));
    fd_ = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) {
      throw std::runtime_error(
          fmt::format("cannot open the sweep journal '{}': {}", path, std::strerror(errno)));
    }
  }
  ~JournalWriter() {
    if (fd_ >= 0) close(fd_);
  }
  void Append(const RunRows& rows) { Write(JournalRecord(rows)); }

 private:
  void Write(const std::string& text) {
    size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = write(fd_, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        throw std::runtime_error(
            fmt::format("cannot write the sweep journal '{}': {}", path_, std::strerror(errno)));
      }
      written += static_cast<size_t>(n);
    }
  }
  std::string path_;
  int fd_ = -1;
};

// Runs of an existing sweep CSV, by key: layer rows grouped, or summary rows.
// A shard's stamped rows (grid_stamp.h) are read without their stamp: the
// grid may have changed since (--resume extends a sweep).
void ReadExistingOutput(const std::string& path, const SweepMode& mode, bool layers,
                        std::unordered_map<std::string, RunRows>* runs) {
  if (path.empty() || path == "-" || !FileExists(path)) return;
  const CsvTable table = CsvTable::Read(path);
  const std::string expected = layers ? mode.layer_header() : mode.summary_header();
  const bool stamped = table.raw_header() == WithoutNewline(StampedHeader(expected));
  if (!stamped && table.raw_header() != WithoutNewline(expected)) {
    throw UsageError(fmt::format(
        "--resume: '{}' does not have the columns a {} sweep writes ({} CSV); move it away or "
        "drop --resume",
        path, mode.name, layers ? "layer" : "summary"));
  }
  for (const CsvRow& row : table.rows()) {
    std::string plain = row.raw;
    GridStamp stamp;
    if (stamped && !UnstampRow(row.raw, &plain, &stamp)) {
      throw UsageError(
          fmt::format("--resume: {}:{}: the grid_run, grid_runs, grid_id fields are "
                      "not a valid stamp; move the file away or drop --resume",
                      path, row.line));
    }
    RunRows& rows = (*runs)[LineKey(plain)];
    (layers ? rows.layer_rows : rows.summary_row) += plain + '\n';
  }
}

size_t CountLines(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// glibc returns freed memory at the top of the heap to the system, and serves
// blocks of 128 KiB and more by mmap, so every run of a sweep touched fresh,
// zeroed pages again (measured: ~130k page faults, a quarter of a --jobs 1
// sweep's time in the kernel). A sweep's runs are alike: keep what they free.
void KeepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed value
#endif
}

}  // namespace

int64_t WorkerCacheBytes(int jobs) {
  constexpr int64_t kMiB = int64_t{1} << 20;
  return std::clamp<int64_t>(128 * kMiB / std::max(jobs, 1), 8 * kMiB, 64 * kMiB);
}

RunRows MeasureRunRows(const RunConfig& config, RunWorkspace* workspace) {
  return RunSweepMode().measure(config, true, workspace);
}

void ExecuteRuns(const SweepMode& mode, bool layers, const std::vector<RunConfig>& runs,
                 const std::vector<size_t>& todo, int jobs,
                 const std::function<void(size_t, RunRows)>& done, bool reuse_forward) {
  SetThreads(1);
  KeepFreedMemory();
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(jobs), std::max<size_t>(1, todo.size())));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::exception_ptr error;
  size_t failed = 0;
  auto work = [&] {
    RunWorkspace workspace(WorkerCacheBytes(jobs));
    workspace.reuse_forward = reuse_forward;
    while (!stop) {
      const size_t t = next++;
      if (t >= todo.size()) return;
      try {
        RunRows rows = mode.measure(runs[todo[t]], layers, &workspace);
        std::lock_guard<std::mutex> lock(mutex);
        if (!stop) done(todo[t], std::move(rows));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) {
          error = std::current_exception();
          failed = todo[t];
        }
        stop = true;
      }
    }
  };
  std::vector<std::thread> workers;
  for (int j = 1; j < jobs; ++j) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  if (!error) return;
  const std::string where = "run " + ConfigKey(runs[failed]) + ": ";
  try {
    std::rethrow_exception(error);
  } catch (const UsageError& e) {
    throw UsageError(where + e.what());
  } catch (const std::exception& e) {
    throw std::runtime_error(where + e.what());
  }
}

std::string LineKey(const std::string& line) {
  size_t commas = 0;
  bool quoted = false;  // inside a quoted field, where a comma is text ("" toggles twice)
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == ',' && !quoted && ++commas == ConfigColumnCount()) return line.substr(0, i);
  }
  return line;
}

std::string JournalPath(const std::string& out) { return out + ".journal"; }

std::unordered_map<std::string, RunRows> ReadJournal(const std::string& path,
                                                     const SweepMode& mode) {
  std::unordered_map<std::string, RunRows> runs;
  if (!FileExists(path)) return runs;
  std::istringstream in(ReadFileText(path));
  std::string line;
  auto next = [&]() { return static_cast<bool>(std::getline(in, line)) && !in.eof(); };
  // Every complete line ends in '\n'; getline at eof means a torn last line.
  if (!next() || line != kJournalMagic) return runs;
  if (!next() || line + '\n' != mode.layer_header()) return runs;
  if (!next() || line + '\n' != mode.summary_header()) return runs;
  while (next()) {
    size_t count = 0;
    if (std::sscanf(line.c_str(), "run %zu", &count) != 1) break;
    RunRows rows;
    bool complete = true;
    for (size_t i = 0; i < count && complete; ++i) {
      complete = next();
      rows.layer_rows += line + '\n';
    }
    if (!complete || !next()) break;
    rows.summary_row = line + '\n';
    if (!next() || line != "end") break;
    runs[LineKey(rows.summary_row)] = std::move(rows);
  }
  return runs;
}

SweepStats RunSweep(const SweepRequest& request, bool progress_enabled,
                    std::ostream* progress_stream) {
  const auto start = std::chrono::steady_clock::now();
  const SweepMode& mode = FindSweepMode(request.mode);
  const SweepPaths paths = ResolveSweepPaths(mode, request.out, request.summary_out,
                                             request.per_layer, request.aggregate_out);
  const SweepGrid grid = ExpandModeGrid(mode, request.settings);
  if (request.resume && request.out == "-") {
    throw UsageError("--resume needs --out FILE (the sweep keeps its journal beside it)");
  }
  if (request.shard.count > 1 && !paths.aggregate.empty()) {
    throw UsageError(
        "--aggregate-out needs every seed of a configuration, which a --shard does not have; "
        "pass --aggregate-out to `gradflow merge` instead");
  }
  CheckWritable("--out", request.out);
  CheckWritable("--summary-out", request.summary_out);
  CheckWritable("--per-layer", request.per_layer);
  CheckWritable("--aggregate-out", request.aggregate_out);

  std::vector<size_t> mine;  // grid indices of this shard
  for (size_t i = 0; i < grid.runs.size(); ++i) {
    if (InShard(i, request.shard)) mine.push_back(i);
  }
  SweepStats stats;
  stats.runs = mine.size();
  const bool need_layers = !paths.layer.empty();
  const bool need_summary = !paths.summary.empty() || !paths.aggregate.empty();
  std::vector<RunRows> results(grid.runs.size());
  std::vector<bool> have(grid.runs.size(), false);
  const bool journaled = request.out != "-";
  const std::string journal = journaled ? JournalPath(request.out) : "";
  if (request.resume) {
    // Temporaries of these outputs that a kill at rename left behind.
    for (const std::string& path : {paths.layer, paths.summary, paths.aggregate, journal}) {
      stats.removed_temps += RemoveStaleTemps(path);
    }
    std::unordered_map<std::string, RunRows> earlier;
    ReadExistingOutput(paths.layer, mode, true, &earlier);
    ReadExistingOutput(paths.summary, mode, false, &earlier);
    for (auto& [key, rows] : ReadJournal(journal, mode)) earlier[key] = std::move(rows);
    std::unordered_map<std::string, size_t> position;
    for (size_t i : mine) position[grid.keys[i]] = i;
    for (auto& [key, rows] : earlier) {
      const auto at = position.find(key);
      if (at == position.end()) {
        ++stats.dropped;
        continue;
      }
      const RunConfig& config = grid.runs[at->second];
      if (need_layers && CountLines(rows.layer_rows) != mode.layer_rows(config)) continue;
      if (need_summary && rows.summary_row.empty()) continue;
      results[at->second] = std::move(rows);
      have[at->second] = true;
      ++stats.resumed;
    }
  } else {
    stats.discarded_journal = journaled && FileExists(journal);
  }

  std::vector<size_t> todo;
  for (size_t i : mine) {
    if (!have[i]) todo.push_back(i);
  }
  // Check every configuration's memory estimate before any run starts.
  for (size_t i : todo) mode.check_memory(grid.runs[i]);

  std::unique_ptr<JournalWriter> writer;
  if (journaled) {
    std::string resumed;  // kept in the new journal in case this sweep is killed too
    for (size_t i : mine) {
      if (have[i]) resumed += JournalRecord(results[i]);
    }
    writer = std::make_unique<JournalWriter>(journal, mode, resumed);
  }
  ProgressBar bar(todo.size(), progress_enabled, progress_stream);
  size_t finished = 0;
  bar.Update(0);
  ExecuteRuns(
      mode, need_layers, grid.runs, todo, request.jobs,
      [&](size_t i, RunRows rows) {
        if (writer) writer->Append(rows);
        results[i] = std::move(rows);
        bar.Update(++finished);
      },
      request.reuse_forward);
  bar.Finish();

  // A shard stamps its rows, so that merge needs nothing but the files.
  const bool stamped = request.shard.count > 1;
  const std::string id = stamped ? GridId(mode.name, grid) : "";
  auto header = [&](const std::string& plain) { return stamped ? StampedHeader(plain) : plain; };
  std::string layers = header(mode.layer_header()), summary = header(mode.summary_header());
  for (size_t i : mine) {
    if (stamped) {
      const GridStamp stamp{i, grid.runs.size(), id};
      layers += StampRows(results[i].layer_rows, stamp);
      summary += StampRows(results[i].summary_row, stamp);
    } else {
      layers += results[i].layer_rows;
      summary += results[i].summary_row;
    }
  }
  std::string aggregate;
  if (!paths.aggregate.empty()) aggregate = AggregateCsv(CsvTable::Parse("summary", summary));
  if (need_layers) WriteAtomically(paths.layer, layers);
  if (!paths.summary.empty()) WriteAtomically(paths.summary, summary);
  if (!paths.aggregate.empty()) WriteAtomically(paths.aggregate, aggregate);
  writer.reset();
  if (journaled) std::remove(journal.c_str());
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace gradflow
