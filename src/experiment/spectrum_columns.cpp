#include "experiment/spectrum_columns.h"

#include <algorithm>

#include "base/format.h"
#include "fmt/format.h"

namespace gradflow {

namespace {

std::string OptNum(const std::optional<double>& v) { return v ? FormatNumber(*v) : std::string(); }

const std::vector<Column<SpectrumRow>> kSpectrumColumns = {
    {"sv_count", "singular values summarised (min(rows, cols) per Jacobian, times samples)",
     [](const SpectrumRow& r) { return fmt::format("{}", r.stats.count); }},
    {"sv_mean_sq", "mean of s^2 over the singular values s (the theory's m1)",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.mean_sq); }},
    {"sv_var_sq", "variance of s^2 within each Jacobian, averaged over samples",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.var_sq); }},
    {"sv_max", "largest s over all samples",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.max); }},
    {"sv_min", "smallest s over all samples",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.min); }},
    {"sv_condition", "s_max / s_min of each Jacobian, averaged over samples (inf if s_min = 0)",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.condition); }},
    {"isometry_frac", "fraction of s within a factor 2 of 1 (1/2 <= s <= 2)",
     [](const SpectrumRow& r) { return FormatNumber(r.stats.isometry_frac); }},
    {"pred_sv_mean_sq",
     "predicted mean of s^2: prod_l sigma_w^2(l) E[phi'(z^l)^2] (mean-field q^l); empty where the "
     "theory does not apply",
     [](const SpectrumRow& r) { return OptNum(r.pred_mean_sq); }},
    {"pred_sv_var_sq",
     "predicted variance of s^2 (width -> inf): L/p for iid, L(1/p - 1) for orthogonal weights; "
     "identity (p = 1) and relu (p = 1/2) at criticality with square layers only, else empty",
     [](const SpectrumRow& r) { return OptNum(r.pred_var_sq); }},
};

// The `layer` column of the per-layer CSV.
const std::vector<Column<SpectrumRow>> kLayerColumn = {
    {"layer", "l, 1 = next to the input",
     [](const SpectrumRow& r) { return fmt::format("{}", r.layer); }},
};

// The values CSV's columns after the configuration.
struct ValueRow {
  size_t sample;
  Eigen::Index index;
  double value;
};
const std::vector<Column<ValueRow>> kValueColumns = {
    {"sample", "input sample (0-based)",
     [](const ValueRow& r) { return fmt::format("{}", r.sample); }},
    {"index", "0 = the largest singular value",
     [](const ValueRow& r) { return fmt::format("{}", r.index); }},
    {"value", "singular value s of J", [](const ValueRow& r) { return FormatNumber(r.value); }},
};

}  // namespace

const std::vector<Column<SpectrumRow>>& SpectrumColumns() { return kSpectrumColumns; }

std::string SpectrumCsvHeader() {
  return CsvLine().AddNames(ConfigColumns()).AddNames(kSpectrumColumns).Text();
}
std::string SpectrumLayerCsvHeader() {
  return CsvLine()
      .AddNames(ConfigColumns())
      .AddNames(kLayerColumn)
      .AddNames(kSpectrumColumns)
      .Text();
}
std::string SpectrumValuesCsvHeader() {
  return CsvLine().AddNames(ConfigColumns()).AddNames(kValueColumns).Text();
}

std::string SpectrumCsvRow(const SpectrumResult& result, const SpectrumPrediction& prediction) {
  const SpectrumRow row{0, result.stats, prediction.mean_sq, prediction.var_sq};
  return CsvLine()
      .AddValues(ConfigColumns(), result.config)
      .AddValues(kSpectrumColumns, row)
      .Text();
}

SpectrumRow PredictedLayerRow(const SpectrumResult& result, const SpectrumPrediction& prediction,
                              int layer) {
  SpectrumRow row;
  row.layer = layer;
  if (layer >= 1 && layer <= static_cast<int>(result.layer_stats.size())) {
    row.stats = result.layer_stats[layer - 1];
  }
  if (layer >= 1 && layer <= static_cast<int>(prediction.layer_mean_sq.size())) {
    const double units = result.config.width;
    const double fan_in = layer == 1 ? result.config.InputDim() : result.config.width;
    row.pred_mean_sq = prediction.layer_mean_sq[layer - 1] * units / std::min(units, fan_in);
    // The network-level variance formula is L times a per-layer constant.
    if (prediction.var_sq) row.pred_var_sq = *prediction.var_sq / result.config.depth;
  }
  return row;
}

std::string SpectrumLayerCsvRows(const SpectrumResult& result,
                                 const SpectrumPrediction& prediction) {
  const CsvLine config = CsvLine().AddValues(ConfigColumns(), result.config);
  std::string rows;
  for (int l = 1; l <= static_cast<int>(result.layer_stats.size()); ++l) {
    const SpectrumRow row = PredictedLayerRow(result, prediction, l);
    rows += CsvLine(config).AddValues(kLayerColumn, row).AddValues(kSpectrumColumns, row).Text();
  }
  return rows;
}

std::string SpectrumValuesCsvRows(const SpectrumResult& result) {
  const CsvLine config = CsvLine().AddValues(ConfigColumns(), result.config);
  std::string rows;
  for (size_t s = 0; s < result.values.size(); ++s) {
    const VecD& values = result.values[s];
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      rows += CsvLine(config).AddValues(kValueColumns, ValueRow{s, i, values[i]}).Text();
    }
  }
  return rows;
}

}  // namespace gradflow
