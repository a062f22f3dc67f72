// Outputs that would overwrite each other or an input are refused before any work.
#include "io/output_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "base/error.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::ScratchDir;
using testing_util::WriteText;

// The UsageError message of CheckDistinctPaths, or "" when it passes.
std::string Refusal(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
  try {
    CheckDistinctPaths(outputs, inputs);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(OutputPaths, DistinctOutputsAndInputsPass) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/in.csv", "a\n");
  EXPECT_EQ(Refusal({{"--out", dir + "/a.csv"}, {"--summary-out", dir + "/b.csv"}, {"--x", ""}},
                    {{"input", dir + "/in.csv"}, {"--baseline", ""}}),
            "");
  // /dev/null twice destroys nothing; stdin is never compared.
  EXPECT_EQ(Refusal({{"--out", "/dev/null"}, {"--summary-out", "/dev/null"}}, {{"input", "-"}}),
            "");
}

TEST(OutputPaths, TheSameNewFileTwiceIsRefusedEvenSpelledDifferently) {
  const std::string dir = ScratchDir();
  const std::string message =
      Refusal({{"--out", dir + "/a.csv"}, {"--summary-out", dir + "/./sub/../a.csv"}}, {});
  EXPECT_NE(message.find("--summary-out"), std::string::npos) << message;
  EXPECT_NE(message.find("--out"), std::string::npos) << message;
}

TEST(OutputPaths, TwoOutputsOnStdoutAreRefused) {
  EXPECT_NE(Refusal({{"--out", "-"}, {"--histograms", "-"}}, {}).find("stdout"), std::string::npos);
}

TEST(OutputPaths, AnOutputThatIsAnInputIsRefusedThroughLinks) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/shard.csv", "a\n");
  ASSERT_EQ(symlink("shard.csv", (dir + "/link.csv").c_str()), 0);
  ASSERT_EQ(link((dir + "/shard.csv").c_str(), (dir + "/hard.csv").c_str()), 0);
  for (const char* output : {"/shard.csv", "/link.csv", "/hard.csv"}) {
    const std::string message = Refusal({{"--out", dir + output}}, {{"input", dir + "/shard.csv"}});
    EXPECT_NE(message.find("destroy the input"), std::string::npos) << output << ": " << message;
  }
}

TEST(OutputPaths, ADanglingLinkAndItsTargetAreTheSameOutput) {
  const std::string dir = ScratchDir();
  ASSERT_EQ(symlink("target.csv", (dir + "/link.csv").c_str()), 0);
  EXPECT_NE(Refusal({{"--out", dir + "/link.csv"}, {"--summary-out", dir + "/target.csv"}}, {}),
            "");
}

}  // namespace
}  // namespace gradflow
