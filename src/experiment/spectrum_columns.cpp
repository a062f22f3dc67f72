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

std::string ConfigCells(const RunConfig& config) {
  std::string line;
  for (const Column<RunConfig>& column : ConfigColumns()) {
    if (!line.empty()) line += ',';
    line += column.value(config);
  }
  return line;
}

std::string ConfigNames() {
  std::string line;
  for (const Column<RunConfig>& column : ConfigColumns()) {
    if (!line.empty()) line += ',';
    line += column.name;
  }
  return line;
}

std::string StatsCells(const SpectrumRow& row) {
  std::string line;
  for (const Column<SpectrumRow>& column : kSpectrumColumns) line += ',' + column.value(row);
  return line;
}

std::string StatsNames() {
  std::string line;
  for (const Column<SpectrumRow>& column : kSpectrumColumns) line += std::string(",") + column.name;
  return line;
}

}  // namespace

const std::vector<Column<SpectrumRow>>& SpectrumColumns() { return kSpectrumColumns; }

std::string SpectrumCsvHeader() { return ConfigNames() + StatsNames() + '\n'; }
std::string SpectrumLayerCsvHeader() { return ConfigNames() + ",layer" + StatsNames() + '\n'; }
std::string SpectrumValuesCsvHeader() { return ConfigNames() + ",sample,index,value\n"; }

std::string SpectrumCsvRow(const SpectrumResult& result, const SpectrumPrediction& prediction) {
  const SpectrumRow row{0, result.stats, prediction.mean_sq, prediction.var_sq};
  return ConfigCells(result.config) + StatsCells(row) + '\n';
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
  const std::string config = ConfigCells(result.config);
  std::string rows;
  for (int l = 1; l <= static_cast<int>(result.layer_stats.size()); ++l) {
    rows += config + ',' + std::to_string(l) +
            StatsCells(PredictedLayerRow(result, prediction, l)) + '\n';
  }
  return rows;
}

std::string SpectrumValuesCsvRows(const SpectrumResult& result) {
  const std::string config = ConfigCells(result.config);
  std::string rows;
  for (size_t s = 0; s < result.values.size(); ++s) {
    const VecD& values = result.values[s];
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      rows += fmt::format("{},{},{},{}\n", config, s, i, FormatNumber(values[i]));
    }
  }
  return rows;
}

}  // namespace gradflow
