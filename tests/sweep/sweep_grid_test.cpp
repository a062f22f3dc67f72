#include "sweep/sweep_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
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

namespace gradflow {
namespace {

std::string ValuesError(const std::string& option, const std::string& list) {
  try {
    Values(option, list);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepGrid, GridSizeIsRefusedFromListLengthsBeforeExpansion) {
  std::string seeds;
  for (int i = 0; i < 12; ++i) {
    seeds += (i ? "," : "") + std::to_string(i * 1'000'000) + ".." +
             std::to_string(i * 1'000'000 + 999'999);
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf({{"seed", seeds}}).rfind("--seed: the list '", 0), 0u);
  EXPECT_EQ(ErrorOf({{"depth", "1..1000"}, {"width", "1..1000"}, {"seed", "0..999"}}),
            "the sweep grid has 1000000000 runs; at most 10000000 are allowed");
  // Each list alone is fine; the product is checked in 64 bits without overflowing.
  std::vector<SweepSetting> huge;
  for (const char* option : {"depth", "width", "batch", "seed", "input-dim"}) {
    huge.push_back({option, "1..1000000"});
  }
  EXPECT_EQ(ErrorOf(huge), "the sweep grid has more than 2^64 runs; at most 10000000 are allowed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(CountValues(FindSweepOption("seed"), "0..9,20,30..39..3"), 15u);
}

TEST(SweepGrid, SeedsAndIntegerRangesAreExactNearTwoToThe64) {
  EXPECT_EQ(Values("seed", "9007199254740993"), (std::vector<std::string>{"9007199254740993"}));
  EXPECT_EQ(Values("seed", "9007199254740993..9007199254740994"),
            (std::vector<std::string>{"9007199254740993", "9007199254740994"}));
  EXPECT_EQ(Values("seed", "18446744073709551614..18446744073709551615"),
            (std::vector<std::string>{"18446744073709551614", "18446744073709551615"}));
  EXPECT_EQ(ValuesError("seed", "18446744073709551615..18446744073709551616"),
            "--seed: '18446744073709551616' is out of range (integers from 0 to "
            "18446744073709551615)");
  RunConfig config;
  FindSweepOption("seed").apply("18446744073709551615", &config);
  EXPECT_EQ(config.seed, 18446744073709551615u);
}

TEST(SweepGrid, HugeRangeEndsKeepTheirValue) {
  RunConfig config;
  const std::vector<std::string> gains =
      Values("gain", "100000000000000000000..100000000000000000000");
  ASSERT_EQ(gains.size(), 1u);
  FindSweepOption("gain").apply(gains[0], &config);
  EXPECT_EQ(config.gain, 1e20);
  const std::vector<std::string> decimal = Values("gain", "1e20..1e20");
  ASSERT_EQ(decimal.size(), 1u);
  FindSweepOption("gain").apply(decimal[0], &config);
  EXPECT_EQ(config.gain, 1e20);
}

TEST(SweepGrid, NumbersAreStrictAndNamedWhenOutOfRange) {
  EXPECT_EQ(ValuesError("seed", "0x10"), "--seed: '0x10' is not a non-negative integer");
  EXPECT_EQ(ValuesError("depth", "3000000000"),
            "--depth: '3000000000' is out of range (integers from -2147483648 to 2147483647)");
  EXPECT_EQ(ValuesError("gain", "1e999"), "--gain: '1e999' is too large for a double");
  RunConfig config;
  FindSweepOption("gain").apply("1e-400", &config);
  EXPECT_EQ(config.gain, 0.0);  // tiny is 0, not inf
}

TEST(SweepGrid, RemedyOptionsAreGridAxes) {
  EXPECT_EQ(Values("norm", "all"), (std::vector<std::string>{"none", "batch", "layer"}));
  EXPECT_EQ(Values("residual", "all"), (std::vector<std::string>{"off", "on"}));
  EXPECT_THROW(Values("residual", "yes"), UsageError);
  EXPECT_THROW(Values("norm", "group"), UsageError);
  EXPECT_THROW(Values("widths", "64x0"), UsageError);
  // residual off x two scales: one run (the scale is empty in the CSV without residual).
  const SweepGrid grid = ExpandGrid({{"norm", "none,layer"},
                                     {"residual", "off,on"},
                                     {"residual-scale", "1,0.5"},
                                     {"widths", "8x8x8"}});
  ASSERT_EQ(grid.runs.size(), 6u);
  EXPECT_EQ(grid.runs[0].depth, 3);
  EXPECT_EQ(grid.runs[0].width, 8);
  EXPECT_TRUE(grid.runs[0].widths.empty());  // equal widths: plain depth x width
  EXPECT_EQ(grid.runs[1].residual_scale, 1);
  EXPECT_EQ(grid.runs[2].residual_scale, 0.5);
  EXPECT_EQ(grid.runs[3].norm, NormKind::kLayer);
  EXPECT_NE(ErrorOf({{"widths", "8x4"}, {"depth", "2"}}).find("--widths and --depth"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"widths", "8x4"}, {"residual", "on"}}).find("--residual needs"),
            std::string::npos);
  EXPECT_EQ(ExpandGrid({{"widths", "8x4,4x8"}}).runs[1].widths, (std::vector<int>{4, 8}));
}

}  // namespace
}  // namespace gradflow
