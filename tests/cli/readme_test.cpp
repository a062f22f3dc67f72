// Keeps the README true: every CSV column has a row in its table in "CSV columns", no row
// names a column that does not exist, and every activation and init is named in code.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/activation.h"
#include "engine/init.h"
#include "experiment/run_columns.h"

namespace gradflow {
namespace {

std::string Readme() {
  std::ifstream in(std::string(GRADFLOW_SOURCE_DIR) + "/README.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The "## CSV columns" section: from its heading to the next "## " heading.
std::string CsvColumnsSection(const std::string& readme) {
  const size_t begin = readme.find("\n## CSV columns\n");
  if (begin == std::string::npos) return "";
  const size_t end = readme.find("\n## ", begin + 1);
  return readme.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// The code spans (`name`) of the first cell of every row of the first Markdown table after
// `marker` in `text`, header and separator rows excluded.
std::vector<std::string> FirstCellNames(const std::string& text, const std::string& marker) {
  std::vector<std::string> names;
  const size_t at = text.find(marker);
  if (at == std::string::npos) return names;
  std::istringstream lines(text.substr(at));
  std::string line;
  bool in_table = false;
  int row = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    if (row++ < 2) continue;  // header and |---|
    const std::string cell = line.substr(1, line.find('|', 1) - 1);
    for (size_t open = cell.find('`'); open != std::string::npos;) {
      const size_t close = cell.find('`', open + 1);
      if (close == std::string::npos) break;
      names.push_back(cell.substr(open + 1, close - open - 1));
      open = cell.find('`', close + 1);
    }
  }
  return names;
}

template <typename Row>
void ExpectTableMatches(const std::vector<Column<Row>>& columns, const std::string& section,
                        const std::string& marker) {
  const std::vector<std::string> rows = FirstCellNames(section, marker);
  ASSERT_FALSE(rows.empty()) << "no table after '" << marker << "' in README's CSV columns";
  const std::set<std::string> documented(rows.begin(), rows.end());
  std::set<std::string> names;
  for (const auto& c : columns) {
    names.insert(c.name);
    EXPECT_TRUE(documented.count(c.name))
        << "column " << c.name << " has no row in the README table after '" << marker << "'";
  }
  for (const std::string& name : documented) {
    EXPECT_TRUE(names.count(name)) << "the README table after '" << marker << "' documents `"
                                   << name << "`, which is not a column";
  }
}

TEST(Readme, EveryCsvColumnHasARowInItsTable) {
  const std::string section = CsvColumnsSection(Readme());
  ASSERT_FALSE(section.empty()) << "README has no '## CSV columns' section";
  ExpectTableMatches(ConfigColumns(), section, "Configuration columns");
  ExpectTableMatches(LayerColumns(), section, "Per-layer columns");
  ExpectTableMatches(SummaryColumns(), section, "Summary columns");
}

TEST(Readme, NamesEveryActivationAndInitInCode) {
  const std::string readme = Readme();
  for (const auto& name : ActivationNames()) {
    EXPECT_NE(readme.find("`" + name + "`"), std::string::npos) << name;
  }
  for (const auto& name : InitNames()) {
    EXPECT_NE(readme.find("`" + name + "`"), std::string::npos) << name;
  }
}

TEST(Readme, FirstCellNamesReadsOnlyTheTableAfterTheMarker) {
  // The parser itself: only first cells, only the first table after the marker.
  const std::string text =
      "| `a` | x |\n\nMarker\n\n| column | doc |\n|---|---|\n| `b`, `c` | `d` |\n| `e` | y "
      "|\n\n| `f` | z |\n";
  EXPECT_EQ(FirstCellNames(text, "Marker"), (std::vector<std::string>{"b", "c", "e"}));
  EXPECT_TRUE(FirstCellNames(text, "Absent").empty());
}

}  // namespace
}  // namespace gradflow
