// Keeps the README true: every CSV column, activation and init is documented there.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/activation.h"
#include "engine/init.h"
#include "experiment/run_columns.h"

namespace gradflow {
namespace {

std::string Readme() {
  std::ifstream in(std::string(GRADFLOW_SOURCE_DIR) + "/README.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Readme, DocumentsEveryColumnActivationAndInit) {
  const std::string readme = Readme();
  ASSERT_FALSE(readme.empty());
  auto documented = [&](const std::string& name) {
    return readme.find("`" + name + "`") != std::string::npos ||
           readme.find(" " + name + " ") != std::string::npos;
  };
  for (const auto& c : ConfigColumns()) EXPECT_TRUE(documented(c.name)) << c.name;
  for (const auto& c : LayerColumns()) EXPECT_TRUE(documented(c.name)) << c.name;
  for (const auto& c : SummaryColumns()) EXPECT_TRUE(documented(c.name)) << c.name;
  for (const auto& name : ActivationNames()) EXPECT_TRUE(documented(name)) << name;
  for (const auto& name : InitNames()) EXPECT_TRUE(documented(name)) << name;
}

}  // namespace
}  // namespace gradflow
