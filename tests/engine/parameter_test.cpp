// The parameters declared by the activation and init table rows: defaults,
// text forms, range checks, and that Validate checks every one of them.
#include "engine/parameter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "base/error.h"
#include "engine/activation.h"
#include "engine/config.h"
#include "engine/init.h"

namespace gradflow {
namespace {

// Expects `call` to throw UsageError whose message is `message`.
template <typename Call>
void ExpectMessage(Call call, const std::string& message) {
  try {
    call();
    ADD_FAILURE() << "no error; expected '" << message << "'";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(Parameter, TheTablesDeclareTheirParameters) {
  std::vector<std::string> options;
  for (const ActivationParameter* p : ActivationParameters()) options.push_back(p->option);
  EXPECT_EQ(options, (std::vector<std::string>{"--leaky-slope", "--elu-alpha", "--maxout-pieces"}));
  options.clear();
  for (const InitParameter* p : InitParameters()) options.push_back(p->option);
  EXPECT_EQ(options, (std::vector<std::string>{"--init-std", "--init-scale"}));
}

// Each parameter belongs to one row, and its key is its option without
// dashes, underscored (model metadata, JSON).
TEST(Parameter, OptionsAndKeysAreConsistent) {
  std::set<const ActivationParameter*> seen;
  for (const ActivationSpec& spec : ActivationTable()) {
    if (spec.parameter == nullptr) continue;
    EXPECT_TRUE(seen.insert(spec.parameter).second) << spec.name;
    std::string key = spec.parameter->Name();
    for (char& c : key) c = c == '-' ? '_' : c;
    EXPECT_EQ(spec.parameter->key, key);
    EXPECT_EQ(std::string(spec.parameter->option), "--" + spec.parameter->Name());
  }
  EXPECT_EQ(seen.size(), ActivationParameters().size());
}

TEST(Parameter, DefaultsAreTheParamsStructs) {
  const ActivationParams a;
  const InitParams i;
  const ActivationSpec& leaky = FindActivation("leaky_relu");
  const ActivationSpec& maxout = FindActivation("maxout");
  EXPECT_EQ(leaky.parameter->Default(), a.leaky_slope);
  EXPECT_EQ(FindActivation("elu").parameter->Default(), a.elu_alpha);
  EXPECT_EQ(maxout.parameter->Default(), a.maxout_pieces);
  EXPECT_TRUE(maxout.parameter->IsInteger());
  EXPECT_FALSE(leaky.parameter->IsInteger());
  EXPECT_EQ(FindInit("normal").parameter->Default(), i.init_std);
  EXPECT_EQ(FindInit("uniform").parameter->Default(), i.init_scale);
  EXPECT_EQ(FindActivation("relu").parameter, nullptr);
  EXPECT_EQ(FindInit("he_normal").parameter, nullptr);
}

// CSV cells use fmt's shortest form, metadata the round-tripping FormatNumber;
// the activation's ParamString is its parameter's CSV text.
TEST(Parameter, TextForms) {
  ActivationParams p;
  p.leaky_slope = 0.2;
  p.maxout_pieces = 3;
  const ActivationSpec& leaky = FindActivation("leaky_relu");
  const ActivationSpec& maxout = FindActivation("maxout");
  EXPECT_EQ(leaky.parameter->CsvText(p), "0.2");
  EXPECT_EQ(maxout.parameter->CsvText(p), "3");
  EXPECT_EQ(maxout.parameter->MetadataText(p), "3");
  EXPECT_EQ(std::stod(leaky.parameter->MetadataText(p)), 0.2);
  EXPECT_EQ(Activation(leaky, p).ParamString(), "0.2");
  EXPECT_EQ(Activation(maxout, p).ParamString(), "3");
  EXPECT_EQ(Activation(FindActivation("tanh"), p).ParamString(), "");
  InitParams i;
  i.init_std = 0.3;
  EXPECT_EQ(InitParamString(InitKind::kNormal, i), "0.3");
  EXPECT_EQ(InitParamString(InitKind::kHeNormal, i), "");
}

TEST(Parameter, RangeChecksNameTheOption) {
  ActivationParams p;
  p.elu_alpha = -1;
  ExpectMessage([&] { FindActivation("elu").parameter->Check(p); },
                "--elu-alpha must be >= 0, got -1");
  p.maxout_pieces = 0;
  ExpectMessage([&] { FindActivation("maxout").parameter->Check(p); },
                "--maxout-pieces must be >= 1, got 0");
  p.leaky_slope = std::nan("");
  ExpectMessage([&] { FindActivation("leaky_relu").parameter->Check(p); },
                "--leaky-slope must be a finite number, got nan");
  p.leaky_slope = -5;  // any finite slope is allowed
  EXPECT_NO_THROW(FindActivation("leaky_relu").parameter->Check(p));
  InitParams i;
  i.init_scale = std::numeric_limits<double>::infinity();
  ExpectMessage([&] { FindInit("uniform").parameter->Check(i); },
                "--init-scale must be a finite number, got inf");
}

// Validate checks every declared parameter, whichever activation or init is
// chosen (a sweep may set them for rows that ignore them).
TEST(Parameter, ValidateChecksEveryParameter) {
  for (const ActivationParameter* p : ActivationParameters()) {
    RunConfig c;
    if (p->IsInteger()) {
      c.activation_params.*(p->whole) = static_cast<int>(p->minimum) - 1;
    } else {
      c.activation_params.*(p->real) = std::nan("");
    }
    EXPECT_THROW(Validate(c), UsageError) << p->option;
  }
  for (const InitParameter* p : InitParameters()) {
    RunConfig c;
    c.init_params.*(p->real) = -1;
    EXPECT_THROW(Validate(c), UsageError) << p->option;
  }
  EXPECT_NO_THROW(Validate(RunConfig{}));
}

}  // namespace
}  // namespace gradflow
