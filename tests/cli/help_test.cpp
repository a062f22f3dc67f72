// --help fits a terminal: every line of every subcommand's help is at most 100
// columns when stdout is not a terminal (the test's case), and list takes no --config.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "test_util.h"

namespace gradflow {
namespace {

TEST(Help, EveryLineOfEverySubcommandsHelpFitsInOneHundredColumns) {
  const std::string dir = testing_util::ScratchDir();
  for (const char* command :
       {"", "run", "list", "theory", "train", "sweep", "merge", "check", "spectrum"}) {
    ASSERT_EQ(testing_util::Gradflow(dir, std::string(command) + " --help"), 0) << command;
    std::istringstream help(testing_util::ReadText(dir + "/out.txt"));
    std::string line;
    int lines = 0;
    while (std::getline(help, line)) {
      ++lines;
      EXPECT_LE(line.size(), 100u) << "gradflow " << command << " --help:\n" << line;
    }
    EXPECT_GT(lines, 3) << command;
  }
}

TEST(Help, ListTakesNoConfigFile) {
  const std::string dir = testing_util::ScratchDir();
  testing_util::WriteText(dir + "/c.toml", "depth = 3\n");
  EXPECT_EQ(testing_util::Gradflow(dir, "list --config c.toml"), 2);
  EXPECT_NE(testing_util::ReadText(dir + "/err.txt").find("--config"), std::string::npos);
}

}  // namespace
}  // namespace gradflow
