#include "io/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace gradflow {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFile, WritesWholeFileAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / ("gradflow_atomic_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path target = dir / "out.csv";
  std::ofstream(target) << "old contents";
  WriteAtomically(target.string(), "a,b\n1,2\n");
  std::stringstream s;
  s << std::ifstream(target).rdbuf();
  EXPECT_EQ(s.str(), "a,b\n1,2\n");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, CheckWritableNamesTheOption) {
  EXPECT_NO_THROW(CheckWritable("--out", "-"));
  EXPECT_NO_THROW(CheckWritable("--out", ""));
  try {
    CheckWritable("--summary-out", "/no/such/folder/x.csv");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--summary-out"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("/no/such/folder"), std::string::npos);
  }
  EXPECT_THROW(CheckWritable("--out", fs::temp_directory_path().string()), UsageError);
}

// Regression: `-o /dev/null` once renamed a regular file over the device.
TEST(AtomicFile, SpecialFilesAreWrittenInPlaceNotReplaced) {
  EXPECT_NO_THROW(CheckWritable("--out", "/dev/null"));
  WriteAtomically("/dev/null", "discarded\n");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(AtomicFile, FailedWriteThrowsAndLeavesNothing) {
  EXPECT_THROW(WriteAtomically("/no/such/folder/x.csv", "x"), std::runtime_error);
}

}  // namespace
}  // namespace gradflow
