// Merging sharded sweeps: MergeShards gives the unsharded files; RunMerge writes them and
// refuses inconsistent requests before writing anything.
#include "sweep/sweep_merge.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/csv_reader.h"
#include "sweep/sweep.h"
#include "sweep/sweep_mode.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::kTinyGrid;
using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;

SweepRequest Request(const std::string& dir) {
  SweepRequest request;
  request.settings = kTinyGrid;
  request.jobs = 2;
  request.out = dir + "/layers.csv";
  request.summary_out = dir + "/summary.csv";
  request.aggregate_out = dir + "/aggregate.csv";
  return request;
}

// Runs the unsharded sweep into dir and its 3 shards into dir/l{k}.csv, dir/s{k}.csv.
void SweepAndShards(const std::string& dir) {
  RunSweep(Request(dir), false, nullptr);
  for (int k = 1; k <= 3; ++k) {
    SweepRequest shard = Request(dir);
    shard.shard = Shard{k, 3};
    shard.out = dir + "/l" + std::to_string(k) + ".csv";
    shard.summary_out = dir + "/s" + std::to_string(k) + ".csv";
    shard.aggregate_out = "";
    RunSweep(shard, false, nullptr);
  }
}

TEST(SweepMerge, MergedShardsAreByteIdenticalToTheUnshardedSweep) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  std::vector<CsvTable> files;
  for (int k : {3, 1, 2}) {  // any order, kinds mixed
    files.push_back(CsvTable::Read(dir + "/l" + std::to_string(k) + ".csv"));
    files.push_back(CsvTable::Read(dir + "/s" + std::to_string(k) + ".csv"));
  }
  const MergedSweep merged = MergeShards(&kTinyGrid, files);
  EXPECT_TRUE(merged.has_layers);
  EXPECT_TRUE(merged.has_summary);
  EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  EXPECT_EQ(merged.summary, ReadText(dir + "/summary.csv"));
  // A missing shard, a shard given twice and a foreign grid are errors.
  std::vector<CsvTable> partial(files.begin(), files.begin() + 4);
  EXPECT_THROW(MergeShards(&kTinyGrid, partial), UsageError);
  std::vector<CsvTable> twice = files;
  twice.push_back(files[0]);
  EXPECT_THROW(MergeShards(&kTinyGrid, twice), UsageError);
  std::vector<SweepSetting> other = kTinyGrid;
  other[1] = {"depth", "2"};
  EXPECT_THROW(MergeShards(&other, files), UsageError);
}

std::vector<CsvTable> ShardFiles(const std::string& dir, std::vector<int> order) {
  std::vector<CsvTable> files;
  for (int k : order) {
    files.push_back(CsvTable::Read(dir + "/l" + std::to_string(k) + ".csv"));
    files.push_back(CsvTable::Read(dir + "/s" + std::to_string(k) + ".csv"));
  }
  return files;
}

// Issue 18: shards say their grid, so merge needs nothing but the files.
TEST(SweepMerge, SelfDescribingShardsMergeAloneToTheUnshardedBytes) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  const std::vector<CsvTable> files = ShardFiles(dir, {2, 3, 1});
  EXPECT_NE(files[0].raw_header().find(",grid_run,grid_runs,grid_id"), std::string::npos);
  const MergedSweep merged = MergeShards(nullptr, files);
  EXPECT_STREQ(merged.mode->name, "run");
  EXPECT_EQ(merged.runs, 12u);
  EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  EXPECT_EQ(merged.summary, ReadText(dir + "/summary.csv"));
  // A missing shard is found from grid_runs, a shard given twice from grid_run.
  const std::vector<CsvTable> partial(files.begin(), files.begin() + 4);
  EXPECT_THROW(MergeShards(nullptr, partial), UsageError);
  std::vector<CsvTable> twice = files;
  twice.push_back(files[0]);
  EXPECT_THROW(MergeShards(nullptr, twice), UsageError);
  // An unsharded file does not say its grid.
  EXPECT_THROW(MergeShards(nullptr, {CsvTable::Read(dir + "/layers.csv")}), UsageError);
}

TEST(SweepMerge, ShardsOfAnotherGridOrSweepAreRefused) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  // Shard 2 of the same grid with one more seed: another grid_id and size.
  SweepRequest other = Request(dir);
  other.settings[4] = {"seed", "0..3"};
  other.shard = Shard{2, 3};
  other.out = dir + "/other_l2.csv";
  other.summary_out = "";
  other.aggregate_out = "";
  RunSweep(other, false, nullptr);
  const std::vector<CsvTable> mixed = {CsvTable::Read(dir + "/l1.csv"),
                                       CsvTable::Read(dir + "/other_l2.csv"),
                                       CsvTable::Read(dir + "/l3.csv")};
  try {
    MergeShards(nullptr, mixed);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("another sweep"), std::string::npos) << e.what();
  }
  // With grid options, a stamp must agree with the grid they make.
  EXPECT_THROW(MergeShards(&kTinyGrid, mixed), UsageError);
  // An edited stamp: run 0's rows claim to be grid_run 1.
  const std::string l1 = ReadText(dir + "/l1.csv");
  std::string edited = l1;
  const size_t at = edited.find(",0,12,");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 6, ",1,12,");
  std::vector<CsvTable> files = ShardFiles(dir, {1, 2, 3});
  files[0] = CsvTable::Parse("edited.csv", edited);
  EXPECT_THROW(MergeShards(nullptr, files), UsageError);
}

// Issue 17: the spectrum sweep shards and merges like a run sweep.
TEST(SweepMerge, SpectrumShardsMergeToTheUnshardedBytes) {
  const std::string dir = ScratchDir();
  const std::vector<SweepSetting> grid = {{"activation", "identity,tanh"},
                                          {"init", "xavier_normal,orthogonal"},
                                          {"depth", "2,3"},
                                          {"width", "6"},
                                          {"batch", "2"}};
  SweepRequest all;
  all.mode = "spectrum";
  all.settings = grid;
  all.jobs = 2;
  all.out = dir + "/spectrum.csv";
  all.per_layer = dir + "/layers.csv";
  RunSweep(all, false, nullptr);
  std::vector<CsvTable> files;
  for (int k = 1; k <= 3; ++k) {
    SweepRequest shard = all;
    shard.shard = Shard{k, 3};
    shard.out = dir + "/sp" + std::to_string(k) + ".csv";
    shard.per_layer = dir + "/pl" + std::to_string(k) + ".csv";
    RunSweep(shard, false, nullptr);
    files.push_back(CsvTable::Read(shard.per_layer));
    files.push_back(CsvTable::Read(shard.out));
  }
  for (const std::vector<SweepSetting>* settings :
       {&grid, (const std::vector<SweepSetting>*)nullptr}) {
    const MergedSweep merged = MergeShards(settings, files);
    EXPECT_STREQ(merged.mode->name, "spectrum");
    EXPECT_EQ(merged.summary, ReadText(dir + "/spectrum.csv"));
    EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  }
  // RunMerge: -o is the spectrum summary, --per-layer the layers.
  MergeRequest request;
  for (int k : {3, 1, 2}) {
    request.inputs.push_back(dir + "/sp" + std::to_string(k) + ".csv");
    request.inputs.push_back(dir + "/pl" + std::to_string(k) + ".csv");
  }
  request.out = dir + "/m.csv";
  request.per_layer = dir + "/m_l.csv";
  EXPECT_STREQ(RunMerge(request).mode->name, "spectrum");
  EXPECT_EQ(ReadText(dir + "/m.csv"), ReadText(dir + "/spectrum.csv"));
  EXPECT_EQ(ReadText(dir + "/m_l.csv"), ReadText(dir + "/layers.csv"));
  request.mode = "run";
  EXPECT_THROW(RunMerge(request), UsageError);
  request.mode = "";
  request.per_layer = "";
  EXPECT_THROW(RunMerge(request), UsageError);  // layer inputs need --per-layer
  // A run sweep's shard and a spectrum sweep's do not mix.
  SweepAndShards(dir);
  files.push_back(CsvTable::Read(dir + "/l1.csv"));
  EXPECT_THROW(MergeShards(nullptr, files), UsageError);
}

TEST(SweepMerge, OnlyTheKindsGivenAreMerged) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  std::vector<CsvTable> layers;
  for (int k = 1; k <= 3; ++k)
    layers.push_back(CsvTable::Read(dir + "/l" + std::to_string(k) + ".csv"));
  const MergedSweep merged = MergeShards(&kTinyGrid, layers);
  EXPECT_TRUE(merged.has_layers);
  EXPECT_FALSE(merged.has_summary);
  EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  EXPECT_TRUE(merged.summary.empty());
}

TEST(SweepMerge, RunMergeWritesTheUnshardedFilesAndTheAggregate) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  MergeRequest request;
  request.settings = kTinyGrid;
  for (int k : {2, 3, 1}) {
    request.inputs.push_back(dir + "/s" + std::to_string(k) + ".csv");
    request.inputs.push_back(dir + "/l" + std::to_string(k) + ".csv");
  }
  request.out = dir + "/m.csv";
  request.summary_out = dir + "/m_s.csv";
  request.aggregate_out = dir + "/m_a.csv";
  const MergeStats stats = RunMerge(request);
  EXPECT_EQ(stats.runs, 12u);
  EXPECT_EQ(stats.files, 6u);
  EXPECT_EQ(ReadText(dir + "/m.csv"), ReadText(dir + "/layers.csv"));
  EXPECT_EQ(ReadText(dir + "/m_s.csv"), ReadText(dir + "/summary.csv"));
  EXPECT_EQ(ReadText(dir + "/m_a.csv"), ReadText(dir + "/aggregate.csv"));
}

TEST(SweepMerge, RunMergeRefusesInconsistentRequestsBeforeWriting) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  MergeRequest request;
  request.settings = kTinyGrid;
  EXPECT_THROW(RunMerge(request), UsageError);  // no inputs
  // Summary inputs but no summary or aggregate output.
  for (int k = 1; k <= 3; ++k) {
    request.inputs.push_back(dir + "/l" + std::to_string(k) + ".csv");
    request.inputs.push_back(dir + "/s" + std::to_string(k) + ".csv");
  }
  request.out = dir + "/m.csv";
  EXPECT_THROW(RunMerge(request), UsageError);
  EXPECT_NE(Shell("test -e '" + dir + "/m.csv'"), 0);  // nothing written
  // An aggregate asked of layer CSVs only.
  request.inputs = {dir + "/l1.csv", dir + "/l2.csv", dir + "/l3.csv"};
  request.aggregate_out = dir + "/m_a.csv";
  EXPECT_THROW(RunMerge(request), UsageError);
  EXPECT_NE(Shell("test -e '" + dir + "/m.csv'"), 0);
  EXPECT_NE(Shell("test -e '" + dir + "/m_a.csv'"), 0);
}

}  // namespace
}  // namespace gradflow
