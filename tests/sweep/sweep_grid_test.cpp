#include "sweep/sweep_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "base/error.h"
#include "engine/activation.h"
#include "engine/init.h"
#include "engine/inputs.h"
#include "engine/loss.h"

namespace gradflow {
namespace {

std::vector<std::string> Values(const std::string& option, const std::string& list) {
  return ExpandValues(FindSweepOption(option), list);
}

std::string ErrorOf(const std::vector<SweepSetting>& settings) {
  try {
    ExpandGrid(settings);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepGrid, ListsRangesAndSteps) {
  EXPECT_EQ(Values("depth", "5,10,20"), (std::vector<std::string>{"5", "10", "20"}));
  EXPECT_EQ(Values("seed", "0..3"), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(Values("depth", "2..10..4,50"), (std::vector<std::string>{"2", "6", "10", "50"}));
  EXPECT_EQ(Values("gain", "0.1..0.5..0.1"),
            (std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"}));
  EXPECT_EQ(Values("activation", "all"), ActivationNames());
  EXPECT_EQ(Values("activation", " relu , tanh "), (std::vector<std::string>{"relu", "tanh"}));
}

TEST(SweepGrid, BadListsNameTheOption) {
  EXPECT_THROW(Values("depth", "5,5"), UsageError);
  EXPECT_THROW(Values("depth", "9..3"), UsageError);
  EXPECT_THROW(Values("depth", "1..5..0"), UsageError);
  EXPECT_THROW(Values("depth", "1,,2"), UsageError);
  EXPECT_THROW(Values("depth", "all"), UsageError);
  EXPECT_THROW(Values("activation", "relu..tanh"), UsageError);
  EXPECT_THROW(Values("vanishing-threshold", "1e-3,1e-2"), UsageError);
  EXPECT_THROW(Values("seed", "-1"), UsageError);
  try {
    Values("activation", "rleu");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'relu'"), std::string::npos) << e.what();
  }
  try {
    Values("depth", "x");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--depth: 'x' is not an integer");
  }
  try {
    Values("init", "he_normal,all");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--init: 'all' cannot be combined with other names, got 'he_normal,all'");
  }
  EXPECT_EQ(ErrorOf({{"depth", "0,3"}}), "--depth must be >= 1, got 0");
  EXPECT_NE(ErrorOf({{"depht", "3"}}).find("did you mean 'depth'"), std::string::npos);
}

TEST(SweepGrid, OrderIsTableOrderWithSeedInnermostWhateverTheArgumentOrder) {
  const SweepGrid a = ExpandGrid({{"seed", "0,1"}, {"depth", "3,2"}, {"activation", "tanh,relu"}});
  const SweepGrid b = ExpandGrid({{"activation", "tanh,relu"}, {"depth", "3,2"}, {"seed", "0,1"}});
  ASSERT_EQ(a.keys, b.keys);
  ASSERT_EQ(a.runs.size(), 8u);
  const std::vector<std::tuple<std::string, int, uint64_t>> expected = {
      {"tanh", 3, 0}, {"tanh", 3, 1}, {"tanh", 2, 0}, {"tanh", 2, 1},
      {"relu", 3, 0}, {"relu", 3, 1}, {"relu", 2, 0}, {"relu", 2, 1}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(ActivationName(a.runs[i].activation), std::get<0>(expected[i]));
    EXPECT_EQ(a.runs[i].depth, std::get<1>(expected[i]));
    EXPECT_EQ(a.runs[i].seed, std::get<2>(expected[i]));
    EXPECT_EQ(a.runs[i].threads, 1);
  }
}

TEST(SweepGrid, ParametersThatDoNotApplyAreNotCrossed) {
  // The leaky slope matters only for leaky_relu: 1 relu run + 2 leaky_relu runs.
  const SweepGrid grid =
      ExpandGrid({{"activation", "relu,leaky_relu"}, {"leaky-slope", "0.01,0.2"}});
  ASSERT_EQ(grid.runs.size(), 3u);
  EXPECT_EQ(grid.runs[1].activation, ActivationKind::kLeakyRelu);
  EXPECT_EQ(grid.runs[2].activation_params.leaky_slope, 0.2);
  const std::set<std::string> unique(grid.keys.begin(), grid.keys.end());
  EXPECT_EQ(unique.size(), grid.keys.size());
}

// The grid options of the table parameters come from the table rows: each
// follows its row's option (activation params after --activation, init params
// after --init), sets its field, and refuses a non-number.
TEST(SweepGrid, TableParametersAreGridOptions) {
  const std::vector<SweepOption>& options = SweepOptions();
  std::vector<std::string> names;
  for (const SweepOption& option : options) names.push_back(option.name);
  const auto at = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  for (const ActivationParameter* p : ActivationParameters()) {
    const SweepOption& option = FindSweepOption(p->Name());
    EXPECT_EQ(std::string(option.help), p->help);
    EXPECT_TRUE(option.is_axis);
    EXPECT_GT(at(p->Name()), at("activation"));
    EXPECT_LT(at(p->Name()), at("init"));
    RunConfig c;
    option.apply("3", &c);
    EXPECT_EQ(p->Value(c.activation_params), 3) << p->option;
    EXPECT_THROW(option.apply("x", &c), UsageError);
  }
  for (const InitParameter* p : InitParameters()) {
    EXPECT_GT(at(p->Name()), at("init"));
    EXPECT_LT(at(p->Name()), at("gain"));
    RunConfig c;
    FindSweepOption(p->Name()).apply("0.5", &c);
    EXPECT_EQ(p->Value(c.init_params), 0.5) << p->option;
  }
  // "all" stands for every row of a table.
  EXPECT_EQ(Values("init", "all"), InitNames());
  EXPECT_EQ(Values("loss", "all"), LossNames());
  EXPECT_EQ(Values("input", "all"), InputNames());
}

TEST(SweepGrid, DefaultsWithoutSettingsIsOneRun) {
  const SweepGrid grid = ExpandGrid({});
  ASSERT_EQ(grid.runs.size(), 1u);
  EXPECT_EQ(grid.keys[0], ConfigKey(grid.runs[0]));
}

TEST(SweepGrid, TooLargeGridIsRefusedBeforeExpansion) {
  EXPECT_NE(ErrorOf({{"seed", "0..99999"}, {"depth", "1..200"}}).find("at most"),
            std::string::npos);
}

TEST(SweepGrid, ShardsPartitionTheGridExactlyOnce) {
  for (int n : {1, 2, 3, 7, 13}) {
    std::vector<int> owners(40, 0);
    for (int k = 1; k <= n; ++k) {
      size_t mine = 0;
      for (size_t i = 0; i < owners.size(); ++i) {
        if (InShard(i, Shard{k, n})) {
          ++owners[i];
          ++mine;
        }
      }
      // Round-robin: shard sizes differ by at most one.
      EXPECT_LE(mine, (40 + n - 1) / n);
      EXPECT_GE(mine, 40 / n);
    }
    for (int count : owners) EXPECT_EQ(count, 1) << "n = " << n;
  }
}

TEST(SweepGrid, ParseShard) {
  const Shard shard = ParseShard("3/8");
  EXPECT_EQ(shard.index, 3);
  EXPECT_EQ(shard.count, 8);
  for (const char* bad : {"0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "-1/2", ""}) {
    EXPECT_THROW(ParseShard(bad), UsageError) << bad;
  }
}

}  // namespace
}  // namespace gradflow
