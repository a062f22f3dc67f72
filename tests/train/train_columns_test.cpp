// The CSVs of `gradflow train`: layout, empty cells, and the column tables.
#include "train/train_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "train/hand_made_train.h"

namespace gradflow {
namespace {

using testing_util::HandMadeTrainResult;
using testing_util::SmallTrain;

TEST(TrainColumns, CsvLayoutHasStepRunColumnsThenTrainingColumns) {
  TrainConfig t = SmallTrain();
  t.steps = 3;
  const TrainResult r = Train(t);
  const std::string header = TrainLayerCsvHeader();
  EXPECT_EQ(header.rfind("step,activation,act_param,", 0), 0u) << header;
  EXPECT_NE(
      header.find(
          ",nonfinite,subnormal,pred_preact_q,pred_delta_ratio,pred_saturation_frac,update_ratio,"
          "weight_change,task,"),
      std::string::npos)
      << header;
  const std::string rows = TrainLayerCsvRows(r);
  // 4 logged steps (0, 1, 2, 3) x 4 layers (3 hidden + head)
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 16);
  auto count_fields = [](const std::string& line) {
    return std::count(line.begin(), line.end(), ',') + 1;
  };
  const std::string first_row = rows.substr(0, rows.find('\n'));
  EXPECT_EQ(count_fields(first_row), count_fields(header.substr(0, header.size() - 1)));
  // Step 0: empty update_ratio, weight_change 0; sgd: empty beta1/beta2/eps.
  EXPECT_NE(first_row.find(",,0,teacher,2048,512,sgd,0.1,0,,,,3"), std::string::npos) << first_row;
  const std::string curve_header = CurveCsvHeader();
  EXPECT_EQ(curve_header.rfind("step,train_loss,train_accuracy,test_loss,test_accuracy,", 0), 0u);
  const std::string curve = CurveCsvRows(r);
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 4);
  EXPECT_EQ(count_fields(curve.substr(0, curve.find('\n'))),
            count_fields(curve_header.substr(0, curve_header.size() - 1)));
}
TEST(TrainColumns, ColumnTablesHaveUniqueDocumentedNames) {
  std::set<std::string> names;
  for (const auto& c : TrainConfigColumns()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_NE(std::string(c.doc), c.name);
  }
  EXPECT_EQ(names, (std::set<std::string>{"task", "train_size", "test_size", "optimizer", "lr",
                                          "momentum", "beta1", "beta2", "eps", "total_steps"}));
  std::vector<std::string> curve;
  for (const auto& c : CurveColumns()) curve.push_back(c.name);
  EXPECT_EQ(curve.front(), "train_loss");
  EXPECT_EQ(curve.back(), "nonfinite");
  ASSERT_EQ(TrainLayerColumns().size(), 2u);
  EXPECT_STREQ(TrainLayerColumns()[0].name, "update_ratio");
  EXPECT_STREQ(TrainLayerColumns()[1].name, "weight_change");
}

TEST(TrainColumns, HandMadeRowsHaveExactCells) {
  const TrainResult r = HandMadeTrainResult();
  const std::string curve = CurveCsvRows(r);
  // step, train_loss, train_accuracy, test_loss, test_accuracy, eval_loss, vanishing_ratio,
  // grad_w_vanishing_ratio, mean_saturation, first_weight_change, last_weight_change, nonfinite
  EXPECT_EQ(curve.rfind("0,1.4,0.25,1.5,0.25,0,0.5,0,0,0,0,0,relu,", 0), 0u) << curve;
  EXPECT_NE(curve.find("\n10,0.7,0.5,1.2,0.5,0,0.25,0,0,0.0001,0.01,0,relu,"), std::string::npos)
      << curve;
  // sgd: momentum filled, adam's beta1, beta2, eps empty; total_steps 10.
  EXPECT_NE(curve.find(",teacher,64,32,sgd,0.1,0,,,,10\n"), std::string::npos) << curve;
  const std::string layers = TrainLayerCsvRows(r);
  EXPECT_EQ(std::count(layers.begin(), layers.end(), '\n'), 6);  // 2 steps x 3 layers
  EXPECT_EQ(layers.rfind("0,relu,", 0), 0u);
  // Step 10, layer 3 (the head): update_ratio 2e-3, weight_change 5e-3.
  EXPECT_NE(layers.find(",0.002,0.005,teacher,64,32,sgd,"), std::string::npos) << layers;
  TrainResult adam = r;
  adam.config.optimizer.name = "adam";
  EXPECT_NE(CurveCsvRows(adam).find(",adam,0.1,,0.9,0.999,1e-08,10\n"), std::string::npos)
      << CurveCsvRows(adam);
}

}  // namespace
}  // namespace gradflow
