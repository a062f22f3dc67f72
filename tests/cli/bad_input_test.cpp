// Bad input at the command line: each is refused with exit 2 and a message
// naming the option, the value and what is allowed -- quickly, before any
// computation, and without reading unbounded input (README "Bad input and
// failures").
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Gradflow;
using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;
using testing_util::WriteText;

const char kSmallRun[] = "run --depth 2 --width 4 --batch 2 -q ";

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ScratchDir(); }

  // Runs gradflow ARGS in the scratch folder; expects exit 2 and every one of
  // `needles` in stderr, within `seconds`.
  void ExpectRefused(const std::string& args, const std::vector<std::string>& needles,
                     int seconds = 20) const {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Gradflow(dir_, args), 2) << args << "\n" << Err();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(seconds)) << args;
    for (const std::string& needle : needles) {
      EXPECT_NE(Err().find(needle), std::string::npos) << args << ": " << Err();
    }
  }
  std::string Err() const { return ReadText(dir_ + "/err.txt"); }

  std::string dir_;
};

TEST_F(BadInput, EndlessOrOversizedInputsAreRefusedAtTheirLimit) {
  ExpectRefused(std::string(kSmallRun) + "--config /dev/zero", {"--config", "/dev/zero", "device"},
                5);
  ExpectRefused("check /dev/zero", {"/dev/zero", "device"}, 5);
  EXPECT_EQ(Gradflow(dir_, std::string(kSmallRun) + "-o a.csv"), 0) << Err();
  ExpectRefused("merge a.csv /dev/zero", {"/dev/zero", "device"}, 5);
  // A pipe is read only up to the limit: 1 MiB + 1 byte of config, then refused.
  EXPECT_EQ(Shell("cd '" + dir_ + "' && head -c 2000000 /dev/zero | '" GRADFLOW_BINARY "' " +
                  kSmallRun + "--config /dev/stdin >out.txt 2>err.txt"),
            2);
  EXPECT_NE(Err().find("--config: '/dev/stdin' is larger than 1 MiB"), std::string::npos) << Err();
}

TEST_F(BadInput, ConfigPathThatIsAFolderOrEmptyIsRefused) {
  ExpectRefused(std::string(kSmallRun) + "--config .", {"--config", "it is a folder"});
  ExpectRefused(std::string(kSmallRun) + "--config ''", {"--config", "file name is empty"});
}

TEST_F(BadInput, NumbersMustBePlainDecimalsInRange) {
  ExpectRefused(std::string(kSmallRun) + "--seed 18446744073709551616",
                {"--seed", "18446744073709551616", "out of range"});
  ExpectRefused(std::string(kSmallRun) + "--seed 0x10", {"--seed", "0x10", "decimal digits"});
  ExpectRefused(std::string(kSmallRun) + "--seed ''", {"--seed", "not a non-negative integer"});
  ExpectRefused(std::string(kSmallRun) + "--gain ''", {"--gain", "not a number"});
  ExpectRefused("check --max-rows -1 x.csv", {"--max-rows", "-1", "non-negative integer"});
  WriteText(dir_ + "/c.toml", "seed = 0x10\n");
  ExpectRefused(std::string(kSmallRun) + "--config c.toml", {"seed", "0x10"});
}

TEST_F(BadInput, CheckOptionsAreCheckedLikeRunsAndListsHaveNoEmptyNames) {
  ExpectRefused("check --vanishing-threshold 10 --exploding-threshold 1 x.csv",
                {"--vanishing-threshold (10)", "--exploding-threshold (1)"});
  ExpectRefused("check --metrics a,,b x.csv", {"--metrics", "empty name"});
}

TEST_F(BadInput, RepeatedNamesAndStepsAreRefused) {
  ExpectRefused("theory --activation relu,relu", {"--activation", "'relu' appears twice"});
  ExpectRefused("train --depth 2 --width 4 --batch 2 --steps 3 -q --log-steps 0,1,1",
                {"--log-steps", "increasing order"});
}

TEST_F(BadInput, UnterminatedConfigArrayIsRefusedWithItsKey) {
  WriteText(dir_ + "/c.toml", "depth = 2\nseed = [1, 2\nwidth = 4\n");
  ExpectRefused("sweep --config c.toml --dry-run", {"c.toml", "key 'seed'", "never closed"});
}

// `quiet = []` crashed every command (CLI11's flag callback read the first of
// no values); found by the config_file fuzzer.
TEST_F(BadInput, EmptyConfigListIsRefusedWithItsKey) {
  for (const char* line : {"quiet = []\n", "depth = []\n", "activation = []\n"}) {
    WriteText(dir_ + "/c.toml", line);
    const std::string key = std::string(line).substr(0, std::string(line).find(' '));
    ExpectRefused(std::string(kSmallRun) + "--config c.toml",
                  {"c.toml", "key '" + key + "'", "empty list"});
    ExpectRefused("sweep --config c.toml --dry-run", {"key '" + key + "'", "empty list"});
  }
}

TEST_F(BadInput, OptionsThatWouldDoNothingOrFailLateAreRefusedFirst) {
  ExpectRefused(std::string(kSmallRun) + "--histogram-bins 5",
                {"--histogram-bins", "--histograms"});
  ExpectRefused(std::string(kSmallRun) + "--gain 0", {"--gain must not be 0"});
  ExpectRefused(std::string(kSmallRun) + "--init normal --init-std 0", {"--init-std"});
  ExpectRefused("run --depth 2 --width 4 --batch 2 -q -o ''", {"--out", "file name is empty"}, 10);
  ExpectRefused("train --depth 2 --width 4 --batch 2 --epochs 4611686018427387904",
                {"--epochs 4611686018427387904"});
  ExpectRefused("theory --activation maxout --width 2000000000",
                {"--width 2000000000 x --maxout-pieces 2"});
}

TEST_F(BadInput, RemedyCombinationsThatCannotWorkAreRefused) {
  ExpectRefused("run -q --widths 8,6,4 --residual",
                {"--residual needs hidden layers of equal", "--widths 8x6x4"});
  ExpectRefused("run -q --widths 8,6 --depth 3", {"--widths 8,6 and --depth 3"});
  ExpectRefused("run -q --widths 8,0", {"--widths", "bad entry '0'"});
  ExpectRefused("run -q --depth 2 --width 4 --residual-scale 0.5",
                {"--residual-scale 0.5 applies with --residual only"});
  ExpectRefused("run -q --depth 2 --width 4 --residual --residual-scale -1",
                {"--residual-scale must be > 0, got -1"});
  ExpectRefused("run -q --depth 2 --width 4 --batch 1 --norm batch",
                {"--norm batch needs --batch >= 2"});
  ExpectRefused("run -q --depth 2 --width 4 --norm group", {"--norm", "'group'", "batch, layer"});
  ExpectRefused("spectrum -q --depth 2 --width 4 --norm layer",
                {"spectrum measures plain MLPs", "--norm layer"});
  ExpectRefused("sweep -q --widths 8x4 --depth 2", {"--widths and --depth"});
  ExpectRefused("sweep -q --residual maybe", {"--residual", "'maybe'", "off or on"});
  ExpectRefused("train -q --widths 8,4 --residual --steps 2", {"--residual needs"});
  // A model file and a command line that disagree on the architecture.
  ASSERT_EQ(Gradflow(dir_,
                     "run -q --depth 2 --width 4 --batch 3 --norm layer --residual "
                     "--save-model m.safetensors -o a.csv"),
            0)
      << Err();
  ExpectRefused("run -q --load-model m.safetensors --norm batch",
                {"--norm batch contradicts --load-model", "'norm' = 'layer'"});
  ExpectRefused("run -q --load-model m.safetensors --residual --residual-scale 2",
                {"--residual-scale 2 contradicts"});
  ASSERT_EQ(Gradflow(dir_,
                     "run -q --depth 2 --width 4 --batch 3 --save-model p.safetensors "
                     "-o p.csv"),
            0)
      << Err();
  ExpectRefused("run -q --load-model p.safetensors --residual", {"--residual contradicts"});
  // Widths as a TOML array, and the same network as the CSV writes it.
  WriteText(dir_ + "/w.toml", "widths = [8, 6, 4]\nbatch = 3\n");
  EXPECT_EQ(Gradflow(dir_, "run -q --config w.toml -o w.csv"), 0) << Err();
  EXPECT_NE(ReadText(dir_ + "/w.csv").find(",3,8,8x6x4,none,,"), std::string::npos);
}

TEST_F(BadInput, ByteOrderMarkIsSkippedInConfigsAndCsvs) {
  WriteText(dir_ + "/c.toml",
            "\xEF\xBB\xBF"
            "depth = 2\nwidth = 4\nbatch = 2\n");
  EXPECT_EQ(Gradflow(dir_, "run -q --config c.toml -o a.csv"), 0) << Err();
  const std::string csv = ReadText(dir_ + "/a.csv");
  WriteText(dir_ + "/bom.csv", "\xEF\xBB\xBF" + csv);
  EXPECT_EQ(Gradflow(dir_, "check -q bom.csv -b a.csv"), 0) << Err();
}

TEST_F(BadInput, NonNumericCountsInCheckedCsvsAreErrorsNotHealthy) {
  ASSERT_EQ(Gradflow(dir_, std::string(kSmallRun) + "-o a.csv"), 0) << Err();
  // nonfinite is the column after act_mean; make it "nan" on the first row.
  ASSERT_EQ(Shell("cd '" + dir_ +
                  "' && python3 -c \"import csv,sys; r=list(csv.reader(open('a.csv'))); "
                  "i=r[0].index('nonfinite'); r[1][i]='nan'; csv.writer(open('b.csv','w'), "
                  "lineterminator='\\n').writerows(r)\""),
            0);
  ExpectRefused("check b.csv --expect '*:healthy'", {"b.csv:2:", "nonfinite", "'nan'"});
}

TEST_F(BadInput, ValuesAfterAGridOptionMustBeCommaSeparated) {
  ExpectRefused("sweep --activation relu tanh --depth 2 --width 4 --batch 2 --dry-run",
                {"unexpected argument 'tanh'", "relu,tanh"});
  ExpectRefused("sweep --seed 18446744073709551615..18446744073709551616 --dry-run",
                {"--seed", "'18446744073709551616' is out of range"});
}

}  // namespace
}  // namespace gradflow
