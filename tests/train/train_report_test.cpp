// The stderr report of `gradflow train`: header, progress lines and the summary.
#include "train/train_report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "train/hand_made_train.h"

namespace gradflow {
namespace {

using testing_util::HandMadeTrainResult;

TEST(TrainReport, HeaderDescribesTheRunAndNamesTheColumns) {
  const std::string header = FormatTrainHeader(HandMadeTrainResult().config);
  EXPECT_EQ(header.substr(0, header.find('\n')),
            "gradflow train: relu, init he_normal, depth 2, width 8; task teacher, 4 classes "
            "(chance 25.0%); sgd lr 0.1 momentum 0; batch 16, 10 steps (2.5 epochs of 64 "
            "samples), test 32 samples; float32, seed 0");
  EXPECT_NE(header.find("test_acc"), std::string::npos);
  EXPECT_NE(header.find("wchange[2]"), std::string::npos);  // the last hidden layer
}

TEST(TrainReport, ProgressLineHasFixedWidthColumns) {
  const TrainResult r = HandMadeTrainResult();
  const std::string line = FormatTrainProgress(r.config, r.rows[1]);
  EXPECT_EQ(line.size(), 7u + 1 + 11 + 1 + 11 + 1 + 9 + 1 + 10 + 1 + 11 + 1 + 11 + 1);
  std::istringstream fields(line);
  std::vector<std::string> tokens;
  for (std::string token; fields >> token;) tokens.push_back(token);
  EXPECT_EQ(tokens, (std::vector<std::string>{"10", "0.7", "1.2", "50.0%", "2.50e-01", "1.00e-04",
                                              "1.00e-02"}));
  TrainConfig regression = r.config;
  regression.task = "regression";
  EXPECT_EQ(FormatTrainProgress(regression, r.rows[1]).find('%'), std::string::npos);
  EXPECT_EQ(FormatTrainHeader(regression).find("test_acc"), std::string::npos);
}

TEST(TrainReport, SummaryComparesFirstAndLastHiddenLayerAndTheLosses) {
  TrainResult r = HandMadeTrainResult();
  const std::string summary = FormatTrainSummary(r);
  EXPECT_NE(summary.find("per layer at step 10 (metrics on the evaluation batch):"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("learning: after 10 steps layer 1 moved 0.0001 of its initial norm, "
                         "layer 2 (last hidden) 0.01: the first layer learned 100x less\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("loss: train 1.4 -> 0.7 (-50.0%), test 1.5 -> 1.2 (-20.0%); test "
                         "accuracy 25.0% -> 50.0% (chance 25.0%)\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("gradients: vanishing_ratio delta[1]/delta[2] 0.5 at step 0, 0.25 at "
                         "step 10\n"),
            std::string::npos)
      << summary;
  EXPECT_EQ(summary.find("STOPPED"), std::string::npos);
  r.diverged = true;
  r.stop_reason = "the loss became nan";
  EXPECT_NE(FormatTrainSummary(r).find("STOPPED after 10 of 10 steps: the loss became nan\n"),
            std::string::npos);
  r.rows[1].weight_change = {0.02, 0.01, 0.01};
  EXPECT_NE(FormatTrainSummary(r).find("the first layer learned 2x more"), std::string::npos);
}

TEST(TrainReport, ReportComparesFirstAndLastLayerAndTheLoss) {
  TrainConfig t = testing_util::SmallTrain();
  t.steps = 20;
  const TrainResult r = Train(t);
  const std::string header = FormatTrainHeader(r.config);
  EXPECT_NE(header.find("task teacher, 4 classes (chance 25.0%)"), std::string::npos) << header;
  const std::string summary = FormatTrainSummary(r);
  EXPECT_NE(summary.find("learning: after 20 steps layer 1 moved"), std::string::npos) << summary;
  EXPECT_NE(summary.find("layer 3 (last hidden)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("loss: train "), std::string::npos) << summary;
  EXPECT_NE(summary.find("(chance 25.0%)"), std::string::npos) << summary;
}
}  // namespace
}  // namespace gradflow
