// The command line as a user meets it: exit codes, messages naming the
// option, no partial output files, config files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code;
  std::string out, err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gradflow_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult Run(const std::string& args) const {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string command =
        std::string(GRADFLOW_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
  }

  // Expects exit 2, stderr naming `option`, and no file at dir_/out.csv.
  void ExpectUsageError(const std::string& args, const std::string& option) const {
    const CliResult r =
        Run("run --depth 2 --width 4 --batch 2 -o " + (dir_ / "out.csv").string() + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.csv")) << args;
    EXPECT_EQ(r.out, "") << args;
  }

  fs::path dir_;
};

// sweep --no-forward-reuse computes every run from layer 1: the same CSV bytes
// as the default, where deeper runs start above the layers shallower runs of
// the same seed computed (here depths 2, 5 and 3, with a head for mse).
TEST_F(Cli, SweepWithoutForwardReuseWritesTheSameBytes) {
  const std::string grid =
      "sweep --activation tanh,maxout --depth 2,5,3 --width 6 --batch 4 --seeds 0..1 "
      "--loss probe,mse --jobs 1 -q --summary-out ";
  const std::string reused = (dir_ / "reused.csv").string(), fresh = (dir_ / "fresh.csv").string();
  ASSERT_EQ(Run(grid + reused + ".summary -o " + reused).exit_code, 0);
  ASSERT_EQ(Run(grid + fresh + ".summary -o " + fresh + " --no-forward-reuse").exit_code, 0);
  EXPECT_EQ(ReadFile(reused), ReadFile(fresh));
  EXPECT_EQ(ReadFile(reused + ".summary"), ReadFile(fresh + ".summary"));
  EXPECT_GT(ReadFile(reused).size(), 1000u);
}

// gradflow bench: bad sizes are usage errors naming the option, and nothing is written.
TEST_F(Cli, BenchRejectsBadSizes) {
  const std::string out = (dir_ / "cost.csv").string();
  for (const auto& [args, option] :
       {std::pair<std::string, std::string>{"--elements 10", "--elements"},
        {"--repeats 0", "--repeats"},
        {"--pass-repeats 0", "--pass-repeats"},
        {"--width 0 --no-pass", "--width"},
        {"--depth -1", "--depth"}}) {
    const CliResult r = Run("bench -q -o " + out + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  const CliResult r = Run("bench -q --no-pass --elements 1024 --repeats 1 -o " + out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(Cli, RunWritesCsvAndSummary) {
  const fs::path csv = dir_ / "layers.csv", summary = dir_ / "summary.csv";
  const CliResult r =
      Run("run --activation relu --init he_normal --depth 3 --width 8 --batch 4 -o " +
          csv.string() + " --summary-out " + summary.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFile(csv);
  EXPECT_EQ(text.rfind("activation,act_param,init,", 0), 0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);  // header + 3 layers
  EXPECT_NE(ReadFile(summary).find(",healthy"), std::string::npos);
  EXPECT_NE(r.err.find("verdict: healthy"), std::string::npos) << r.err;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "temp file left behind";
  }
}

TEST_F(Cli, StdoutIsTheDefaultOutput) {
  const CliResult r = Run("run --depth 2 --width 4 --batch 2 -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("activation,", 0), 0u);
  EXPECT_EQ(r.err, "");
}

TEST_F(Cli, BadSizesAreUsageErrors) {
  for (const char* option : {"--depth", "--width", "--batch"}) {
    ExpectUsageError(std::string(option) + " 0", option);
    ExpectUsageError(std::string(option) + " -3", option);
    ExpectUsageError(std::string(option) + " abc", option);
  }
  ExpectUsageError("--input-dim -1", "--input-dim");
  ExpectUsageError("--gain 1.x", "--gain");
  ExpectUsageError("--seed -1", "--seed");  // not silently 2^64 - 1
}

TEST_F(Cli, UnknownNamesGetSuggestions) {
  ExpectUsageError("--activation sigmod", "did you mean 'sigmoid'");
  ExpectUsageError("--init he_norml", "did you mean 'he_normal'");
  ExpectUsageError("--loss mes", "--loss");
  ExpectUsageError("--dtype float16", "--dtype");
  ExpectUsageError("--input laplace", "--input");
}

TEST_F(Cli, TheoryListsAreWrittenAsForASweep) {
  // Comma lists and `all`, as sweep writes them: 2 activations x 10 inits.
  const CliResult r = Run("theory --depth 3 --activation tanh,relu --init all -o -");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1 + 2 * 10) << r.out;
  EXPECT_EQ(r.out.find("tanh,,xavier_uniform,"), r.out.find('\n') + 1) << r.out;
  EXPECT_NE(r.err.find("mean-field phase"), std::string::npos) << r.err;  // the table
  for (const std::string bad : {"--activation relu,relu", "--activation relu,,tanh",
                                "--activation sigmod", "--init he_normal..xavier_normal"}) {
    const CliResult e = Run("theory --depth 3 " + bad);
    EXPECT_EQ(e.exit_code, 2) << bad;
    EXPECT_NE(e.err.find(bad.substr(0, bad.find(' '))), std::string::npos) << bad << ": " << e.err;
  }
}

TEST_F(Cli, OutOfRangeParameters) {
  ExpectUsageError("--init normal --init-std -0.1", "--init-std");
  ExpectUsageError("--saturation-threshold 0", "--saturation-threshold");
  ExpectUsageError("--saturation-threshold 1", "--saturation-threshold");
  ExpectUsageError("--saturation-threshold 1.5", "--saturation-threshold");
  ExpectUsageError("--maxout-pieces 0", "--maxout-pieces");
}

TEST_F(Cli, UnwritableOutputIsAUsageErrorBeforeAnyWork) {
  const CliResult missing =
      Run("run --depth 2 --width 4 --batch 2 -o " + (dir_ / "no_such_folder" / "x.csv").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--out"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;

  // A folder we cannot write: read-only for an ordinary user; as root (who
  // may write anywhere chmod allows) a kernel folder that refuses new files.
  fs::path folder = "/proc/sys";
  if (geteuid() != 0) {
    folder = dir_ / "readonly";
    fs::create_directories(folder);
    fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
  }
  const CliResult r =
      Run("run --depth 2 --width 4 --batch 2 --summary-out " + (folder / "x.csv").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--summary-out"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, TooLargeRunsAreRefusedWithTheEstimate) {
  const CliResult r =
      Run("run --depth 1000 --width 100000 --batch 1000 -o " + (dir_ / "out.csv").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--memory-limit-gb"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out.csv"));
}

TEST_F(Cli, OptionsFromAConfigFile) {
  const fs::path config = dir_ / "run.toml";
  std::ofstream(config) << "activation = \"tanh\"\ndepth = 3\nwidth = 6\nbatch = 2\n";
  const CliResult r = Run("run -q --config " + config.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\ntanh,,xavier_uniform,,1,0,3,6,,none,,6,2,"), r.out.find('\n')) << r.out;
  // The command line wins over the file.
  const CliResult over = Run("run -q --depth 2 --config " + config.string());
  ASSERT_EQ(over.exit_code, 0) << over.err;
  EXPECT_EQ(over.out.find("\ntanh,,xavier_uniform,,1,0,2,6,,none,,6,2,"), over.out.find('\n'));
  std::ofstream(config) << "activation = tanh\nnot a pair\n";
  const CliResult bad = Run("run --config " + config.string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--config"), std::string::npos) << bad.err;
  EXPECT_EQ(Run("run --config " + (dir_ / "missing.toml").string()).exit_code, 2);
}

TEST_F(Cli, HelpListsEveryActivationAndInitAndVersionPrints) {
  const CliResult help = Run("run --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* name :
       {"sigmoid", "leaky_relu", "maxout", "gelu", "he_normal", "orthogonal", "torch_default"}) {
    EXPECT_NE(help.out.find(name), std::string::npos) << name;
  }
  const CliResult version = Run("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find(GRADFLOW_VERSION), std::string::npos);
  EXPECT_EQ(Run("").exit_code, 2);  // a subcommand is required
  EXPECT_EQ(Run("frobnicate").exit_code, 2);
}

TEST_F(Cli, ListShowsFormulasAndColumns) {
  const CliResult list = Run("list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("1/(1+exp(-z))"), std::string::npos);
  EXPECT_NE(list.out.find("N(0, 2/fan_in)"), std::string::npos);
  const CliResult columns = Run("list --columns");
  EXPECT_NE(columns.out.find("grad_w_norm_per_example"), std::string::npos);
}

}  // namespace
