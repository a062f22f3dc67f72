// Tests of the predictions beside the measurements: the pred_* columns, the
// --compare summary, the `gradflow theory` command, and the check that
// matters most: measured gradient flow agrees with mean-field theory.
#include "theory/prediction.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/inputs.h"
#include "experiment/run_columns.h"

namespace gradflow {
namespace {

// ---- measured vs predicted (the acceptance test) ----
//
// Width 512, batch 256, depth 20, float64, probe loss, seeds 1..3. Per seed and
// hidden layer l < L the measured ratio r_l = ‖δ^l‖/‖δ^{l+1}‖; their mean over
// layers and seeds must be within 3% of the mean of √χ_l, and so must the
// geometric-mean decay. One test per (activation, init) so ctest can run them
// in parallel; each is three runs (~2 s in Release on one core).

struct AgreementCase {
  const char* activation;
  const char* init;
};
void PrintTo(const AgreementCase& c, std::ostream* os) { *os << c.activation << "/" << c.init; }

class TheoryAgreement : public ::testing::TestWithParam<AgreementCase> {};

TEST_P(TheoryAgreement, MeanLayerRatioWithinThreePercentOfSqrtChi) {
  RunConfig config;
  config.activation = ParseActivation(GetParam().activation);
  config.init = ParseInit(GetParam().init);
  config.width = 512;
  config.batch = 256;
  config.depth = 20;
  config.dtype = DType::kFloat64;
  config.loss = LossKind::kProbe;
  config.threads = 1;  // ctest runs tests side by side; results do not depend on it
  const NetworkTheory theory = PredictNetwork(config);
  const MeanField mean_field(MakeActivation(config), config.saturation_threshold);
  double measured_sum = 0, predicted_sum = 0, measured_decay = 0, saturation_gap = 0;
  int count = 0;
  const int seeds = 3;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    config.seed = seed;
    const RunResult result = RunExperiment(config);
    for (int l = 1; l < config.depth; ++l) {
      measured_sum += result.layers[l - 1].delta_norm / result.layers[l].delta_norm;
      predicted_sum += std::sqrt(theory.layers[l - 1].chi);
      ++count;
    }
    measured_decay += result.summary.decay_per_layer / seeds;
    // the first layer's q and saturation: z^1 = W^1 x averages over many independent terms
    EXPECT_NEAR(result.layers[0].preact_q / theory.layers[0].q, 1.0, 0.03) << "seed " << seed;
    EXPECT_NEAR(result.layers[0].saturation_frac, *result.layers[0].pred_saturation_frac, 0.01)
        << "seed " << seed;
    // the columns carry the same predictions
    EXPECT_EQ(*result.layers[0].pred_delta_ratio, theory.layers[0].delta_ratio);
    EXPECT_EQ(*result.summary.pred_decay_per_layer, theory.decay_per_layer);
    // Deeper, q^l itself wanders at finite width (relative noise ~ sqrt(2l/N)), so
    // the saturation rule is checked at the measured q: on average over layers.
    for (int l = 1; l <= config.depth; ++l) {
      saturation_gap += (result.layers[l - 1].saturation_frac -
                         mean_field.SaturationFraction(result.layers[l - 1].preact_q)) /
                        (config.depth * seeds);
    }
  }
  EXPECT_NEAR(saturation_gap, 0.0, 0.01);
  const double mean_measured = measured_sum / count, mean_predicted = predicted_sum / count;
  EXPECT_NEAR(mean_measured / mean_predicted, 1.0, 0.03)
      << "measured " << mean_measured << " predicted " << mean_predicted;
  EXPECT_NEAR(measured_decay / theory.decay_per_layer, 1.0, 0.03)
      << "measured " << measured_decay << " predicted " << theory.decay_per_layer;
}

INSTANTIATE_TEST_SUITE_P(
    Theory, TheoryAgreement,
    ::testing::Values(AgreementCase{"sigmoid", "xavier_uniform"},
                      AgreementCase{"sigmoid", "he_normal"},
                      AgreementCase{"tanh", "xavier_uniform"}, AgreementCase{"tanh", "he_normal"},
                      AgreementCase{"relu", "xavier_uniform"}, AgreementCase{"relu", "he_normal"},
                      AgreementCase{"elu", "xavier_uniform"}, AgreementCase{"elu", "he_normal"}),
    [](const ::testing::TestParamInfo<AgreementCase>& info) {
      return std::string(info.param.activation) + "_" + info.param.init;
    });

// GELU and SiLU at a large initial scale, where much of layer 1 lies on the
// negative-slope side: measured and predicted saturation agree under the rule
// |φ'| < τ·max|φ'|, and both stay well below the mass of the negative-slope
// region (what the rule φ' < τ·max φ' would have counted).
TEST(TheoryAgreement, GeluAndSiluSaturationMeasuredAsPredicted) {
  for (const char* name : {"gelu", "silu"}) {
    SCOPED_TRACE(name);
    RunConfig config;
    config.activation = ParseActivation(name);
    config.init = InitKind::kXavierNormal;
    config.gain = 3;  // q^1 ≈ 9: a third of z^1 below GELU's -0.75, SiLU's -1.28
    config.width = 512;
    config.batch = 256;
    config.depth = 3;
    config.dtype = DType::kFloat64;
    config.threads = 1;
    const RunResult result = RunExperiment(config);
    const double measured = result.layers[0].saturation_frac;
    const double predicted = *result.layers[0].pred_saturation_frac;
    EXPECT_NEAR(measured, predicted, 0.01);
    // Where φ' < 0: z < -0.7518 (GELU), z < -1.2785 (SiLU).
    const double negative_side = config.activation == ActivationKind::kGelu ? -0.7518 : -1.2785;
    const double negative_mass = GaussianMass(-INFINITY, negative_side, result.layers[0].preact_q);
    EXPECT_GT(negative_mass, 0.25);
    EXPECT_LT(predicted, negative_mass - 0.1);
  }
}

// ---- the pred_* columns ----

RunConfig Small(const std::string& loss) {
  RunConfig c;
  c.activation = ActivationKind::kTanh;
  c.init = InitKind::kHeNormal;
  c.width = 16;
  c.batch = 8;
  c.depth = 4;
  c.loss = ParseLoss(loss);
  c.threads = 1;
  return c;
}

TEST(TheoryPredictionColumns, ProbeRunFillsEveryPrediction) {
  const RunResult r = RunExperiment(Small("probe"));
  const NetworkTheory t = PredictNetwork(r.config);
  for (const LayerMetrics& m : r.layers) {
    ASSERT_TRUE(m.pred_preact_q && m.pred_delta_ratio && m.pred_saturation_frac);
    EXPECT_EQ(*m.pred_preact_q, t.layers[m.layer - 1].q);
    EXPECT_EQ(*m.pred_delta_ratio, t.layers[m.layer - 1].delta_ratio);
  }
  EXPECT_EQ(*r.layers.back().pred_delta_ratio, 1.0);  // ‖δ^L‖/‖δ^L‖
  EXPECT_EQ(*r.summary.pred_vanishing_ratio, t.vanishing_ratio);
  EXPECT_EQ(*r.summary.chi1, t.phase.chi1);
  EXPECT_EQ(r.summary.phase, "chaotic");
}

TEST(TheoryPredictionColumns, MseLeavesDeltaPredictionsEmpty) {
  const RunResult r = RunExperiment(Small("mse"));
  ASSERT_EQ(r.layers.size(), 5u);  // 4 hidden + head
  for (const LayerMetrics& m : r.layers) {
    EXPECT_FALSE(m.pred_delta_ratio) << m.layer;
    EXPECT_TRUE(m.pred_preact_q) << m.layer;
  }
  EXPECT_EQ(*r.layers.back().pred_saturation_frac, 0.0);  // linear head
  EXPECT_FALSE(r.summary.pred_vanishing_ratio);
  EXPECT_TRUE(r.summary.chi1);  // a property of activation and init, whatever the loss
  // The CSV shows an empty cell, not a number.
  const std::string rows = LayerCsvRows(r);
  const std::string first = rows.substr(0, rows.find('\n'));
  EXPECT_NE(first.find(",,"), std::string::npos) << first;
  const std::string summary = SummaryCsvRow(r);
  EXPECT_NE(summary.find(",,,"), std::string::npos) << summary;  // two empty pred cells
}

TEST(TheoryPredictionColumns, HeadersNameThePredictions) {
  for (const char* name : {"pred_preact_q", "pred_delta_ratio", "pred_saturation_frac"}) {
    EXPECT_NE(LayerCsvHeader().find(name), std::string::npos) << name;
  }
  for (const char* name : {"pred_vanishing_ratio", "pred_decay_per_layer", "chi1", "phase"}) {
    EXPECT_NE(SummaryCsvHeader().find(name), std::string::npos) << name;
  }
}

TEST(TheoryPredictionColumns, MeasureNetworkAloneLeavesThemEmpty) {
  // A caller measuring its own (maybe trained) network gets no predictions.
  const RunConfig c = Small("probe");
  const Network<double> net = BuildNetwork<double>(c);
  const MatD x = SampleInput(c);
  const RunResult r =
      MeasureNetwork(c, net, x, SampleLossTargets(LossKind::kProbe, c.width, c.batch, c.seed));
  EXPECT_FALSE(r.layers[0].pred_preact_q);
  EXPECT_FALSE(r.summary.chi1);
  EXPECT_EQ(r.summary.phase, "");
}

// ---- the --compare summary, on hand-made measurements ----

RunResult HandMade(const std::vector<double>& delta_norms) {
  RunResult r;
  r.config.activation = ActivationKind::kRelu;
  r.config.init = InitKind::kHeNormal;  // χ = 1 per layer, q = 2 throughout
  r.config.depth = static_cast<int>(delta_norms.size());
  for (size_t i = 0; i < delta_norms.size(); ++i) {
    LayerMetrics m;
    m.layer = static_cast<int>(i) + 1;
    m.kind = "hidden";
    m.delta_norm = delta_norms[i];
    m.preact_q = i == 1 ? 2.5 : 2.0;
    r.layers.push_back(m);
  }
  r.summary = Summarise(r.config, r.layers, 0.0);
  return r;
}

TEST(TheoryCompare, PicksTheLargestDeviation) {
  // r_1 = 1.1, r_2 = 0.95, r_3 = 1.0 against √χ = 1
  const TheoryComparison c = CompareWithTheory(HandMade({1.045, 0.95, 1.0, 1.0}));
  ASSERT_TRUE(c.has_delta);
  EXPECT_EQ(c.compared, 3);
  EXPECT_EQ(c.worst_layer, 1);
  EXPECT_NEAR(c.worst_measured, 1.1, 1e-12);
  EXPECT_NEAR(c.worst_predicted, 1.0, 1e-12);
  EXPECT_NEAR(c.mean_deviation, (0.1 - 0.05 + 0.0) / 3, 1e-12);
  EXPECT_NEAR(c.predicted_decay, 1.0, 1e-12);
  EXPECT_NEAR(c.measured_vanishing, 1.045, 1e-12);
  EXPECT_EQ(c.worst_q_layer, 2);  // 2.5 against 2
  const std::string text = FormatComparison(c);
  EXPECT_NE(text.find("largest +10.00% at layer 1"), std::string::npos) << text;
  EXPECT_NE(text.find("+25.00% at layer 2"), std::string::npos) << text;
  EXPECT_NE(text.find("critical"), std::string::npos) << text;
}

TEST(TheoryCompare, SkipsUnderflowedLayersAndExplainsOtherLosses) {
  const TheoryComparison c = CompareWithTheory(HandMade({0.0, 0.0, 0.5, 1.0}));
  EXPECT_EQ(c.skipped, 2);  // 0/0 and 0/0.5
  EXPECT_EQ(c.compared, 1);
  EXPECT_EQ(c.worst_layer, 3);
  RunResult mse = HandMade({1, 1, 1});
  mse.config.loss = LossKind::kMse;
  const TheoryComparison m = CompareWithTheory(mse);
  EXPECT_FALSE(m.has_delta);
  EXPECT_NE(FormatComparison(m).find("--loss mse"), std::string::npos);
}

// ---- the CLI ----

struct Outcome {
  int exit_code;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A scratch file name of this test process: ctest runs the tests (and other
// checkouts their tests) in parallel, so shared names would race.
std::string Scratch(const std::string& name) {
  return ::testing::TempDir() + "theory_cli_" + std::to_string(getpid()) + "_" + name;
}

Outcome Gradflow(const std::string& args) {
  const std::string out = Scratch("out.txt"), err = Scratch("err.txt");
  const std::string command = std::string(GRADFLOW_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(TheoryCli, PerLayerTableAndCsv) {
  const std::string csv = Scratch("theory_layers.csv");
  const Outcome o = Gradflow("theory --activation tanh --init he_normal --depth 6 -o " + csv);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("chaotic"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("q* = 0.617965"), std::string::npos) << o.out;
  const std::string text = Slurp(csv);
  EXPECT_EQ(CountLines(text), 7);  // header + 6 layers
  EXPECT_EQ(text.rfind("activation,act_param,init,", 0), 0u) << text;
  EXPECT_NE(text.find("pred_delta_ratio"), std::string::npos);
  EXPECT_NE(text.find(",chaotic,"), std::string::npos);
}

TEST(TheoryCli, PhaseSentenceGivesTheDepthScaleOfTheNormNotOfItsSquare) {
  // ReLU/Xavier: chi_1 = 1/2, xi = -1/ln(1/2) = 1.4427 layers for ||delta||^2, so the norm
  // changes by e every 2 xi = 2.885 layers (measured per-layer factor sqrt(1/2) = 0.707).
  const Outcome o = Gradflow("theory --activation relu --init xavier_uniform --depth 5");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("shrink by e every 2.885 layers"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("every xi = 1.443"), std::string::npos) << o.out;
}

TEST(TheoryCli, PhaseTableForAllActivationsAndInits) {
  const std::string csv = Scratch("theory_phase.csv");
  const Outcome o = Gradflow("theory --activation all --init all -o " + csv);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const int rows = static_cast<int>(ActivationNames().size() * InitNames().size());
  EXPECT_EQ(CountLines(Slurp(csv)), rows + 1);
  EXPECT_GE(CountLines(o.out), rows + 2);
  // a few rows a reader would check first
  EXPECT_NE(o.out.find("relu        he_normal               2 marginal"), std::string::npos)
      << o.out;
  EXPECT_NE(Slurp(csv).find("\nrelu,,he_normal,,1,0,20,256,256,1,0.02,2,0,1,marginal,2,"),
            std::string::npos);
}

TEST(TheoryCli, CsvToStdoutMovesTheTableToStderr) {
  const Outcome o = Gradflow("theory --activation relu --init all --depth 3 -o -");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.rfind("activation,", 0), 0u) << o.out;
  EXPECT_NE(o.err.find("fixed pt"), std::string::npos) << o.err;
}

TEST(TheoryCli, CommaSeparatedNamesGiveAPhaseTable) {
  const std::string csv = Scratch("theory_pairs.csv");
  const Outcome o =
      Gradflow("theory --activation relu,tanh --init he_normal,xavier_uniform --depth 4 -o " + csv);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(CountLines(Slurp(csv)), 5);  // header + 2 x 2
  EXPECT_NE(Slurp(csv).find("\ntanh,,he_normal,"), std::string::npos);
  const Outcome mixed = Gradflow("theory --activation relu,all");
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("'all' cannot be combined"), std::string::npos) << mixed.err;
}

TEST(TheoryCli, BadInputExitsTwoNamingTheOption) {
  Outcome o = Gradflow("theory --activation tahn");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--activation"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("tanh"), std::string::npos) << o.err;  // did you mean
  o = Gradflow("theory --depth 0");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--depth"), std::string::npos) << o.err;
  const std::string missing = ::testing::TempDir() + "no_such_folder/x.csv";
  o = Gradflow("theory -o " + missing);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--out"), std::string::npos) << o.err;
  EXPECT_NE(access(missing.c_str(), F_OK), 0);
}

TEST(TheoryCli, RunCompareLine) {
  const Outcome o = Gradflow(
      "run --activation tanh --init he_normal --width 64 --batch 32 --depth 6 --threads 1 -q "
      "--compare -o " +
      Scratch("theory_compare_run.csv"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("theory vs measured"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("largest"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("verdict"), std::string::npos) << o.err;  // -q still hides the report
}

}  // namespace
}  // namespace gradflow
