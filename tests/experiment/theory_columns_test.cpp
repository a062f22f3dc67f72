#include "experiment/theory_columns.h"

#include <gtest/gtest.h>

#include <string>

#include "experiment/run_columns.h"
#include "io/csv_reader.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Config;

TEST(TheoryColumns, ConfigColumnsAreTheRunCsvsOnesThenTheSaturationThreshold) {
  RunConfig config = Config("leaky_relu", "normal", 4, 8, 3);
  config.init_params.init_std = 0.5;
  config.input_scale = 2;
  const std::vector<Column<RunConfig>>& theory = TheoryConfigColumns();
  ASSERT_EQ(theory.size(), 11u);
  EXPECT_STREQ(theory.back().name, "saturation_threshold");
  for (size_t i = 0; i + 1 < theory.size(); ++i) {
    const std::vector<Column<RunConfig>> run = ColumnsNamed(ConfigColumns(), {theory[i].name});
    EXPECT_EQ(theory[i].value(config), run[0].value(config)) << theory[i].name;
  }
  EXPECT_EQ(CsvLine().AddValues(theory, config).Text(),
            "leaky_relu,0.01,normal,0.5,1,0,4,8,8,2,0.02\n");
}

TEST(TheoryColumns, LayerCsvHasOneRowPerLayerWithThePhase) {
  const RunConfig config = Config("relu", "he_normal", 3, 256, 1);
  const NetworkTheory theory = PredictNetwork(config);
  const std::string text = TheoryLayerCsv(config, theory);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "activation,act_param,init,init_param,gain,bias_std,depth,width,input_dim,input_scale,"
            "saturation_threshold,sigma_w2,sigma_b2,q_x,fixed_point,q_star,chi1,xi,phase,"
            "pred_vanishing_ratio,pred_decay_per_layer,layer,layer_sigma_w2,pred_preact_q,chi,"
            "pred_delta_ratio,pred_saturation_frac");
  const CsvTable table = CsvTable::Parse("theory.csv", text);
  ASSERT_EQ(table.rows().size(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(table.Number(r, table.RequireColumn("layer")), static_cast<double>(r + 1));
    // ReLU at He: the critical line, every q^l = q^1.
    EXPECT_EQ(table.rows()[r].field(table.RequireColumn("phase")), "critical");
    EXPECT_EQ(table.rows()[r].field(table.RequireColumn("fixed_point")), "marginal");
    EXPECT_EQ(table.Number(r, table.RequireColumn("sigma_w2")), 2);
  }
}

TEST(TheoryColumns, PhaseCsvHasOneRowPerConfigurationAndNoLayerColumns) {
  const std::vector<RunConfig> configs = {Config("tanh", "xavier_normal", 5, 64, 1),
                                          Config("relu", "lecun_normal", 5, 64, 1)};
  const std::vector<NetworkTheory> theories = {PredictNetwork(configs[0]),
                                               PredictNetwork(configs[1])};
  const CsvTable table = CsvTable::Parse("phase.csv", TheoryPhaseCsv(configs, theories));
  ASSERT_EQ(table.rows().size(), 2u);
  EXPECT_EQ(table.header().size(), TheoryConfigColumns().size() + PhaseColumns().size());
  EXPECT_EQ(table.ColumnIndex("layer"), -1);
  EXPECT_EQ(table.rows()[0].field(0), "tanh");
  EXPECT_EQ(table.rows()[1].field(0), "relu");
  EXPECT_EQ(table.rows()[1].field(table.RequireColumn("phase")), "ordered");  // sigma_w^2 = 1
  EXPECT_EQ(table.Number(1, table.RequireColumn("chi1")), theories[1].phase.chi1);
}

TEST(TheoryColumns, EveryColumnIsDocumented) {
  for (const auto& c : TheoryConfigColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
  for (const auto& c : PhaseColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
  for (const auto& c : TheoryLayerColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
}

}  // namespace
}  // namespace gradflow
