#include "experiment/histogram_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiment/run.h"
#include "io/csv_reader.h"
#include "test_util.h"

namespace gradflow {
namespace {

namespace fs = std::filesystem;
using testing_util::Config;

TEST(HistogramColumns, CsvHasConfigColumnsThenOneRowPerBin) {
  const RunConfig config = Config("relu", "he_normal", 2, 4, 3);
  const auto histograms = RunHistograms(config, 3);
  const std::string header = HistogramCsvHeader();
  EXPECT_EQ(header.rfind("activation,act_param,init,", 0), 0u) << header;
  EXPECT_NE(header.find(",seed,step,layer,quantity,bin_lo,bin_hi,count\n"), std::string::npos)
      << header;
  const std::string rows = HistogramCsvRows(config, histograms);
  size_t bins = 0;
  for (const LayerHistogram& h : histograms) bins += h.bins.size();
  EXPECT_EQ(static_cast<size_t>(std::count(rows.begin(), rows.end(), '\n')), bins);
  EXPECT_EQ(rows.rfind("relu,,he_normal,", 0), 0u) << rows.substr(0, 80);
  EXPECT_NE(rows.find(",0,1,delta,-inf,-inf,"), std::string::npos);  // ReLU zeros
  // Every row has as many fields as the header.
  const auto fields = [](const std::string& line) {
    return std::count(line.begin(), line.end(), ',');
  };
  std::istringstream in(rows);
  for (std::string line; std::getline(in, line);) EXPECT_EQ(fields(line), fields(header));
  // And it reads back as CSV, the zero bin's edges as -inf.
  const CsvTable table = CsvTable::Parse("hist.csv", header + rows);
  ASSERT_EQ(table.rows().size(), bins);
  const int quantity = table.RequireColumn("quantity"), lo = table.RequireColumn("bin_lo");
  size_t zero_bins = 0;
  for (size_t r = 0; r < bins; ++r) {
    if (table.rows()[r].field(quantity) == "delta" && table.Number(r, lo) == -HUGE_VAL) {
      ++zero_bins;
    }
  }
  EXPECT_EQ(zero_bins, 2u);  // one per layer
}

TEST(HistogramColumns, CsvIsIdenticalAtAnyThreadCount) {
  RunConfig config = Config("tanh", "he_normal", 4, 200, 70);
  config.threads = 1;
  const std::string one = HistogramCsvRows(config, RunHistograms(config, 20));
  config.threads = 2;
  RunExperiment(config);  // sets the thread count
  EXPECT_EQ(HistogramCsvRows(config, RunHistograms(config, 20)), one);
}

TEST(HistogramColumns, EveryColumnIsDocumented) {
  std::string docs;
  for (const char* file : {"/README.md", "/docs/pictures.md"}) {
    std::ifstream in(std::string(GRADFLOW_SOURCE_DIR) + file);
    std::stringstream s;
    s << in.rdbuf();
    docs += s.str();
  }
  for (const auto& column : HistogramColumns()) {
    EXPECT_NE(docs.find(std::string("`") + column.name + "`"), std::string::npos) << column.name;
  }
}

// The CLI: `gradflow run --histograms FILE --histogram-bins N`, in dir;
// returns the exit code.
int RunWithHistograms(const std::string& dir, const std::string& args) {
  return testing_util::Gradflow(dir, "run --depth 3 --width 5 --batch 4 -q " + args);
}

TEST(HistogramCli, WritesTheHistogramCsv) {
  const std::string dir = testing_util::ScratchDir();
  ASSERT_EQ(RunWithHistograms(dir,
                              "-o l.csv --histograms hist.csv --histogram-bins 7 "
                              "--activation relu --init he_normal"),
            0)
      << testing_util::ReadText(dir + "/err.txt");
  const CsvTable table = CsvTable::Read(dir + "/hist.csv");
  EXPECT_EQ(table.raw_header() + "\n", HistogramCsvHeader());
  // 3 layers × (7 preact + 7 act + 7 delta + the delta zero bin).
  EXPECT_EQ(table.rows().size(), 3u * (7 + 7 + 7 + 1));
}

TEST(HistogramCli, BadBinsOrDestinationFailBeforeWritingAnything) {
  const std::string dir = testing_util::ScratchDir();
  struct Case {
    std::string args, option;
  };
  for (const Case& c : std::vector<Case>{
           {"-o l.csv --histograms h.csv --histogram-bins 0", "--histogram-bins"},
           {"-o l.csv --histograms h.csv --histogram-bins 20000", "--histogram-bins"},
           {"--histograms -", "--histograms"},
           {"-o l.csv --histograms missing/h.csv", "--histograms"},
       }) {
    EXPECT_EQ(RunWithHistograms(dir, c.args), 2) << c.args;
    const std::string err = testing_util::ReadText(dir + "/err.txt");
    EXPECT_NE(err.find(c.option), std::string::npos) << c.args << ": " << err;
    EXPECT_FALSE(fs::exists(dir + "/l.csv")) << c.args;
    EXPECT_FALSE(fs::exists(dir + "/h.csv")) << c.args;
  }
}

}  // namespace
}  // namespace gradflow
