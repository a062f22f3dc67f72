// `gradflow list --json`: valid JSON holding exactly the rows of the
// activation, init, loss and input tables, as scripts/gradflow_tables.py
// reads them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/activation.h"
#include "engine/config.h"
#include "engine/init.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "nlohmann/json.hpp"

namespace gradflow {
namespace {

// (exit code, stdout) of `gradflow ARGS`.
std::pair<int, std::string> Gradflow(const std::string& args) {
  const std::string out =
      ::testing::TempDir() + "gradflow_list_json_" + std::to_string(getpid()) + ".txt";
  const int status = std::system(
      (std::string(GRADFLOW_BINARY) + " " + args + " >" + out + " 2>/dev/null").c_str());
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(out.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

class ListJson : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto [code, out] = Gradflow("list --json");
    ASSERT_EQ(code, 0);
    json_ = nlohmann::json::parse(out);  // throws (and fails) on invalid JSON
  }
  static std::vector<std::string> Names(const char* family) {
    std::vector<std::string> names;
    for (const auto& row : json_.at(family)) names.push_back(row.at("name"));
    return names;
  }
  static nlohmann::json json_;
};
nlohmann::json ListJson::json_;

TEST_F(ListJson, HoldsEveryTableInOrder) {
  EXPECT_EQ(json_.at("format"), "gradflow-tables");
  EXPECT_EQ(Names("activations"), ActivationNames());
  EXPECT_EQ(Names("inits"), InitNames());
  EXPECT_EQ(Names("losses"), LossNames());
  EXPECT_EQ(Names("inputs"), InputNames());
  EXPECT_EQ(Names("norms"), NormNames());
  EXPECT_EQ(json_.at("dtypes").get<std::vector<std::string>>(), DTypeNames());
}

TEST_F(ListJson, ActivationRowsMatchTheTable) {
  const auto& rows = json_.at("activations");
  ASSERT_EQ(rows.size(), ActivationTable().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const ActivationSpec& spec = ActivationTable()[i];
    const auto& row = rows[i];
    SCOPED_TRACE(spec.name);
    EXPECT_EQ(row.at("formula"), spec.formula);
    EXPECT_EQ(row.at("derivative"), spec.derivative);
    EXPECT_EQ(row.at("kink_at_zero"), spec.kink_at_zero);
    EXPECT_EQ(row.at("piecewise_linear"), spec.piecewise_linear);
    EXPECT_EQ(row.at("maxout"), spec.is_maxout);
    EXPECT_DOUBLE_EQ(row.at("max_abs_dphi").get<double>(),
                     Activation(spec, ActivationParams{}).MaxAbsDPhi());
    if (spec.parameter == nullptr) {
      EXPECT_TRUE(row.at("parameter").is_null());
      continue;
    }
    const auto& p = row.at("parameter");
    EXPECT_EQ(p.at("option"), spec.parameter->option);
    EXPECT_EQ(p.at("metadata_key"), spec.parameter->key);
    EXPECT_EQ(p.at("integer"), spec.parameter->IsInteger());
    EXPECT_EQ(p.at("default").get<double>(), spec.parameter->Default());
  }
  const auto& leaky = rows[static_cast<size_t>(ActivationKind::kLeakyRelu)].at("parameter");
  EXPECT_EQ(leaky.at("option"), "--leaky-slope");
  EXPECT_EQ(leaky.at("default").get<double>(), 0.01);
  EXPECT_TRUE(leaky.at("minimum").is_null());  // any finite slope
  const auto& maxout = rows[static_cast<size_t>(ActivationKind::kMaxout)].at("parameter");
  EXPECT_TRUE(maxout.at("default").is_number_integer());
  EXPECT_EQ(maxout.at("minimum").get<double>(), 1);
}

TEST_F(ListJson, InitAndLossRowsMatchTheirTables) {
  const auto& inits = json_.at("inits");
  for (size_t i = 0; i < inits.size(); ++i) {
    const InitSpec& spec = InitTable()[i];
    EXPECT_EQ(inits[i].at("formula"), spec.formula) << spec.name;
    EXPECT_EQ(inits[i].at("parameter").is_null(), spec.parameter == nullptr) << spec.name;
    // normal and uniform: sigma_w^2 grows with fan_in, so it is given per unit of fan_in.
    const bool scales = spec.kind == InitKind::kNormal || spec.kind == InitKind::kUniform;
    EXPECT_EQ(inits[i].at("sigma_w2_square").is_null(), scales) << spec.name;
    EXPECT_EQ(inits[i].at("sigma_w2_per_fan_in").is_null(), !scales) << spec.name;
    if (scales) {
      EXPECT_DOUBLE_EQ(inits[i].at("sigma_w2_per_fan_in").get<double>() * 300,
                       spec.sigma_w2(300, 300, InitParams{}))
          << spec.name;
    } else {
      EXPECT_DOUBLE_EQ(inits[i].at("sigma_w2_square").get<double>(),
                       spec.sigma_w2(100, 100, InitParams{}))
          << spec.name;
    }
  }
  EXPECT_EQ(inits[static_cast<size_t>(InitKind::kNormal)].at("parameter").at("option"),
            "--init-std");
  const auto& losses = json_.at("losses");
  EXPECT_TRUE(losses[0].at("head_option").is_null());  // probe
  EXPECT_EQ(losses[static_cast<size_t>(LossKind::kMse)].at("head_option"), "--output-dim");
  EXPECT_EQ(losses[static_cast<size_t>(LossKind::kCrossEntropy)].at("head_option"), "--classes");
}

TEST(ListJsonCli, JsonAndColumnsExcludeEachOther) {
  EXPECT_EQ(Gradflow("list --json --columns").first, 2);
}

}  // namespace
}  // namespace gradflow
