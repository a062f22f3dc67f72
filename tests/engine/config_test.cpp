// RunConfig: defaults, derived sizes, name lists and validation messages.
#include "engine/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "base/error.h"

namespace gradflow {
namespace {

TEST(Config, NameListsAndDTypes) {
  EXPECT_EQ(LossNames(), (std::vector<std::string>{"probe", "mse", "cross_entropy"}));
  EXPECT_EQ(InputNames(), (std::vector<std::string>{"gaussian", "uniform"}));
  EXPECT_EQ(DTypeNames(), (std::vector<std::string>{"float32", "float64"}));
  EXPECT_EQ(ParseDType("float32"), DType::kFloat32);
  EXPECT_EQ(ParseDType("float64"), DType::kFloat64);
  EXPECT_STREQ(DTypeName(ParseDType("float64")), "float64");
  EXPECT_THROW(ParseDType("double"), UsageError);
}

TEST(Config, InputDimAndHeadUnitsFollowTheOptions) {
  RunConfig c;
  c.width = 7;
  EXPECT_EQ(c.InputDim(), 7);  // 0 means = width
  c.input_dim = 3;
  EXPECT_EQ(c.InputDim(), 3);
  c.output_dim = 4;
  c.classes = 5;
  c.loss = ParseLoss("probe");
  EXPECT_EQ(c.HeadUnits(), 0);
  EXPECT_FALSE(c.HasHead());
  c.loss = ParseLoss("mse");
  EXPECT_EQ(c.HeadUnits(), 4);
  c.loss = ParseLoss("cross_entropy");
  EXPECT_EQ(c.HeadUnits(), 5);
  EXPECT_TRUE(c.HasHead());
}

TEST(Config, MakeActivationBindsTheParameters) {
  RunConfig c;
  c.activation = ParseActivation("leaky_relu");
  c.activation_params.leaky_slope = 0.2;
  const Activation a = MakeActivation(c);
  EXPECT_EQ(a.name(), "leaky_relu");
  EXPECT_DOUBLE_EQ(a.Phi(-1.0), -0.2);
  EXPECT_EQ(a.ParamString(), "0.2");
}

std::string ValidationMessage(const RunConfig& c) {
  try {
    Validate(c);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, ValidationNamesTheOptionAndTheValue) {
  EXPECT_EQ(ValidationMessage(RunConfig()), "no error");  // the defaults are valid
  RunConfig c;
  c.depth = 0;
  EXPECT_EQ(ValidationMessage(c), "--depth must be >= 1, got 0");
  c = RunConfig();
  c.classes = 1;
  EXPECT_EQ(ValidationMessage(c), "--classes must be >= 2, got 1");
  c = RunConfig();
  c.input_dim = -1;
  EXPECT_EQ(ValidationMessage(c), "--input-dim must be >= 1 (or 0 for --width), got -1");
  c = RunConfig();
  c.gain = NAN;
  EXPECT_EQ(ValidationMessage(c), "--gain must be a finite number, got nan");
  c = RunConfig();
  c.bias_std = -0.5;
  EXPECT_EQ(ValidationMessage(c), "--bias-std must be >= 0, got -0.5");
  c = RunConfig();
  c.saturation_threshold = 1;
  EXPECT_EQ(ValidationMessage(c), "--saturation-threshold must be in (0, 1), got 1");
  c = RunConfig();
  c.vanishing_threshold = 10;
  c.exploding_threshold = 1;
  EXPECT_NE(ValidationMessage(c).find("--vanishing-threshold (10) must be > 0 and <= "
                                      "--exploding-threshold (1)"),
            std::string::npos);
  // Names are parsed where they come in (ParseLoss, ParseInput, ...: tested in
  // name_tables_test.cpp), so a RunConfig cannot hold a bad one.
  c = RunConfig();
  c.activation_params.maxout_pieces = 0;
  EXPECT_EQ(ValidationMessage(c), "--maxout-pieces must be >= 1, got 0");
  c = RunConfig();
  c.threads = -1;
  EXPECT_EQ(ValidationMessage(c), "--threads must be >= 0, got -1");
}

}  // namespace
}  // namespace gradflow

namespace gradflow {
namespace {

std::string ValidateError(const RunConfig& config) {
  try {
    Validate(config);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, RowsPerLayerOverflowingIntAreRefused) {
  RunConfig c;
  c.activation = ActivationKind::kMaxout;
  c.width = 2'000'000'000;
  c.activation_params.maxout_pieces = 2;
  EXPECT_EQ(ValidateError(c),
            "--width 2000000000 x --maxout-pieces 2 = 4000000000 rows per layer; at most "
            "2147483647");
  c.activation_params.maxout_pieces = 1;
  EXPECT_EQ(ValidateError(c), "");
}

TEST(Config, ZeroWeightsAreRefusedNotReportedAsNaNRatios) {
  RunConfig c;
  c.gain = 0;
  EXPECT_NE(ValidateError(c).find("--gain must not be 0"), std::string::npos);
  c.gain = 1;
  c.init = InitKind::kNormal;
  c.init_params.init_std = 0;
  EXPECT_NE(ValidateError(c).find("--init-std must be > 0"), std::string::npos);
  c.init = InitKind::kUniform;
  c.init_params.init_scale = 0;
  EXPECT_NE(ValidateError(c).find("--init-scale must be > 0"), std::string::npos);
}

}  // namespace
}  // namespace gradflow

namespace gradflow {
namespace {

TEST(Config, WidthsParseSetDepthAndWidthAndEqualOnesAreUniform) {
  EXPECT_EQ(ParseWidths("512,256,128"), (std::vector<int>{512, 256, 128}));
  EXPECT_EQ(ParseWidths("64x32"), (std::vector<int>{64, 32}));
  for (const char* bad : {"", "64,,32", "64,0", "a", "64,-3", "64 32"}) {
    EXPECT_THROW(ParseWidths(bad), UsageError) << bad;
  }
  RunConfig c;
  SetWidths({64, 128, 32}, &c);
  EXPECT_EQ(c.depth, 3);
  EXPECT_EQ(c.width, 128);
  EXPECT_EQ(c.HiddenWidth(1), 64);
  EXPECT_EQ(c.LastHiddenWidth(), 32);
  EXPECT_EQ(WidthsText(c), "64x128x32");
  EXPECT_FALSE(c.IsPlainMlp());
  EXPECT_EQ(ValidationMessage(c), "no error");
  SetWidths({16, 16}, &c);  // equal: the same network as --depth 2 --width 16
  EXPECT_TRUE(c.widths.empty());
  EXPECT_EQ(c.depth, 2);
  EXPECT_EQ(c.width, 16);
  EXPECT_EQ(WidthsText(c), "");
}

TEST(Config, RemedyCombinationsThatCannotWorkAreRefused) {
  RunConfig c;
  SetWidths({8, 4}, &c);
  c.residual = true;
  EXPECT_NE(ValidationMessage(c).find("--residual needs hidden layers of equal width"),
            std::string::npos);
  c = RunConfig();
  c.residual = true;
  c.residual_scale = 0;
  EXPECT_EQ(ValidationMessage(c), "--residual-scale must be > 0, got 0");
  c.residual_scale = INFINITY;
  EXPECT_EQ(ValidationMessage(c), "--residual-scale must be a finite number, got inf");
  c = RunConfig();
  c.norm = NormKind::kBatch;
  c.batch = 1;
  EXPECT_NE(ValidationMessage(c).find("--norm batch needs --batch >= 2"), std::string::npos);
  c = RunConfig();
  c.norm = NormKind::kLayer;
  SetWidths({8, 1}, &c);
  EXPECT_NE(ValidationMessage(c).find("--norm layer needs >= 2 units"), std::string::npos);
  c.activation = ActivationKind::kMaxout;  // 1 unit x 2 pieces: two rows to normalise
  EXPECT_EQ(ValidationMessage(c), "no error");
  c = RunConfig();
  c.widths = {8, 4};  // not through SetWidths: depth and width disagree
  EXPECT_NE(ValidationMessage(c).find("--widths 8x4 must have --depth (20) entries"),
            std::string::npos);
}

}  // namespace
}  // namespace gradflow
