// Helpers shared by the tests: run configurations, scratch folders, files and the CLI.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/config.h"
#include "experiment/run_columns.h"
#include "sweep/sweep_grid.h"

namespace gradflow::testing_util {

// A RunConfig with the options most tests vary; the rest keep their defaults.
inline RunConfig Config(const std::string& activation, const std::string& init, int depth,
                        int width, int batch) {
  RunConfig c;
  c.activation = ParseActivation(activation);
  c.init = ParseInit(init);
  c.depth = depth;
  c.width = width;
  c.batch = batch;
  return c;
}

// The names of the configuration columns, in order.
inline std::vector<std::string> ConfigColumnNames() {
  std::vector<std::string> names;
  for (const auto& column : ConfigColumns()) names.push_back(column.name);
  return names;
}

// A tiny grid: 2 activations x 2 depths x 3 seeds = 12 runs in milliseconds.
inline const std::vector<SweepSetting> kTinyGrid = {{"activation", "tanh,relu"},
                                                    {"depth", "2,4"},
                                                    {"width", "6"},
                                                    {"batch", "5"},
                                                    {"seed", "0..2"},
                                                    {"loss", "probe"}};

// A fresh empty folder under the test temp dir, unique per test.
inline std::string ScratchDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = ::testing::TempDir() + "gradflow_" + info->test_suite_name() + "_" +
                          info->name() + "_" + std::to_string(getpid());
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  return dir;
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
inline int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `gradflow ARGS` in `dir` with stdout/stderr to dir/out.txt and dir/err.txt.
inline int Gradflow(const std::string& dir, const std::string& args) {
  return Shell("cd '" + dir + "' && '" GRADFLOW_BINARY "' " + args + " >out.txt 2>err.txt");
}

}  // namespace gradflow::testing_util
