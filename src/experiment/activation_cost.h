// What each activation costs (`gradflow bench`): the time per element of φ
// alone and of φ with φ' (one pass, what the network runs), and the share of
// one whole `run` pass spent in the activation versus in matrix products.
//
// Timings are measurements of this machine, never asserted by tests. Each is
// the fastest of several repeats (the least disturbed by other processes).
// The pass is timed whole (forward, loss, backward, metrics: what `gradflow
// run` does after building the network), and its two parts are timed on their
// own at the pass's shapes: the activation's forward (φ and φ') and backward
// (δ = φ' ⊙ ∂L/∂a) in every layer, and the matrix products (z = W a,
// ∂L/∂W = δ aᵀ, ∂L/∂a = Wᵀ δ). The rest (metrics, bias, loss, copies) is
// what is left; because the parts are timed apart, the shares need not add to
// exactly 1.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/activation.h"
#include "io/csv_writer.h"

namespace gradflow {

struct ActivationCostOptions {
  int64_t elements = 1 << 20;  // values per timing of φ and φ'
  int repeats = 5;             // repeats of each elementwise timing; the fastest is kept
  int pass_repeats = 2;        // repeats of each pass timing; the fastest is kept
  bool pass = true;            // time a whole pass too (depth, width, batch below)
  int depth = 20;
  int width = 1024;
  int batch = 256;
  uint64_t seed = 0;
};

struct ActivationCostRow {
  std::string activation;
  DType dtype = DType::kFloat32;
  double phi_ns = 0;       // ns per element of φ alone
  double phi_dphi_ns = 0;  // ns per element of φ and φ' in one pass
  // The pass (0 when not timed): whole, and its activation and product parts.
  double pass_ms = 0;
  double activation_ms = 0;
  double gemm_ms = 0;
};

// Every activation of the table (default parameters) in float32 and float64,
// in table order, float32 first. `progress(done, total)` is called after each row.
std::vector<ActivationCostRow> MeasureActivationCost(
    const ActivationCostOptions& options,
    const std::function<void(int done, int total)>& progress = {});

// The CSV columns (`gradflow list --columns`), header and rows.
const std::vector<Column<ActivationCostRow>>& ActivationCostColumns();
std::string ActivationCostCsv(const std::vector<ActivationCostRow>& rows);

}  // namespace gradflow
