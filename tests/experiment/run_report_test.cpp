// The stderr run report: the log-scale bar and the report of a hand-made run.
#include "experiment/run_report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gradflow {
namespace {

TEST(LogBar, LengthIsLinearInLog10FromOneToWidth) {
  EXPECT_EQ(LogBar(1e-10, -10, 0, 41), "#");                  // the bottom: one character
  EXPECT_EQ(LogBar(1, -10, 0, 41), std::string(41, '#'));     // the top: the full width
  EXPECT_EQ(LogBar(1e-5, -10, 0, 41), std::string(21, '#'));  // half way: 1 + 0.5·40
  EXPECT_EQ(LogBar(1e-20, -10, 0, 41), "#");                  // clamped below
  EXPECT_EQ(LogBar(1e5, -10, 0, 41), std::string(41, '#'));   // and above
  EXPECT_EQ(LogBar(3, 0.5, 0.5, 10), std::string(10, '#'));   // one value: full width
}

TEST(LogBar, ZeroNanAndInfinityHaveNoBar) {
  EXPECT_EQ(LogBar(0, -10, 0, 40), "");
  EXPECT_EQ(LogBar(-1, -10, 0, 40), "");
  EXPECT_EQ(LogBar(NAN, -10, 0, 40), "");
  EXPECT_EQ(LogBar(INFINITY, -10, 0, 40), "");
}

RunResult ThreeLayers() {
  RunResult r;
  r.config.activation = ParseActivation("sigmoid");
  r.config.depth = 3;
  r.config.width = 8;
  r.config.batch = 4;
  r.config.seed = 2;
  const double deltas[] = {1e-6, 0, 1e-2};
  for (int l = 1; l <= 3; ++l) {
    LayerMetrics m;
    m.layer = l;
    m.kind = "hidden";
    m.delta_norm = deltas[l - 1];
    m.grad_w_norm = 2 * deltas[l - 1];
    m.saturation_frac = 0.125;
    r.layers.push_back(m);
  }
  r.summary.vanishing_ratio = 1e-4;
  r.summary.grad_w_vanishing_ratio = NAN;
  r.summary.decay_per_layer = 0.01;
  r.summary.mean_saturation = 0.125;
  r.summary.verdict = "vanishing";
  return r;
}

TEST(RunReport, HeaderTableSummaryAndVerdict) {
  const std::string text = FormatRunReport(ThreeLayers());
  EXPECT_EQ(text.rfind("gradflow run: sigmoid, init xavier_uniform, depth 3, width 8, batch 4, "
                       "loss probe, float32, seed 2\n",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("delta_norm (log scale, 1e-6 .. 1e-2)"), std::string::npos) << text;
  // Layer 1 is the bottom of the scale (one #), layer 3 the top (40), layer 2 is zero.
  EXPECT_NE(text.find("    1 hidden    1.000e-06  2.0e-06  0.125  #\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    2 hidden    0.000e+00  0.0e+00  0.125  (zero)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  " + std::string(40, '#') + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vanishing_ratio delta[1]/delta[3] = 1.000e-04 (grad_w: nan), "
                      "per-layer factor 0.01, mean saturation 0.125, nonfinite 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("verdict: vanishing (vanishing below 0.001, exploding above 1000)\n"),
            std::string::npos)
      << text;
}

TEST(RunReport, NonFiniteNormsAreSaidNotDrawn) {
  RunResult r = ThreeLayers();
  r.layers[1].delta_norm = NAN;
  r.config.activation = ParseActivation("leaky_relu");  // an activation with a parameter shows it
  const std::string text = FormatRunReport(r);
  EXPECT_NE(text.find("(not finite)"), std::string::npos) << text;
  EXPECT_NE(text.find("gradflow run: leaky_relu(0.01),"), std::string::npos) << text;
}

}  // namespace
}  // namespace gradflow
