// Every README example runs verbatim. The README's convention, checked here:
//   ```sh     gradflow commands a reader can paste after the Quick start (gradflow on PATH);
//             run in README order in one folder, each must exit 0, or N where the command
//             ends in a comment "# exit N" (a check that finds a regression: 1)
//   ```toml   a file the examples use, when its first line names it: "# grid.toml"
//   ```csv F  a file F the examples use (a small hand-written CSV)
//   ```text   right after a ```sh block: what its commands print; every line of it that is
//             not a bare label ("relu/he_normal:") must appear in their stdout or stderr,
//             so the numbers the README quotes are the ones this build prints
//   ```bash   recipes that need more than gradflow (apt, Slurm, GNU parallel, python):
//             not run here (the GNU parallel and Slurm recipes have their own tests)
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace gradflow {
namespace {

struct Block {
  std::string info;                // what follows the opening ```
  int line = 0;                    // README line of the opening fence
  std::vector<std::string> lines;  // its content
};

std::vector<Block> FencedBlocks(const std::string& path) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  bool inside = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (!inside) blocks.push_back({line.substr(3), number, {}});
      inside = !inside;
    } else if (inside) {
      blocks.back().lines.push_back(line);
    }
  }
  return blocks;
}

// Joins "\"-continued lines; drops blank lines and whole-line comments.
std::vector<std::string> Commands(const Block& block) {
  std::vector<std::string> commands;
  std::string current;
  for (const std::string& line : block.lines) {
    std::string text = line;
    const bool continued = !text.empty() && text.back() == '\\';
    if (continued) text.pop_back();
    current += text;
    if (continued) continue;
    const size_t start = current.find_first_not_of(' ');
    if (start != std::string::npos && current[start] != '#') {
      commands.push_back(current.substr(start));
    }
    current.clear();
  }
  return commands;
}

// N if the command ends in the comment "# exit N", else 0.
int ExpectedExit(const std::string& command) {
  const size_t at = command.rfind("# exit ");
  return at == std::string::npos ? 0 : std::atoi(command.c_str() + at + 7);
}
// The command without that comment (the test appends redirections).
std::string WithoutExitComment(const std::string& command) {
  return command.substr(0, command.rfind("# exit "));
}

std::string BinaryDir() {
  const std::string binary = GRADFLOW_BINARY;
  return binary.substr(0, binary.rfind('/'));
}

TEST(ReadmeExamples, EveryShBlockHoldsOnlyGradflowCommands) {
  int commands = 0;
  for (const Block& block : FencedBlocks(std::string(GRADFLOW_SOURCE_DIR) + "/README.md")) {
    if (block.info != "sh") continue;
    for (const std::string& command : Commands(block)) {
      ++commands;
      EXPECT_EQ(command.rfind("gradflow ", 0), 0u)
          << "README line " << block.line << ": a ```sh block holds gradflow commands only "
          << "(use ```bash for other recipes): " << command;
    }
  }
  EXPECT_GE(commands, 10) << "the README should show its examples in ```sh blocks";
}

TEST(ReadmeExamples, EveryGradflowExampleRunsAndExitsZero) {
  const std::string dir = testing_util::ScratchDir();
  int ran = 0, quoted = 0;
  std::string printed;  // what the last ```sh block's commands printed
  for (const Block& block : FencedBlocks(std::string(GRADFLOW_SOURCE_DIR) + "/README.md")) {
    if (block.info == "text") {
      for (const std::string& line : block.lines) {
        if (line.empty() || line.back() == ':') continue;  // a blank line or a label
        ++quoted;
        EXPECT_NE(printed.find(line), std::string::npos)
            << "README line " << block.line << ": the build prints something else than\n  " << line
            << "\nit printed:\n"
            << printed;
      }
      printed.clear();
      continue;
    }
    printed.clear();
    if (block.info.rfind("csv ", 0) == 0) {
      std::string text;
      for (const std::string& line : block.lines) text += line + "\n";
      testing_util::WriteText(dir + "/" + block.info.substr(4), text);
      continue;
    }
    if (block.info == "toml" && !block.lines.empty() && block.lines[0].rfind("# ", 0) == 0) {
      std::string text;
      for (const std::string& line : block.lines) text += line + "\n";
      testing_util::WriteText(dir + "/" + block.lines[0].substr(2), text);
      continue;
    }
    if (block.info != "sh") continue;
    for (const std::string& command : Commands(block)) {
      if (command.rfind("gradflow ", 0) != 0) continue;  // reported by the test above
      ++ran;
      const int code =
          testing_util::Shell("cd '" + dir + "' && PATH='" + BinaryDir() + "':\"$PATH\" " +
                              WithoutExitComment(command) + " >out.txt 2>err.txt");
      const std::string err = testing_util::ReadText(dir + "/err.txt");
      EXPECT_EQ(code, ExpectedExit(command))
          << "README line " << block.line << ": " << command << "\n"
          << err;
      printed += testing_util::ReadText(dir + "/out.txt") + err;
    }
  }
  EXPECT_GE(ran, 10);
  EXPECT_GE(quoted, 6);  // the training summaries at least
}

}  // namespace
}  // namespace gradflow
