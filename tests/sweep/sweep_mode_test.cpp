// The sweep modes: the table, the spectrum mode's defaults and refusals, and
// where each kind of file goes.
#include "sweep/sweep_mode.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "experiment/run_columns.h"
#include "experiment/spectrum.h"
#include "experiment/spectrum_columns.h"
#include "theory/spectrum_prediction.h"

namespace gradflow {
namespace {

TEST(SweepMode, TheTableHasRunFirstAndSpectrum) {
  ASSERT_GE(SweepModes().size(), 2u);
  EXPECT_STREQ(RunSweepMode().name, "run");
  EXPECT_EQ(&FindSweepMode("run"), &RunSweepMode());
  EXPECT_STREQ(FindSweepMode("spectrum").name, "spectrum");
  try {
    FindSweepMode("spectra");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'spectrum'"), std::string::npos);
  }
  EXPECT_EQ(RunSweepMode().layer_header(), LayerCsvHeader());
  EXPECT_EQ(FindSweepMode("spectrum").summary_header(), SpectrumCsvHeader());
}

TEST(SweepMode, SpectrumTakesEightSamplesAndRefusesWhatDoesNotApply) {
  const SweepMode& spectrum = FindSweepMode("spectrum");
  const SweepGrid grid = ExpandModeGrid(spectrum, {{"depth", "2,3"}});
  ASSERT_EQ(grid.runs.size(), 2u);
  EXPECT_EQ(grid.runs[0].batch, 8);
  EXPECT_EQ(grid.runs[0].threads, 1);
  EXPECT_EQ(ExpandModeGrid(spectrum, {{"batch", "3"}}).runs[0].batch, 3);
  EXPECT_EQ(ExpandModeGrid(RunSweepMode(), {{"depth", "2"}}).runs[0].batch, RunConfig().batch);
  for (const char* option : {"loss", "output-dim", "classes", "vanishing-threshold"}) {
    EXPECT_THROW(ExpandModeGrid(spectrum, {{option, "1"}}), UsageError) << option;
  }
  EXPECT_NO_THROW(ExpandModeGrid(RunSweepMode(), {{"output-dim", "2"}, {"loss", "mse"}}));
  // The spectrum is of plain MLPs of equal widths: the remedies are refused up front.
  const std::vector<SweepSetting> remedies = {
      {"norm", "batch"}, {"residual", "on"}, {"residual-scale", "0.5"}, {"widths", "4"}};
  EXPECT_NO_THROW(ExpandModeGrid(RunSweepMode(), {remedies[0], remedies[1], remedies[2]}));
  EXPECT_NO_THROW(ExpandModeGrid(RunSweepMode(), {remedies[3]}));
  for (const SweepSetting& setting : remedies) {
    EXPECT_THROW(ExpandModeGrid(spectrum, {setting}), UsageError) << setting.option;
  }
}

TEST(SweepMode, SpectrumRowsAreThoseOfGradflowSpectrum) {
  const SweepMode& spectrum = FindSweepMode("spectrum");
  const RunConfig config = ExpandModeGrid(spectrum, {{"activation", "tanh"},
                                                     {"init", "orthogonal"},
                                                     {"depth", "3"},
                                                     {"width", "5"},
                                                     {"batch", "2"}})
                               .runs[0];
  const SpectrumResult result = RunSpectrum(config, true);
  const SpectrumPrediction prediction = PredictSpectrum(result.config);
  const RunRows rows = spectrum.measure(config, true, nullptr);
  EXPECT_EQ(rows.summary_row, SpectrumCsvRow(result, prediction));
  EXPECT_EQ(rows.layer_rows, SpectrumLayerCsvRows(result, prediction));
  EXPECT_EQ(spectrum.layer_rows(config), 3u);
  EXPECT_TRUE(spectrum.measure(config, false, nullptr).layer_rows.empty());
}

TEST(SweepMode, OutputsGoWhereTheModeSays) {
  const SweepPaths run = ResolveSweepPaths(RunSweepMode(), "l.csv", "s.csv", "", "a.csv");
  EXPECT_EQ(run.layer, "l.csv");
  EXPECT_EQ(run.summary, "s.csv");
  EXPECT_EQ(run.aggregate, "a.csv");
  const SweepMode& spectrum = FindSweepMode("spectrum");
  const SweepPaths sp = ResolveSweepPaths(spectrum, "-", "", "pl.csv", "");
  EXPECT_EQ(sp.summary, "-");
  EXPECT_EQ(sp.layer, "pl.csv");
  EXPECT_THROW(ResolveSweepPaths(spectrum, "-", "s.csv", "", ""), UsageError);
  EXPECT_THROW(ResolveSweepPaths(spectrum, "-", "", "", "a.csv"), UsageError);
  EXPECT_THROW(ResolveSweepPaths(RunSweepMode(), "-", "", "pl.csv", ""), UsageError);
}

}  // namespace
}  // namespace gradflow
