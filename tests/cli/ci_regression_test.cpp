// The dogfooding check: the committed baseline sweep reproduces, and the CI
// script catches a regression.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;
using testing_util::WriteText;

const std::string kEnv = "GRADFLOW='" GRADFLOW_BINARY "' ";

TEST(CiRegression, CommittedBaselineReproduces) {
  const std::string dir = ScratchDir();
  const int code = Shell(kEnv + "'" GRADFLOW_SOURCE_DIR "/scripts/ci_regression_check.sh' '" + dir +
                         "' > '" + dir + "/log.txt' 2>&1");
  EXPECT_EQ(code, 0) << ReadText(dir + "/log.txt")
                     << "\n(after an intended change: scripts/ci_regression_check.sh --update)";
}

TEST(CiRegression, ScriptFailsWithExitOneOnAMovedBaseline) {
  // A copy of the script and baseline, with one delta_norm of the baseline
  // layer CSV doubled (0.3 decades, beyond the 0.05 tolerance).
  const std::string root = ScratchDir();
  ASSERT_EQ(
      Shell("mkdir -p '" + root + "/results' && cp -r '" GRADFLOW_SOURCE_DIR "/scripts' '" + root +
            "/' && cp -r '" GRADFLOW_SOURCE_DIR "/results/baselines' '" + root + "/results/'"),
      0);
  const std::string layers = root + "/results/baselines/layers.csv";
  std::string text = ReadText(layers);
  // Row 2 (the first data row): replace its delta_norm field by twice its value.
  const size_t header_end = text.find('\n');
  std::vector<std::string> header;
  {
    std::string h = text.substr(0, header_end);
    size_t start = 0;
    while (true) {
      const size_t comma = h.find(',', start);
      header.push_back(h.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  const size_t column = std::find(header.begin(), header.end(), "delta_norm") - header.begin();
  ASSERT_LT(column, header.size());
  size_t field_start = header_end + 1;
  for (size_t c = 0; c < column; ++c) field_start = text.find(',', field_start) + 1;
  const size_t field_end = text.find(',', field_start);
  const double value = std::stod(text.substr(field_start, field_end - field_start));
  text.replace(field_start, field_end - field_start, std::to_string(2 * value));
  WriteText(layers, text);
  const int code = Shell(kEnv + "'" + root + "/scripts/ci_regression_check.sh' '" + root +
                         "/out' > '" + root + "/log.txt' 2>&1");
  EXPECT_EQ(code, 1) << ReadText(root + "/log.txt");
  EXPECT_NE(ReadText(root + "/out/check_layers.md").find("delta_norm"), std::string::npos);
}

}  // namespace
}  // namespace gradflow
