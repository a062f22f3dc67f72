#include "base/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace gradflow {
namespace {

TEST(Progress, FormatsDoneTotalRateAndEta) {
  EXPECT_EQ(FormatProgress(10, 40, 5.0, 8), "[##------] 10/40 runs  2 runs/s  ETA 0:15");
  EXPECT_EQ(FormatProgress(0, 40, 0.0, 4), "[----] 0/40 runs  -- runs/s  ETA --");
  EXPECT_EQ(FormatProgress(40, 40, 2.0, 4), "[####] 40/40 runs  20 runs/s  ETA 0:00");
  EXPECT_EQ(FormatDuration(3725), "1:02:05");
  EXPECT_EQ(FormatDuration(65), "1:05");
}

TEST(Progress, DisabledBarWritesNothingEnabledBarEndsItsLine) {
  std::ostringstream quiet, loud;
  ProgressBar off(3, false, &quiet);
  off.Update(3);
  off.Finish();
  EXPECT_EQ(quiet.str(), "");
  ProgressBar on(3, true, &loud);
  on.Update(3);
  on.Finish();
  EXPECT_NE(loud.str().find("3/3 runs"), std::string::npos);
  EXPECT_EQ(loud.str().back(), '\n');
}

}  // namespace
}  // namespace gradflow
