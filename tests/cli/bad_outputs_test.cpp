// No lost output and no destroyed file, whatever the output options name: a
// full disk is an error, two outputs (or an output and an input) naming one
// file are refused before any work, links and /dev/stdout are never replaced,
// and a run's outputs appear together.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "test_util.h"

namespace gradflow {
namespace {

namespace fs = std::filesystem;
using testing_util::Gradflow;
using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;
using testing_util::WriteText;

const std::string kQuickRun = "run --depth 2 --width 4 --batch 3 -q";
const std::string kSmallSweep = "sweep --depth 2 --width 4 --batch 3 --seeds 0..1 -q";

// Runs `gradflow ARGS` in `dir` with stdout on the always-full /dev/full.
int GradflowToFullDisk(const std::string& dir, const std::string& args) {
  return Shell("cd '" + dir + "' && '" GRADFLOW_BINARY "' " + args + " >/dev/full 2>err.txt");
}

// Regression: `gradflow run > /dev/full` (and every other command) exited 0.
TEST(BadOutputs, StdoutOnAFullDiskIsAFailureWithAMessage) {
  const std::string dir = ScratchDir();
  ASSERT_EQ(Gradflow(dir, kSmallSweep + " -o layers.csv --summary-out summary.csv"), 0);
  const struct {
    std::string args;
    int exit_code;
  } cases[] = {
      {kQuickRun, 1},
      {kSmallSweep, 1},
      {kSmallSweep + " --dry-run", 1},
      {"theory --depth 3", 1},
      {"train --depth 2 --width 4 --steps 2 -q", 1},
      {"list", 1},
      {"--help", 1},
      // check's 1 says "regression"; a failed write is 3.
      {"check summary.csv --baseline summary.csv", 3},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    EXPECT_EQ(GradflowToFullDisk(dir, c.args), c.exit_code);
    EXPECT_NE(ReadText(dir + "/err.txt").find("error writing to stdout: No space left on device"),
              std::string::npos)
        << ReadText(dir + "/err.txt");
  }
}

TEST(BadOutputs, CheckReportsOnAFullDiskExitThreeNotOne) {
  const std::string dir = ScratchDir();
  ASSERT_EQ(Gradflow(dir, kSmallSweep + " -o layers.csv --summary-out summary.csv"), 0);
  EXPECT_EQ(Gradflow(dir, "check summary.csv --baseline summary.csv -q"), 0);
  EXPECT_EQ(Gradflow(dir, "check summary.csv --baseline summary.csv -q --junit /dev/full"), 3);
  EXPECT_EQ(Gradflow(dir, "check summary.csv --baseline summary.csv -q --markdown /dev/full"), 3);
}

// Regression: two outputs on one file, or an output over an input, ran and
// left one file overwriting the other (or destroyed the input).
TEST(BadOutputs, TheSameFileForTwoOutputsOrAnInputIsRefusedBeforeAnyWork) {
  const std::string dir = ScratchDir();
  ASSERT_EQ(Gradflow(dir, kSmallSweep + " -o layers.csv --summary-out summary.csv"), 0);
  ASSERT_EQ(Gradflow(dir, kQuickRun + " -o run.csv --save-model model.safetensors"), 0);
  WriteText(dir + "/run.toml", "depth = 2\n");
  const std::string summary = ReadText(dir + "/summary.csv");
  const std::string model = ReadText(dir + "/model.safetensors");
  const std::string cases[] = {
      kQuickRun + " -o a.csv --summary-out a.csv",
      kQuickRun + " -o a.csv --histograms ./a.csv",
      kQuickRun + " -o a.csv --save-model a.csv",
      "run -q --load-model model.safetensors --save-model model.safetensors -o a.csv",
      "run -q --load-model model.safetensors -o model.safetensors",
      kQuickRun + " --config run.toml -o run.toml",
      kSmallSweep + " -o a.csv --summary-out a.csv",
      kSmallSweep + " -o a.csv --aggregate-out sub/../a.csv",
      kSmallSweep + " -o a.csv --summary-out a.csv.journal",
      "merge summary.csv -o a.csv --summary-out summary.csv",
      "sweep --merge summary.csv -o a.csv --aggregate-out summary.csv",
      "train --depth 2 --width 4 --steps 2 -q -o a.csv --curve-out a.csv",
      "theory --config run.toml -o run.toml",
      "check layers.csv --junit layers.csv",
      "check layers.csv --baseline summary.csv --markdown summary.csv",
      "check layers.csv --junit r.xml --markdown r.xml",
  };
  Shell("mkdir '" + dir + "/sub'");
  for (const std::string& args : cases) {
    SCOPED_TRACE(args);
    EXPECT_EQ(Gradflow(dir, args), 2);
    const std::string err = ReadText(dir + "/err.txt");
    EXPECT_NE(err.find("is the same file as"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(dir + "/a.csv"));
    EXPECT_FALSE(fs::exists(dir + "/r.xml"));
  }
  EXPECT_EQ(ReadText(dir + "/summary.csv"), summary);
  EXPECT_EQ(ReadText(dir + "/model.safetensors"), model);
  EXPECT_EQ(ReadText(dir + "/run.toml"), "depth = 2\n");
}

// Regression: as root, `--summary-out /dev/stdout` replaced the /dev/stdout link
// with a regular file; any symlinked output lost its link.
TEST(BadOutputs, SymlinkedOutputsStayLinksAndDevStdoutIsStdout) {
  const std::string dir = ScratchDir();
  ASSERT_EQ(symlink("target.csv", (dir + "/link.csv").c_str()), 0);
  ASSERT_EQ(Gradflow(dir, kQuickRun + " -o layers.csv --summary-out link.csv"), 0);
  EXPECT_TRUE(fs::is_symlink(dir + "/link.csv"));
  EXPECT_NE(ReadText(dir + "/target.csv").find("vanishing_ratio"), std::string::npos);
  ASSERT_EQ(symlink("/dev/stdout", (dir + "/stdout_link").c_str()), 0);
  ASSERT_EQ(Gradflow(dir, kQuickRun + " -o layers.csv --summary-out stdout_link"), 0);
  EXPECT_TRUE(fs::is_symlink(dir + "/stdout_link"));
  EXPECT_NE(ReadText(dir + "/out.txt").find("vanishing_ratio"), std::string::npos);
  ASSERT_EQ(Gradflow(dir, kQuickRun + " -o layers.csv --summary-out /dev/stdout"), 0);
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));
  EXPECT_NE(ReadText(dir + "/out.txt").find("vanishing_ratio"), std::string::npos);
}

// Regression: run wrote its outputs one after another, so a failure in a later
// one left the earlier ones replaced: now none is.
TEST(BadOutputs, RunReplacesAllItsOutputsOrNone) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/layers.csv", "old layers\n");
  EXPECT_EQ(Gradflow(dir, kQuickRun + " -o layers.csv --summary-out /dev/full"), 1);
  EXPECT_EQ(ReadText(dir + "/layers.csv"), "old layers\n");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    files += entry.path().filename().string().rfind(".gf.", 0) == 0;
  }
  EXPECT_EQ(files, 0);
}

// Regression: a 250-character output name failed "File name too long".
TEST(BadOutputs, A250CharacterOutputNameWorks) {
  const std::string dir = ScratchDir();
  const std::string name = std::string(246, 'r') + ".csv";
  EXPECT_EQ(Gradflow(dir, kQuickRun + " -o " + name), 0) << ReadText(dir + "/err.txt");
  EXPECT_TRUE(fs::exists(dir + "/" + name));
}

}  // namespace
}  // namespace gradflow
