// Every source module has its test file: src/LAYER/foo.cpp is tested in
// tests/LAYER/foo_test.cpp. src/cli is the exception: the program is tested
// through the binary, in tests/cli/.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace gradflow {
namespace {

namespace fs = std::filesystem;

TEST(TestMirror, EverySourceFileOutsideCliHasATestFile) {
  const fs::path root = GRADFLOW_SOURCE_DIR;
  std::vector<std::string> missing;
  int sources = 0;
  for (const fs::directory_entry& layer : fs::directory_iterator(root / "src")) {
    if (!layer.is_directory() || layer.path().filename() == "cli") continue;
    for (const fs::directory_entry& file : fs::directory_iterator(layer.path())) {
      if (file.path().extension() != ".cpp") continue;
      ++sources;
      const fs::path test =
          root / "tests" / layer.path().filename() / (file.path().stem().string() + "_test.cpp");
      if (!fs::exists(test)) {
        missing.push_back(fs::relative(file.path(), root).string() + " has no " +
                          fs::relative(test, root).string());
      }
    }
  }
  EXPECT_GT(sources, 30) << "found too few sources under " << root / "src";
  for (const std::string& line : missing) ADD_FAILURE() << line;
}

}  // namespace
}  // namespace gradflow
