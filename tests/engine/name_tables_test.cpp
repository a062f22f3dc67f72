// The named tables (activation, init, loss, input): each name parses to its
// row's kind and back, rows are in kind order, and a bad name is a UsageError
// naming the option, the value, a suggestion and every allowed name.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "engine/activation.h"
#include "engine/config.h"
#include "engine/init.h"
#include "engine/inputs.h"
#include "engine/loss.h"

namespace gradflow {
namespace {

// One family, seen through ints so that one test body serves all four.
struct Family {
  std::string option;  // "--activation"
  std::vector<std::string> names;
  std::function<int(const std::string&)> parse;
  std::function<std::string(int)> name;
  std::string typo, suggestion;  // a misspelt name and the name it should suggest
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.option; }

std::vector<Family> Families() {
  return {
      {"--activation", ActivationNames(),
       [](const std::string& n) { return static_cast<int>(ParseActivation(n)); },
       [](int k) { return ActivationName(static_cast<ActivationKind>(k)); }, "leaky_rel",
       "leaky_relu"},
      {"--init", InitNames(), [](const std::string& n) { return static_cast<int>(ParseInit(n)); },
       [](int k) { return InitName(static_cast<InitKind>(k)); }, "he_norml", "he_normal"},
      {"--loss", LossNames(), [](const std::string& n) { return static_cast<int>(ParseLoss(n)); },
       [](int k) { return LossName(static_cast<LossKind>(k)); }, "cross_entropi", "cross_entropy"},
      {"--input", InputNames(),
       [](const std::string& n) { return static_cast<int>(ParseInput(n)); },
       [](int k) { return InputName(static_cast<InputKind>(k)); }, "gausian", "gaussian"},
  };
}

class EveryTable : public ::testing::TestWithParam<Family> {};

// Row i is kind i: parsing its name gives i, and naming i gives the name back.
TEST_P(EveryTable, NamesAndKindsRoundTrip) {
  const Family& f = GetParam();
  ASSERT_FALSE(f.names.empty());
  EXPECT_EQ(std::set<std::string>(f.names.begin(), f.names.end()).size(), f.names.size())
      << "names must be distinct";
  for (size_t i = 0; i < f.names.size(); ++i) {
    EXPECT_EQ(f.parse(f.names[i]), static_cast<int>(i)) << f.names[i];
    EXPECT_EQ(f.name(static_cast<int>(i)), f.names[i]);
  }
}

TEST_P(EveryTable, UnknownNameIsRejectedWithTheAllowedList) {
  const Family& f = GetParam();
  for (const std::string& bad : {f.typo, std::string("no_such_name"), std::string("")}) {
    try {
      f.parse(bad);
      FAIL() << f.option << " accepted '" << bad << "'";
    } catch (const UsageError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(f.option + ": unknown value '" + bad + "'", 0), 0u) << message;
      for (const std::string& name : f.names) {
        EXPECT_NE(message.find(name), std::string::npos) << name << " missing in: " << message;
      }
      if (bad == f.typo) {
        EXPECT_NE(message.find("did you mean '" + f.suggestion + "'"), std::string::npos)
            << message;
      }
    }
  }
}

// Names are case-sensitive, as the CSV cells they come back from are.
TEST_P(EveryTable, NamesAreExact) {
  const Family& f = GetParam();
  std::string upper = f.names.front();
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_THROW(f.parse(upper), UsageError);
  EXPECT_THROW(f.parse(" " + f.names.front()), UsageError);
}

INSTANTIATE_TEST_SUITE_P(Tables, EveryTable, ::testing::ValuesIn(Families()),
                         [](const ::testing::TestParamInfo<Family>& info) {
                           return info.param.option.substr(2);
                         });

TEST(TableRows, KindsIndexTheirRows) {
  for (size_t i = 0; i < ActivationTable().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(ActivationTable()[i].kind), i) << ActivationTable()[i].name;
    EXPECT_EQ(&ActivationSpecOf(ActivationTable()[i].kind), &ActivationTable()[i]);
  }
  for (size_t i = 0; i < InitTable().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(InitTable()[i].kind), i) << InitTable()[i].name;
    EXPECT_EQ(&InitSpecOf(InitTable()[i].kind), &InitTable()[i]);
  }
  for (size_t i = 0; i < LossTable().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(LossTable()[i].kind), i) << LossTable()[i].name;
  }
  for (size_t i = 0; i < InputTable().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(InputTable()[i].kind), i) << InputTable()[i].name;
  }
}

// "file" (a loaded model's weights or batch) is shown but cannot be asked for.
TEST(TableRows, FromFileIsANameButNotAChoice) {
  EXPECT_EQ(InitName(InitKind::kFromFile), "file");
  EXPECT_EQ(InputName(InputKind::kFromFile), "file");
  EXPECT_THROW(ParseInit("file"), UsageError);
  EXPECT_THROW(ParseInput("file"), UsageError);
  EXPECT_EQ(InitTable().size(), static_cast<size_t>(InitKind::kFromFile));
  EXPECT_EQ(InputTable().size(), static_cast<size_t>(InputKind::kFromFile));
  EXPECT_THROW(InitSpecOf(InitKind::kFromFile), UsageError);
  EXPECT_EQ(InitParamString(InitKind::kFromFile, InitParams{}), "");
}

// A loss has a linear head exactly when it names the option sizing it, and
// RunConfig::HeadUnits reads that option's field.
TEST(TableRows, HeadOptionsMatchHeadUnits) {
  RunConfig c;
  c.output_dim = 7;
  c.classes = 5;
  for (const LossSpec& spec : LossTable()) {
    c.loss = spec.kind;
    const std::string option = spec.head_option != nullptr ? spec.head_option : "";
    EXPECT_EQ(c.HeadUnits(), option == "--output-dim" ? 7
                             : option == "--classes"  ? 5
                                                      : 0)
        << spec.name;
  }
}

}  // namespace
}  // namespace gradflow
