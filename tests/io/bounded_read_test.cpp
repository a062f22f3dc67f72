// ReadFileLimited: size limits on regular files and streams, folders, empty
// names, and the UTF-8 byte order mark.
#include "io/bounded_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include "base/error.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::ScratchDir;
using testing_util::WriteText;

std::string ErrorOf(const std::string& path, uint64_t limit) {
  try {
    ReadFileLimited(path, limit, "--input");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(BoundedRead, RegularFileAtTheLimitIsReadOverItIsRefused) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/ten.txt", "0123456789");
  EXPECT_EQ(ReadFileLimited(dir + "/ten.txt", 10, "--input"), "0123456789");
  EXPECT_EQ(ErrorOf(dir + "/ten.txt", 9),
            "--input: '" + dir + "/ten.txt' is larger than 9 bytes, the limit for this input");
}

TEST(BoundedRead, DevicesAreRefusedWithoutReading) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf("/dev/zero", uint64_t{1} << 30),
            "--input: cannot read '/dev/zero': it is a device, not a file (give a file, a pipe or "
            "a FIFO)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(BoundedRead, FifoIsReadWithTheLimit) {
  const std::string dir = ScratchDir();
  const std::string fifo = dir + "/pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A writer that would go on for 1 MiB; the reader stops after 101 bytes,
  // and the writer then gets EPIPE (not the signal that would end the test).
  const sighandler_t previous = std::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << std::string(1 << 20, 'x');
  });
  EXPECT_NE(ErrorOf(fifo, 100).find("is larger than 100 bytes"), std::string::npos);
  writer.join();
  std::signal(SIGPIPE, previous);
  std::thread short_writer([&] { std::ofstream(fifo, std::ios::binary) << "a,b\n"; });
  EXPECT_EQ(ReadFileLimited(fifo, 100, "--input"), "a,b\n");
  short_writer.join();
}

TEST(BoundedRead, FolderMissingFileAndEmptyNameAreRefusedByName) {
  const std::string dir = ScratchDir();
  EXPECT_EQ(ErrorOf(dir, 100), "--input: cannot read '" + dir + "': it is a folder");
  EXPECT_EQ(ErrorOf(dir + "/none.csv", 100),
            "--input: cannot read '" + dir + "/none.csv': No such file or directory");
  EXPECT_EQ(ErrorOf("", 100), "--input: the file name is empty");
}

TEST(BoundedRead, LeadingByteOrderMarkIsRemovedOnlyAtTheStart) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/bom.csv",
            "\xEF\xBB\xBF"
            "depth\n3\xEF\xBB\xBF\n");
  EXPECT_EQ(ReadFileLimited(dir + "/bom.csv", 100, "--input"), "depth\n3\xEF\xBB\xBF\n");
  EXPECT_EQ(StripUtf8Bom("\xEF\xBB"), "\xEF\xBB");  // a partial mark is data
}

TEST(BoundedRead, LimitsAreWrittenAsPeopleSayThem) {
  EXPECT_EQ(FormatByteLimit(kMaxConfigFileBytes), "1 MiB");
  EXPECT_EQ(FormatByteLimit(kMaxCsvFileBytes), "1 GiB");
  EXPECT_EQ(FormatByteLimit(2048), "2 KiB");
  EXPECT_EQ(FormatByteLimit(1000), "1000 bytes");
}

}  // namespace
}  // namespace gradflow
