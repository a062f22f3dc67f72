// The run CSV column tables: names, docs, headers and the cells of real and hand-made runs.
#include "experiment/run_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace gradflow {
namespace {

TEST(Columns, HeaderAndRowsHaveTheSameFieldCount) {
  RunConfig c;
  c.depth = 2;
  c.width = 3;
  c.batch = 2;
  c.activation = ActivationKind::kLeakyRelu;
  const RunResult r = RunExperiment(c);
  auto fields = [](const std::string& line) { return std::count(line.begin(), line.end(), ','); };
  const std::string rows = LayerCsvRows(r);
  const std::string first_row = rows.substr(0, rows.find('\n'));
  EXPECT_EQ(fields(LayerCsvHeader()), fields(first_row));
  EXPECT_EQ(fields(SummaryCsvHeader()), fields(SummaryCsvRow(r)));
  EXPECT_EQ(
      first_row.rfind(
          "leaky_relu,0.01,xavier_uniform,,1,0,2,3,,none,,3,2,gaussian,1,probe,float32,0,1,hidden,"
          "3,3,",
          0),
      0u)
      << first_row;
}

// The names of a CSV's columns: config columns then the given table's.
template <typename Row>
std::vector<std::string> CsvNames(const std::vector<Column<Row>>& table) {
  std::vector<std::string> names;
  for (const auto& c : ConfigColumns()) names.push_back(c.name);
  for (const auto& c : table) names.push_back(c.name);
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string line;
  for (const std::string& name : names) line += (line.empty() ? "" : ",") + name;
  return line + "\n";
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    cells.push_back(
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    if (!std::islower(static_cast<unsigned char>(ch)) &&
        !std::isdigit(static_cast<unsigned char>(ch)) && ch != '_') {
      return false;
    }
  }
  return true;
}

bool IsNumber(const std::string& cell) {
  if (cell == "nan" || cell == "inf" || cell == "-inf") return true;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return !cell.empty() && end == cell.c_str() + cell.size();
}

template <typename Row>
void ExpectNamedAndDocumented(const std::vector<Column<Row>>& table, const char* what) {
  for (const auto& c : table) {
    const std::string name = c.name, doc = c.doc;
    EXPECT_TRUE(IsIdentifier(name)) << what << ": '" << name << "' is not a snake_case name";
    EXPECT_FALSE(doc.empty()) << what << " " << name;
    EXPECT_NE(doc, name) << what << ": the doc of " << name << " only repeats the name";
    EXPECT_EQ(doc.find('\n'), std::string::npos) << what << " " << name;
  }
}

TEST(Columns, NamesAreUniqueIdentifiersWithRealDocs) {
  ExpectNamedAndDocumented(ConfigColumns(), "config");
  ExpectNamedAndDocumented(LayerColumns(), "layer");
  ExpectNamedAndDocumented(SummaryColumns(), "summary");
  for (const auto& names : {CsvNames(LayerColumns()), CsvNames(SummaryColumns())}) {
    std::set<std::string> unique(names.begin(), names.end());
    EXPECT_EQ(unique.size(), names.size()) << "a column name repeats in " << Joined(names);
  }
}

TEST(Columns, HeadersAreTheNamesJoined) {
  EXPECT_EQ(LayerCsvHeader(), Joined(CsvNames(LayerColumns())));
  EXPECT_EQ(SummaryCsvHeader(), Joined(CsvNames(SummaryColumns())));
  EXPECT_EQ(LayerCsvHeader().rfind("activation,act_param,init,", 0), 0u);
}

// Cells that hold names rather than numbers; every other cell is a number, or empty where
// the column says it may be (act_param, init_param, widths, residual, pred_*, chi1).
const std::set<std::string> kTextColumns = {"activation", "init", "input",   "loss", "dtype",
                                            "kind",       "norm", "verdict", "phase"};
const std::set<std::string> kMayBeEmpty = {"act_param",
                                           "init_param",
                                           "widths",
                                           "residual",
                                           "pred_preact_q",
                                           "pred_delta_ratio",
                                           "pred_saturation_frac",
                                           "pred_vanishing_ratio",
                                           "pred_decay_per_layer",
                                           "chi1",
                                           "phase"};

void ExpectParseableCells(const std::vector<std::string>& names, const std::string& row) {
  const std::vector<std::string> cells = Cells(row.substr(0, row.find('\n')));
  ASSERT_EQ(cells.size(), names.size()) << row;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& cell = cells[i];
    if (cell.empty()) {
      EXPECT_TRUE(kMayBeEmpty.count(names[i])) << names[i] << " is empty in " << row;
    } else if (kTextColumns.count(names[i])) {
      EXPECT_TRUE(IsIdentifier(cell)) << names[i] << " = '" << cell << "'";
    } else {
      EXPECT_TRUE(IsNumber(cell)) << names[i] << " = '" << cell << "' is not a number";
    }
  }
}

TEST(Columns, EveryCellOfARealRunParses) {
  for (const char* loss : {"probe", "cross_entropy"}) {
    RunConfig c;
    c.depth = 3;
    c.width = 5;
    c.batch = 4;
    c.loss = ParseLoss(loss);
    c.classes = 3;
    c.activation = ParseActivation("elu");
    c.init = ParseInit("normal");
    const RunResult r = RunExperiment(c);
    const std::string rows = LayerCsvRows(r);
    EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), static_cast<long>(r.layers.size()));
    size_t begin = 0;
    for (size_t l = 0; l < r.layers.size(); ++l) {
      const size_t end = rows.find('\n', begin);
      ExpectParseableCells(CsvNames(LayerColumns()), rows.substr(begin, end - begin));
      begin = end + 1;
    }
    ExpectParseableCells(CsvNames(SummaryColumns()), SummaryCsvRow(r));
    // Each cell is its column's value: the row is the values joined in table order.
    const std::vector<std::string> cells =
        Cells(SummaryCsvRow(r).substr(0, SummaryCsvRow(r).size() - 1));
    size_t i = 0;
    for (const auto& column : ConfigColumns()) EXPECT_EQ(cells[i++], column.value(r.config));
    for (const auto& column : SummaryColumns()) EXPECT_EQ(cells[i++], column.value(r.summary));
    EXPECT_EQ(cells[ConfigColumns().size() + 6], r.summary.verdict);  // verdict is 7th
  }
}

TEST(Columns, RemedyColumnsOfAHandMadeRun) {
  RunResult r;
  SetWidths({4, 6}, &r.config);
  r.config.norm = NormKind::kBatch;
  r.config.residual = true;
  r.config.residual_scale = 0.5;
  LayerMetrics m;
  m.delta_norm = 1.5;
  m.delta_norm_post = 2.5;
  r.layers = {m};
  const std::vector<std::string> names = CsvNames(LayerColumns());
  const std::string row = LayerCsvRows(r);
  const std::vector<std::string> cells = Cells(row.substr(0, row.size() - 1));
  std::map<std::string, std::string> cell;
  for (size_t i = 0; i < names.size(); ++i) cell[names[i]] = cells[i];
  EXPECT_EQ(cell["depth"], "2");
  EXPECT_EQ(cell["width"], "6");  // the widest
  EXPECT_EQ(cell["widths"], "4x6");
  EXPECT_EQ(cell["norm"], "batch");
  EXPECT_EQ(cell["residual"], "0.5");
  EXPECT_EQ(cell["delta_norm"], "1.5");
  EXPECT_EQ(cell["delta_norm_post"], "2.5");
}

TEST(Columns, ValuesOfAHandMadeRun) {
  RunResult r;
  r.config.activation = ParseActivation("maxout");
  r.config.activation_params.maxout_pieces = 3;
  r.config.init = ParseInit("normal");
  r.config.init_params.init_std = 0.02;
  r.config.width = 7;
  r.config.seed = 12345678901234ull;
  LayerMetrics m;
  m.layer = 2;
  m.kind = "head";
  m.delta_norm = 1e-30;
  m.pred_preact_q = 0.5;
  r.layers = {m};
  r.summary.verdict = "vanishing";
  r.summary.vanishing_ratio = 0.1;
  const std::vector<std::string> config = Cells(LayerCsvRows(r));
  EXPECT_EQ(config[0], "maxout");
  EXPECT_EQ(config[1], "3");     // act_param: maxout pieces
  EXPECT_EQ(config[3], "0.02");  // init_param: --init-std
  EXPECT_EQ(config[8], "");      // widths: equal
  EXPECT_EQ(config[9], "none");  // norm
  EXPECT_EQ(config[10], "");     // residual: none
  EXPECT_EQ(config[11], "7");    // input_dim = width when 0
  EXPECT_EQ(config[17], "12345678901234");
  std::map<std::string, std::string> layer;
  const std::vector<std::string> names = CsvNames(LayerColumns());
  std::string row = LayerCsvRows(r);
  const std::vector<std::string> cells = Cells(row.substr(0, row.size() - 1));
  for (size_t i = 0; i < names.size(); ++i) layer[names[i]] = cells[i];
  EXPECT_EQ(layer["layer"], "2");
  EXPECT_EQ(layer["kind"], "head");
  EXPECT_EQ(layer["delta_norm"], "1e-30");
  EXPECT_EQ(layer["pred_preact_q"], "0.5");
  EXPECT_EQ(layer["pred_delta_ratio"], "");  // not predicted: an empty cell, not nan
  EXPECT_EQ(SummaryColumns()[1].value(r.summary), "0.1");
}

}  // namespace
}  // namespace gradflow
