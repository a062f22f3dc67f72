// The stamp a shard appends to its rows: written, read back and refused when malformed.
#include "sweep/grid_stamp.h"

#include <gtest/gtest.h>

namespace gradflow {
namespace {

const std::vector<SweepSetting> kStampGrid = {{"activation", "tanh,relu"}, {"depth", "2,4"}};

TEST(GridStamp, HeaderAndRowsGainTheThreeColumns) {
  EXPECT_EQ(StampedHeader("a,b\n"), "a,b,grid_run,grid_runs,grid_id\n");
  EXPECT_EQ(StampedHeader("a,b"), "a,b,grid_run,grid_runs,grid_id\n");
  const GridStamp stamp{3, 12, "0123456789abcdef"};
  EXPECT_EQ(StampRows("x,1\ny,2\n", stamp),
            "x,1,3,12,0123456789abcdef\ny,2,3,12,0123456789abcdef\n");
  EXPECT_EQ(StampRows("", stamp), "");
}

TEST(GridStamp, UnstampGivesBackTheRowAndTheStamp) {
  std::string plain;
  GridStamp stamp;
  // A quoted field with commas in the row itself is left alone.
  ASSERT_TRUE(UnstampRow("\"a,b\",1,7,9,fedcba9876543210", &plain, &stamp));
  EXPECT_EQ(plain, "\"a,b\",1");
  EXPECT_EQ(stamp.run, 7u);
  EXPECT_EQ(stamp.runs, 9u);
  EXPECT_EQ(stamp.id, "fedcba9876543210");
  const GridStamp big{18446744073709551614ull, 18446744073709551615ull, "ffffffffffffffff"};
  ASSERT_TRUE(UnstampRow(StampRows("r\n", big).substr(0, StampRows("r\n", big).size() - 1), &plain,
                         &stamp));
  EXPECT_EQ(plain, "r");
  EXPECT_EQ(stamp.run, big.run);
}

TEST(GridStamp, MalformedStampsAreRefused) {
  std::string plain = "untouched";
  GridStamp stamp;
  for (const char* row :
       {"a,1,2", "1,2,0123456789abcdef", "a,2,2,0123456789abcdef", "a,-1,2,0123456789abcdef",
        "a,1,2,0123456789ABCDEF", "a,1,2,0123456789abcde", "a,1,,0123456789abcdef",
        "a,1 ,2,0123456789abcdef", "a,1,2,0123456789abcdefg", ""}) {
    EXPECT_FALSE(UnstampRow(row, &plain, &stamp)) << row;
    EXPECT_EQ(plain, "untouched") << row;
  }
}

TEST(GridStamp, GridIdNamesTheModeAndEveryRunInOrder) {
  const SweepGrid grid = ExpandGrid(kStampGrid);
  const std::string id = GridId("run", grid);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(GridId("run", ExpandGrid(kStampGrid)), id);  // deterministic
  EXPECT_NE(GridId("spectrum", grid), id);
  EXPECT_NE(GridId("run", ExpandGrid({{"activation", "relu,tanh"}, {"depth", "2,4"}})), id);
  EXPECT_NE(GridId("run", ExpandGrid({{"activation", "tanh,relu"}, {"depth", "2,5"}})), id);
  // FNV-1a 64 of the empty grid of mode "": the hash of "\n" alone.
  EXPECT_EQ(GridId("", SweepGrid{}), "af63c74c8601c8dd");
}

}  // namespace
}  // namespace gradflow
