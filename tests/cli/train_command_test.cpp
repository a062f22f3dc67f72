// `gradflow train` end to end: outputs, exit codes, messages, determinism.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

class TrainCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gradflow_train_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  // Runs `gradflow train <args>` on a small fast net; returns the exit code
  // and keeps stderr in err_.
  // --width 16, --batch 16 and --threads 1 unless args set them.
  int Train(const std::string& args) {
    std::string command = std::string(GRADFLOW_BINARY) +
                          " train --depth 2 --input-dim 8 --classes 3 --train-size 64 "
                          "--test-size 32 " +
                          args;
    for (const char* option : {"--width 16", "--batch 16", "--threads 1"}) {
      const std::string name = std::string(option).substr(0, std::string(option).find(' '));
      if (args.find(name + " ") == std::string::npos) command += std::string(" ") + option;
    }
    command += " 2> '" + dir_ + "/stderr.txt'";
    const int status = std::system(command.c_str());
    err_ = Read("stderr.txt");
    return WEXITSTATUS(status);
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  bool Exists(const std::string& name) const {
    return access((dir_ + "/" + name).c_str(), F_OK) == 0;
  }
  std::string Out(const std::string& name) const { return " -o '" + dir_ + "/" + name + "'"; }
  std::string Curve(const std::string& name) const {
    return " --curve-out '" + dir_ + "/" + name + "'";
  }

  std::string dir_;
  std::string err_;
};

TEST_F(TrainCommandTest, WritesBothCsvsAndASummary) {
  ASSERT_EQ(Train("--steps 8" + Out("layers.csv") + Curve("curve.csv")), 0) << err_;
  const std::string layers = Read("layers.csv");
  EXPECT_EQ(layers.rfind("step,activation,", 0), 0u);
  // Logged steps 0, 1, 2, 3, 5, 8 x 3 layers (2 hidden + head), plus the header.
  EXPECT_EQ(std::count(layers.begin(), layers.end(), '\n'), 1 + 6 * 3);
  const std::string curve = Read("curve.csv");
  EXPECT_EQ(curve.rfind("step,train_loss,", 0), 0u);
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 1 + 6);
  EXPECT_NE(err_.find("learning: after 8 steps layer 1 moved"), std::string::npos) << err_;
  EXPECT_NE(err_.find("(chance 33.3%)"), std::string::npos) << err_;
}

TEST_F(TrainCommandTest, HistogramsAtEveryLoggedStep) {
  ASSERT_EQ(
      Train("--steps 3 --histogram-bins 7 --histograms '" + dir_ + "/h.csv'" + Out("layers.csv")),
      0)
      << err_;
  const std::string text = Read("h.csv");
  ASSERT_EQ(text.rfind("activation,", 0), 0u) << text.substr(0, 200);
  std::istringstream lines(text);
  std::string header, line;
  std::getline(lines, header);
  // The step column sits right after the configuration columns.
  const size_t step_field =
      std::count(header.begin(), header.begin() + header.find(",step,"), ',') + 1;
  std::map<std::string, int64_t> count_per_step_layer_quantity;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string f; std::getline(split, f, ',');) fields.push_back(f);
    const std::string key =
        fields[step_field] + "/" + fields[step_field + 1] + "/" + fields[step_field + 2];
    count_per_step_layer_quantity[key] += std::stoll(fields.back());
  }
  // Steps 0..3, layers 1..3 (2 hidden + head), 3 quantities; each histogram
  // counts every (row, sample) of the 16-sample evaluation batch.
  EXPECT_EQ(count_per_step_layer_quantity.size(), 4u * 3u * 3u);
  EXPECT_EQ(count_per_step_layer_quantity["0/1/act"], 16 * 16);
  EXPECT_EQ(count_per_step_layer_quantity["3/3/delta"], 3 * 16);  // head: 3 classes
  EXPECT_EQ(Train("--steps 3 --histogram-bins 0 --histograms '" + dir_ + "/x.csv'"), 2);
  EXPECT_NE(err_.find("--histogram-bins"), std::string::npos) << err_;
}

TEST_F(TrainCommandTest, SameSeedGivesByteIdenticalFilesAtAnyThreadCount) {
  const std::string common = "--width 80 --batch 32 --steps 6 --optimizer adam";
  ASSERT_EQ(Train(common + " --threads 1" + Out("a.csv") + Curve("ac.csv")), 0) << err_;
  ASSERT_EQ(Train(common + " --threads 2" + Out("b.csv") + Curve("bc.csv")), 0) << err_;
  EXPECT_EQ(Read("a.csv"), Read("b.csv"));
  EXPECT_EQ(Read("ac.csv"), Read("bc.csv"));
  // adam's default learning rate 0.001 is recorded.
  EXPECT_NE(Read("ac.csv").find(",adam,0.001,,0.9,0.999,1e-08,6"), std::string::npos);
}

TEST_F(TrainCommandTest, DivergenceStopsWithExitOneAndWritesTheRowsSoFar) {
  EXPECT_EQ(Train("--activation relu --init he_normal --lr 1000 --steps 50 --log-every 100" +
                  Out("d.csv") + Curve("dc.csv")),
            1);
  EXPECT_NE(err_.find("gradflow: training stopped after"), std::string::npos) << err_;
  EXPECT_NE(err_.find("were written"), std::string::npos) << err_;
  EXPECT_TRUE(Exists("d.csv"));
  const std::string curve = Read("dc.csv");
  EXPECT_GE(std::count(curve.begin(), curve.end(), '\n'), 2);  // header and step 0 at least
}

TEST_F(TrainCommandTest, BadOptionsExitTwoNamingTheOption) {
  struct Case {
    std::string args;
    std::string message;
  };
  const Case cases[] = {
      {"--loss probe", "--loss: --task teacher trains with cross_entropy, got 'probe'"},
      {"--beta1 0.8", "--beta1 applies to --optimizer adam only"},
      {"--optimizer adam --momentum 0.9", "--momentum applies to --optimizer sgd only"},
      {"--optimizer adamw", "did you mean 'adam'"},
      {"--output-dim 2", "--output-dim applies to --task regression only"},
      {"--log-steps 1,abc", "--log-steps: 'abc' is not a step number"},
      {"--epochs 2", "excludes"},  // with --steps 3
      {"--lr -1", "--lr must be a finite number > 0, got -1"},
      {"--batch 100", "--batch (100) must be <= --train-size (64)"},
      {"--activation sigmod", "did you mean 'sigmoid'"},
      {"--log-every 0", "--log-every must be >= 1, got 0"},
      {"--memory-limit-gb 0.000001", "this training run needs an estimated"},
      {"-o /nonexistent/x.csv", "--out: folder '/nonexistent' of '/nonexistent/x.csv' does not"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Train(c.args + " --steps 3 " + Curve("never.csv")), 2) << c.args;
    EXPECT_NE(err_.find(c.message), std::string::npos) << c.args << "\n" << err_;
    EXPECT_FALSE(Exists("never.csv")) << c.args;
  }
}

}  // namespace
