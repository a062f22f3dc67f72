// Merging sharded sweeps: MergeShards gives the unsharded files; RunMerge writes them and
// refuses inconsistent requests before writing anything.
#include "sweep/sweep_merge.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/csv_reader.h"
#include "sweep/sweep.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;

// A tiny grid: 2 activations x 2 depths x 3 seeds = 12 runs in milliseconds.
const std::vector<SweepSetting> kGrid = {{"activation", "tanh,relu"},
                                         {"depth", "2,4"},
                                         {"width", "6"},
                                         {"batch", "5"},
                                         {"seed", "0..2"},
                                         {"loss", "probe"}};

SweepRequest Request(const std::string& dir) {
  SweepRequest request;
  request.settings = kGrid;
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
  const MergedSweep merged = MergeShards(ExpandGrid(kGrid), files);
  EXPECT_TRUE(merged.has_layers);
  EXPECT_TRUE(merged.has_summary);
  EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  EXPECT_EQ(merged.summary, ReadText(dir + "/summary.csv"));
  // A missing shard, a shard given twice and a foreign grid are errors.
  std::vector<CsvTable> partial(files.begin(), files.begin() + 4);
  EXPECT_THROW(MergeShards(ExpandGrid(kGrid), partial), UsageError);
  std::vector<CsvTable> twice = files;
  twice.push_back(files[0]);
  EXPECT_THROW(MergeShards(ExpandGrid(kGrid), twice), UsageError);
  std::vector<SweepSetting> other = kGrid;
  other[1] = {"depth", "2"};
  EXPECT_THROW(MergeShards(ExpandGrid(other), files), UsageError);
}

TEST(SweepMerge, OnlyTheKindsGivenAreMerged) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  std::vector<CsvTable> layers;
  for (int k = 1; k <= 3; ++k)
    layers.push_back(CsvTable::Read(dir + "/l" + std::to_string(k) + ".csv"));
  const MergedSweep merged = MergeShards(ExpandGrid(kGrid), layers);
  EXPECT_TRUE(merged.has_layers);
  EXPECT_FALSE(merged.has_summary);
  EXPECT_EQ(merged.layers, ReadText(dir + "/layers.csv"));
  EXPECT_TRUE(merged.summary.empty());
}

TEST(SweepMerge, RunMergeWritesTheUnshardedFilesAndTheAggregate) {
  const std::string dir = ScratchDir();
  SweepAndShards(dir);
  MergeRequest request;
  request.settings = kGrid;
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
  request.settings = kGrid;
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
