#include "experiment/histogram_columns.h"

#include "base/format.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

const std::vector<Column<HistogramRow>> kHistogramColumns = {
    {"step", "training step; 0 = the network at initialisation (always 0 for run)",
     [](const HistogramRow& r) { return fmt::format("{}", r.histogram->step); }},
    {"layer", "l, 1 = next to the input (depth + 1: the linear head of mse/cross_entropy)",
     [](const HistogramRow& r) { return fmt::format("{}", r.histogram->layer); }},
    {"quantity",
     "preact (z^l), act (a^l = phi(z^l)) or delta (log10|dLoss/dz^l|; exact zeros in the bin "
     "[-inf, -inf])",
     [](const HistogramRow& r) { return r.histogram->quantity; }},
    {"bin_lo",
     "lower edge; bins are equal-width over [min, max] of the layer's finite values (delta: "
     "of log10|delta| over nonzero delta); bin_lo = bin_hi marks an exact value (-inf, inf, nan)",
     [](const HistogramRow& r) { return FormatNumber(r.bin->lo); }},
    {"bin_hi", "upper edge (included only in the last regular bin)",
     [](const HistogramRow& r) { return FormatNumber(r.bin->hi); }},
    {"count", "(unit, sample) values in the bin; a layer's counts sum to its rows x batch",
     [](const HistogramRow& r) { return fmt::format("{}", r.bin->count); }},
};

}  // namespace

const std::vector<Column<HistogramRow>>& HistogramColumns() { return kHistogramColumns; }

std::string HistogramCsvHeader() {
  return CsvLine().AddNames(ConfigColumns()).AddNames(kHistogramColumns).Text();
}

std::string HistogramCsvRows(const RunConfig& config,
                             const std::vector<LayerHistogram>& histograms) {
  const CsvLine prefix = CsvLine().AddValues(ConfigColumns(), config);
  std::string rows;
  for (const LayerHistogram& histogram : histograms) {
    for (const HistogramBin& bin : histogram.bins) {
      rows += CsvLine(prefix).AddValues(kHistogramColumns, HistogramRow{&histogram, &bin}).Text();
    }
  }
  return rows;
}

}  // namespace gradflow
