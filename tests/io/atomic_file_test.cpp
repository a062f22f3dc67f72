#include "io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "test_util.h"

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

// Regression: `--summary-out /dev/stdout` (a symlink) was replaced by a regular file.
TEST(AtomicFile, ASymlinkedOutputStaysALinkAndItsTargetIsWritten) {
  const std::string dir = testing_util::ScratchDir();
  testing_util::WriteText(dir + "/target.csv", "old\n");
  ASSERT_EQ(symlink("target.csv", (dir + "/link.csv").c_str()), 0);
  WriteAtomically(dir + "/link.csv", "new\n");
  EXPECT_TRUE(fs::is_symlink(dir + "/link.csv"));
  EXPECT_EQ(testing_util::ReadText(dir + "/target.csv"), "new\n");
  // A dangling link is written through too: its target appears.
  ASSERT_EQ(symlink("later.csv", (dir + "/dangling.csv").c_str()), 0);
  WriteAtomically(dir + "/dangling.csv", "made\n");
  EXPECT_TRUE(fs::is_symlink(dir + "/dangling.csv"));
  EXPECT_EQ(testing_util::ReadText(dir + "/later.csv"), "made\n");
}

// Regression: a 250-character name failed "File name too long" through its temp suffix.
TEST(AtomicFile, A250CharacterOutputNameIsWritable) {
  const std::string dir = testing_util::ScratchDir();
  const std::string path = dir + "/" + std::string(246, 'n') + ".csv";
  EXPECT_NO_THROW(CheckWritable("--out", path));
  WriteAtomically(path, "x\n");
  EXPECT_EQ(testing_util::ReadText(path), "x\n");
}

// Regression: every write flipped the process-wide umask, racing worker threads.
TEST(AtomicFile, OutputsHonourTheUmaskWithoutChangingIt) {
  const std::string dir = testing_util::ScratchDir();
  const mode_t before = umask(027);
  umask(before);
  WriteAtomically(dir + "/out.csv", "x\n");
  const mode_t after = umask(before);
  EXPECT_EQ(after, before);
  struct stat info;
  ASSERT_EQ(stat((dir + "/out.csv").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0666 & ~before);
}

TEST(AtomicFile, RemoveStaleTempsRemovesOnlyThatOutputsTemporaries) {
  const std::string dir = testing_util::ScratchDir();
  const std::string out = dir + "/out.csv";
  const std::string ours = TempFilePrefix(out);
  EXPECT_EQ(ours.rfind(dir + "/.gf.", 0), 0u) << ours;
  testing_util::WriteText(ours + "abc123", "stale");
  testing_util::WriteText(out + ".tmp.XyZ789", "stale, older pattern");
  testing_util::WriteText(TempFilePrefix(dir + "/other.csv") + "abc123", "another output's");
  testing_util::WriteText(ours + "abc1234", "not a temporary name");
  testing_util::WriteText(out, "the output");
  EXPECT_EQ(RemoveStaleTemps(out), 2);
  EXPECT_FALSE(fs::exists(ours + "abc123"));
  EXPECT_FALSE(fs::exists(out + ".tmp.XyZ789"));
  EXPECT_TRUE(fs::exists(TempFilePrefix(dir + "/other.csv") + "abc123"));
  EXPECT_TRUE(fs::exists(ours + "abc1234"));
  EXPECT_EQ(testing_util::ReadText(out), "the output");
}

// Regression: run wrote its outputs one by one, so a failure left an incomplete set.
TEST(AtomicFile, AWriteSetThatFailsReplacesNothingAndLeavesNoTemporary) {
  const std::string dir = testing_util::ScratchDir();
  testing_util::WriteText(dir + "/a.csv", "old a\n");
  {
    AtomicWriteSet set;
    set.Add(dir + "/a.csv", "new a\n");
    EXPECT_THROW(set.Add(dir + "/missing/b.csv", "b\n"), std::runtime_error);
  }
  EXPECT_EQ(testing_util::ReadText(dir + "/a.csv"), "old a\n");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
  AtomicWriteSet set;
  set.Add(dir + "/a.csv", "new a\n");
  set.Add(dir + "/b.csv", "b\n");
  EXPECT_FALSE(fs::exists(dir + "/b.csv"));  // nothing renamed before Commit
  set.Commit();
  EXPECT_EQ(testing_util::ReadText(dir + "/a.csv"), "new a\n");
  EXPECT_EQ(testing_util::ReadText(dir + "/b.csv"), "b\n");
}

TEST(AtomicFile, AFullDeviceIsAnError) {
  EXPECT_THROW(WriteAtomically("/dev/full", "x\n"), std::runtime_error);
}

}  // namespace
}  // namespace gradflow
