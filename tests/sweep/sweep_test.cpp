// Sweep runner, resume, merge and the CLI recipes (sharding with GNU parallel).
#include "sweep/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/error.h"
#include "experiment/run_columns.h"
#include "io/atomic_file.h"
#include "io/csv_reader.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_merge.h"
#include "sweep/sweep_mode.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Gradflow;
using testing_util::kTinyGrid;
using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;
using testing_util::WriteText;

const char* kGridArgs = "--activation tanh,relu --depth 2,4 --width 6 --batch 5 --seeds 0..2 -q";

SweepRequest Request(const std::string& dir, int jobs) {
  SweepRequest request;
  request.settings = kTinyGrid;
  request.jobs = jobs;
  request.out = dir + "/layers.csv";
  request.summary_out = dir + "/summary.csv";
  request.aggregate_out = dir + "/aggregate.csv";
  return request;
}

TEST(Sweep, LineKeyIsTheConfigurationFieldsOfARow) {
  const RunConfig config;
  const std::string key = ConfigKey(config);
  EXPECT_EQ(LineKey(key + ",1,hidden,3"), key);
  EXPECT_EQ(static_cast<size_t>(std::count(key.begin(), key.end(), ',')), ConfigColumnCount() - 1);
  // A quoted field's commas are text, not separators.
  std::string quoted = "\"a,\"\"b\"" + key.substr(key.find(','));
  EXPECT_EQ(LineKey(quoted + ",1,hidden"), quoted);
}

TEST(Sweep, WorkersShareOutAtMost128MiBPerCacheKind) {
  constexpr int64_t kMiB = int64_t{1} << 20;
  EXPECT_EQ(WorkerCacheBytes(1), 64 * kMiB);
  EXPECT_EQ(WorkerCacheBytes(2), 64 * kMiB);
  EXPECT_EQ(WorkerCacheBytes(4), 32 * kMiB);
  EXPECT_EQ(WorkerCacheBytes(16), 8 * kMiB);
  EXPECT_EQ(WorkerCacheBytes(64), 8 * kMiB);  // at least 8 MiB each
  EXPECT_EQ(WorkerCacheBytes(0), 64 * kMiB);
}

TEST(Sweep, OutputIsInGridOrderAndIdenticalForAnyJobs) {
  const std::string dir = ScratchDir();
  SweepRequest one = Request(dir, 1);
  const SweepStats stats = RunSweep(one, false, nullptr);
  EXPECT_EQ(stats.runs, 12u);
  const std::string layers = ReadText(dir + "/layers.csv");
  const std::string summary = ReadText(dir + "/summary.csv");
  const std::string aggregate = ReadText(dir + "/aggregate.csv");
  for (int jobs : {2, 5}) {
    RunSweep(Request(dir, jobs), false, nullptr);
    EXPECT_EQ(ReadText(dir + "/layers.csv"), layers) << jobs;
    EXPECT_EQ(ReadText(dir + "/summary.csv"), summary) << jobs;
    EXPECT_EQ(ReadText(dir + "/aggregate.csv"), aggregate) << jobs;
  }
  // Depth 4 runs start above the depth 2 runs' layers (forward_reuse.h);
  // without that (--no-forward-reuse) the same bytes.
  SweepRequest no_reuse = Request(dir, 1);
  no_reuse.reuse_forward = false;
  RunSweep(no_reuse, false, nullptr);
  EXPECT_EQ(ReadText(dir + "/layers.csv"), layers);
  EXPECT_EQ(ReadText(dir + "/summary.csv"), summary);
  // Rows: run by run in grid order, each run's layers 1..L, same as RunExperiment.
  const SweepGrid grid = ExpandGrid(kTinyGrid);
  std::string expected = LayerCsvHeader();
  for (const RunConfig& config : grid.runs) expected += MeasureRunRows(config).layer_rows;
  EXPECT_EQ(layers, expected);
  EXPECT_EQ(CsvTable::Parse("s", summary).rows().size(), 12u);
  EXPECT_EQ(CsvTable::Parse("a", aggregate).rows().size(), 4u);
  EXPECT_FALSE(Shell("test -e '" + dir + "/layers.csv.journal'") == 0);  // removed at the end
}

TEST(Sweep, ResumeFromAKilledSweepsJournalReusesFinishedRunsOnly) {
  const std::string dir = ScratchDir();
  RunSweep(Request(dir, 2), false, nullptr);
  const std::string layers = ReadText(dir + "/layers.csv");
  const std::string summary = ReadText(dir + "/summary.csv");
  Shell("rm '" + dir + "/layers.csv' '" + dir + "/summary.csv' '" + dir + "/aggregate.csv'");
  // A journal as a killed sweep leaves it: two whole runs and a torn third.
  const SweepGrid grid = ExpandGrid(kTinyGrid);
  std::string journal =
      std::string("gradflow sweep journal 1\n") + LayerCsvHeader() + SummaryCsvHeader();
  for (size_t i : {4, 0}) {
    RunRows rows = MeasureRunRows(grid.runs[i]);
    // Mark the reused rows so the test can see they were not recomputed.
    journal += "run " + std::to_string(grid.runs[i].depth) + "\n" + rows.layer_rows +
               rows.summary_row + "end\n";
  }
  RunRows torn = MeasureRunRows(grid.runs[7]);
  journal += "run " + std::to_string(grid.runs[7].depth) + "\n" + torn.layer_rows.substr(0, 40);
  WriteText(dir + "/layers.csv.journal", journal);
  SweepRequest request = Request(dir, 3);
  request.resume = true;
  const SweepStats stats = RunSweep(request, false, nullptr);
  EXPECT_EQ(stats.resumed, 2u);
  EXPECT_EQ(stats.runs, 12u);
  EXPECT_EQ(ReadText(dir + "/layers.csv"), layers);  // no duplicates, same order
  EXPECT_EQ(ReadText(dir + "/summary.csv"), summary);
}

// Regression: --resume truncated the journal before re-appending its runs, so a
// kill in between lost them. The old journal's file is never written: a hard
// link to it keeps every byte.
TEST(Sweep, ResumeNeverTruncatesTheJournal) {
  const std::string dir = ScratchDir();
  const SweepGrid grid = ExpandGrid(kTinyGrid);
  std::string journal =
      std::string("gradflow sweep journal 1\n") + LayerCsvHeader() + SummaryCsvHeader();
  for (size_t i : {3, 1}) {
    const RunRows rows = MeasureRunRows(grid.runs[i]);
    journal += "run " + std::to_string(grid.runs[i].depth) + "\n" + rows.layer_rows +
               rows.summary_row + "end\n";
  }
  WriteText(dir + "/layers.csv.journal", journal);
  ASSERT_EQ(Shell("ln '" + dir + "/layers.csv.journal' '" + dir + "/journal.before'"), 0);
  SweepRequest request = Request(dir, 2);
  request.resume = true;
  EXPECT_EQ(RunSweep(request, false, nullptr).resumed, 2u);
  EXPECT_EQ(ReadText(dir + "/journal.before"), journal);
  EXPECT_FALSE(Shell("test -e '" + dir + "/layers.csv.journal'") == 0);  // removed at the end
}

// Regression: temporaries left by a kill at rename were never cleaned, not
// even by --resume; it removes its own outputs' and no other file.
TEST(Sweep, ResumeRemovesOnlyItsOwnOutputsStaleTemporaries) {
  const std::string dir = ScratchDir();
  const SweepRequest fresh = Request(dir, 2);
  const std::vector<std::string> stale = {
      TempFilePrefix(fresh.out) + "a1b2c3", TempFilePrefix(fresh.summary_out) + "d4e5f6",
      TempFilePrefix(fresh.out + ".journal") + "g7h8i9", fresh.aggregate_out + ".tmp.j1k2l3"};
  const std::vector<std::string> kept = {TempFilePrefix(dir + "/notes.csv") + "a1b2c3",
                                         dir + "/notes.csv.tmp.a1b2c3",
                                         TempFilePrefix(fresh.out) + "toolong7"};
  for (const std::string& path : stale) WriteText(path, "stale");
  for (const std::string& path : kept) WriteText(path, "not ours");
  SweepRequest request = fresh;
  request.resume = true;
  EXPECT_EQ(RunSweep(request, false, nullptr).removed_temps, 4);
  for (const std::string& path : stale) EXPECT_NE(Shell("test -e '" + path + "'"), 0) << path;
  for (const std::string& path : kept) EXPECT_EQ(ReadText(path), "not ours") << path;
}

TEST(Sweep, ResumeTakesRunsFromTheExistingOutputAndDropsRunsOutsideTheGrid) {
  const std::string dir = ScratchDir();
  // First a smaller sweep (seeds 0..1), then extend the grid to seeds 0..2 with --resume.
  SweepRequest small = Request(dir, 2);
  small.settings.back() = {"loss", "probe"};
  small.settings[4] = {"seed", "0,1"};
  RunSweep(small, false, nullptr);
  SweepRequest full = Request(dir, 2);
  full.resume = true;
  SweepStats stats = RunSweep(full, false, nullptr);
  EXPECT_EQ(stats.resumed, 8u);
  const std::string resumed = ReadText(dir + "/layers.csv");
  RunSweep(Request(dir, 2), false, nullptr);  // fresh
  EXPECT_EQ(resumed, ReadText(dir + "/layers.csv"));
  // Shrinking the grid: runs not in it are left out, the output equals a fresh sweep.
  small.resume = true;
  stats = RunSweep(small, false, nullptr);
  EXPECT_EQ(stats.resumed, 8u);
  EXPECT_EQ(stats.dropped, 4u);
  const std::string shrunk = ReadText(dir + "/layers.csv");
  small.resume = false;
  RunSweep(small, false, nullptr);
  EXPECT_EQ(shrunk, ReadText(dir + "/layers.csv"));
}

TEST(Sweep, ResumeRejectsForeignOutputAndStdout) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/layers.csv", "a,b\n1,2\n");
  SweepRequest request = Request(dir, 1);
  request.resume = true;
  EXPECT_THROW(RunSweep(request, false, nullptr), UsageError);
  request.out = "-";
  EXPECT_THROW(RunSweep(request, false, nullptr), UsageError);
}

TEST(Sweep, AggregateWithShardIsRefused) {
  const std::string dir = ScratchDir();
  SweepRequest request = Request(dir, 1);
  request.shard = Shard{1, 2};
  EXPECT_THROW(RunSweep(request, false, nullptr), UsageError);
}

TEST(SweepCli, MergeCommandAndSweepMergeGiveTheUnshardedFiles) {
  const std::string dir = ScratchDir();
  const std::string grid = kGridArgs;
  ASSERT_EQ(Gradflow(dir, "sweep " + grid +
                              " -o all.csv --summary-out all_s.csv --aggregate-out all_a.csv"),
            0);
  for (int k = 1; k <= 2; ++k) {
    const std::string n = std::to_string(k);
    ASSERT_EQ(Gradflow(dir, "sweep " + grid + " --shard " + n + "/2 -o l" + n +
                                ".csv --summary-out s" + n + ".csv"),
              0);
  }
  ASSERT_EQ(Gradflow(dir, "merge " + grid +
                              " l2.csv s1.csv l1.csv s2.csv -o m.csv --summary-out m_s.csv "
                              "--aggregate-out m_a.csv"),
            0)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(ReadText(dir + "/m.csv"), ReadText(dir + "/all.csv"));
  EXPECT_EQ(ReadText(dir + "/m_s.csv"), ReadText(dir + "/all_s.csv"));
  EXPECT_EQ(ReadText(dir + "/m_a.csv"), ReadText(dir + "/all_a.csv"));
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " --merge l1.csv l2.csv -o m2.csv"), 0);
  EXPECT_EQ(ReadText(dir + "/m2.csv"), ReadText(dir + "/all.csv"));
  EXPECT_EQ(Gradflow(dir, "merge " + grid + " l1.csv -o m3.csv"), 2);  // shard 2 missing
  EXPECT_NE(ReadText(dir + "/err.txt").find("missing"), std::string::npos);
  EXPECT_NE(Shell("test -e '" + dir + "/m3.csv'"), 0);  // nothing half-written
}

// Issue 18: options, then files (a grid option takes one value, as in sweep);
// and no options at all, as shards describe their grid.
TEST(SweepCli, MergeTakesOptionsThenFilesOrFilesAlone) {
  const std::string dir = ScratchDir();
  const std::string grid = "--depth 2 --width 4 --batch 4 -q";
  ASSERT_EQ(Gradflow(dir, "sweep --seeds 0..2 " + grid + " -o all.csv"), 0);
  for (int k = 1; k <= 3; ++k) {
    const std::string n = std::to_string(k);
    ASSERT_EQ(
        Gradflow(dir, "sweep --seeds 0..2 " + grid + " --shard " + n + "/3 -o s" + n + ".csv"), 0);
  }
  ASSERT_EQ(Gradflow(dir,
                     "merge --seeds 0..2 --depth 2 --width 4 --batch 4 s1.csv s2.csv s3.csv "
                     "-o merged.csv"),
            0)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(ReadText(dir + "/merged.csv"), ReadText(dir + "/all.csv"));
  ASSERT_EQ(Gradflow(dir, "merge s3.csv s1.csv s2.csv -o alone.csv"), 0)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(ReadText(dir + "/alone.csv"), ReadText(dir + "/all.csv"));
  EXPECT_NE(ReadText(dir + "/err.txt").find("3 runs of a run sweep from 3 files"),
            std::string::npos);
  // With grid options the grid is checked: one seed more is another grid.
  EXPECT_EQ(Gradflow(dir,
                     "merge --seeds 0..3 --depth 2 --width 4 --batch 4 s1.csv s2.csv s3.csv "
                     "-o x.csv"),
            2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("another grid"), std::string::npos);
  // A second value after a grid option is a file, not part of the list.
  EXPECT_EQ(Gradflow(dir, "merge --seeds 0..2 1 s1.csv -o x.csv"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("'1'"), std::string::npos)
      << ReadText(dir + "/err.txt");
  EXPECT_NE(Shell("test -e '" + dir + "/x.csv'"), 0);
}

// Issue 17: `sweep --mode spectrum` with shards, the journal and --resume.
TEST(SweepCli, SpectrumSweepShardsResumesAndMerges) {
  const std::string dir = ScratchDir();
  const std::string grid =
      "--mode spectrum --activation identity,relu --init orthogonal,he_normal --gain 1,1.4142 "
      "--depth 2,4 --width 6 --samples 2 -q";
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " -o all.csv --per-layer all_l.csv"), 0)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(CsvTable::Read(dir + "/all.csv").rows().size(), 16u);
  const CsvTable all = CsvTable::Read(dir + "/all.csv");
  EXPECT_EQ(all.rows()[0].field(all.ColumnIndex("batch")), "2");  // batch = samples
  // Shard 1 of 2, killed after one run: its journal holds that run.
  const SweepMode& spectrum = FindSweepMode("spectrum");
  const SweepGrid expanded = ExpandModeGrid(spectrum, {{"activation", "identity,relu"},
                                                       {"init", "orthogonal,he_normal"},
                                                       {"gain", "1,1.4142"},
                                                       {"depth", "2,4"},
                                                       {"width", "6"},
                                                       {"batch", "2"}});
  const RunRows first = spectrum.measure(expanded.runs[0], true, nullptr);
  WriteText(dir + "/a1.csv.journal", std::string("gradflow sweep journal 1\n") +
                                         spectrum.layer_header() + spectrum.summary_header() +
                                         "run 2\n" + first.layer_rows + first.summary_row +
                                         "end\n");
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " --shard 1/2 --resume -o a1.csv --per-layer b1.csv"),
            0)
      << ReadText(dir + "/err.txt");
  ASSERT_EQ(Gradflow(dir, "sweep " + grid.substr(0, grid.size() - 3) +
                              " --shard 1/2 --resume -o a1.csv --per-layer b1.csv"),
            0);
  EXPECT_NE(ReadText(dir + "/err.txt").find("8 runs (8 resumed)"), std::string::npos)
      << ReadText(dir + "/err.txt");
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " --shard 2/2 -o a2.csv --per-layer b2.csv"), 0);
  ASSERT_EQ(Gradflow(dir, "merge a2.csv b1.csv a1.csv b2.csv -o m.csv --per-layer m_l.csv"), 0)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(ReadText(dir + "/m.csv"), ReadText(dir + "/all.csv"));
  EXPECT_EQ(ReadText(dir + "/m_l.csv"), ReadText(dir + "/all_l.csv"));
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " --merge a1.csv a2.csv -o m2.csv"), 0);
  EXPECT_EQ(ReadText(dir + "/m2.csv"), ReadText(dir + "/all.csv"));
  // Options of `run` that mean nothing for a Jacobian are refused.
  EXPECT_EQ(Gradflow(dir, "sweep " + grid + " --loss mse -o x.csv"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("--loss does not apply to --mode spectrum"),
            std::string::npos);
  EXPECT_EQ(Gradflow(dir, "sweep " + grid + " --summary-out x.csv"), 2);
  EXPECT_EQ(Gradflow(dir, "sweep --mode spectra -o x.csv"), 2);
  EXPECT_NE(Shell("test -e '" + dir + "/x.csv'"), 0);
}

TEST(SweepCli, ConfigFileGivesTheSameGridAndTheCommandLineWins) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/grid.toml",
            "activation = [\"tanh\", \"relu\"]\ndepth = \"2,4\"\nwidth = 6\nbatch = 5\n"
            "seeds = \"0..2\"\nsummary-out = \"s.csv\"\n");
  ASSERT_EQ(Gradflow(dir, "sweep --config grid.toml -q -o c.csv"), 0) << ReadText(dir + "/err.txt");
  ASSERT_EQ(Gradflow(dir, std::string("sweep ") + kGridArgs + " -o a.csv --summary-out as.csv"), 0);
  EXPECT_EQ(ReadText(dir + "/c.csv"), ReadText(dir + "/a.csv"));
  EXPECT_EQ(ReadText(dir + "/s.csv"), ReadText(dir + "/as.csv"));
  ASSERT_EQ(Gradflow(dir, "sweep --config grid.toml --depth 3 --dry-run"), 0);
  EXPECT_EQ(ReadText(dir + "/out.txt").find(",4,6,"), std::string::npos);
  WriteText(dir + "/bad.toml", "depht = 3\n");
  EXPECT_EQ(Gradflow(dir, "sweep --config bad.toml"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("did you mean 'depth'"), std::string::npos);
}

TEST(SweepCli, BadOptionsExitTwoBeforeAnyWork) {
  const std::string dir = ScratchDir();
  EXPECT_EQ(Gradflow(dir, "sweep --activation relu,sigmoidd -o x.csv"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("did you mean 'sigmoid'"), std::string::npos);
  EXPECT_EQ(Gradflow(dir, "sweep --depth 3 --shard 0/4 -o x.csv"), 2);
  EXPECT_EQ(Gradflow(dir, "sweep --depth 3 --jobs -1 -o x.csv"), 2);
  EXPECT_EQ(Gradflow(dir, "sweep --depth 3 -o nofolder/x.csv"), 2);
  EXPECT_NE(Shell("test -e '" + dir + "/x.csv'"), 0);
}

// The README's GNU parallel recipe, end to end. Needs Debian's `parallel`:
// this test fails (not skips) without it.
TEST(SweepCli, GnuParallelRecipeMergesToTheUnshardedSweep) {
  ASSERT_EQ(Shell("command -v parallel >/dev/null"), 0)
      << "GNU parallel is missing: apt-get install parallel";
  const std::string dir = ScratchDir();
  const std::string g = "'" GRADFLOW_BINARY "'";
  const std::string grid = kGridArgs;
  ASSERT_EQ(Gradflow(dir, "sweep " + grid + " -o all.csv --summary-out all_s.csv"), 0);
  const std::string recipe =
      "cd '" + dir + "' && N=3 && seq 1 $N | parallel --will-cite --halt now,fail=1 " + g +
      " sweep " + grid +
      " --jobs 1 --shard {}/$N -o layers.{}.csv --summary-out summary.{}.csv && " + g + " merge " +
      grid + " layers.*.csv summary.*.csv -o merged.csv --summary-out merged_s.csv";
  ASSERT_EQ(Shell(recipe), 0) << recipe;
  EXPECT_EQ(ReadText(dir + "/merged.csv"), ReadText(dir + "/all.csv"));
  EXPECT_EQ(ReadText(dir + "/merged_s.csv"), ReadText(dir + "/all_s.csv"));
}

}  // namespace
}  // namespace gradflow
