// Mean-field predictions beside the measurements of one run (the pred_*
// columns), and the measured-vs-predicted comparison `gradflow run --compare`
// prints.
//
// The predictions describe a network freshly drawn by BuildNetwork from the
// run's config. The δ predictions also assume the probe loss: its top gradient
// r_b/B is independent of the weights, as the gradient-independence argument
// needs; mse and cross_entropy back-propagate a gradient that depends on the
// head's output, so their pred_delta_ratio is left empty, not guessed.
#pragma once

#include <string>

#include "engine/run_result.h"
#include "theory/theory.h"

namespace gradflow {

// Fills, from PredictNetwork(result->config): pred_preact_q and
// pred_saturation_frac of every layer (the linear head: its q and 0);
// pred_delta_ratio of the hidden layers and the summary's pred_vanishing_ratio
// and pred_decay_per_layer when the loss is probe; the summary's chi1 and phase.
// RunExperiment calls it; callers measuring trained networks must not.
void AddTheoryPredictions(RunResult* result);

// Measured against predicted. Per hidden layer l = 1..L-1 the one-layer ratio
// r_l = ‖δ^l‖/‖δ^{l+1}‖ is compared with √χ_l; deviation = r_l/√χ_l - 1.
struct TheoryComparison {
  NetworkTheory theory;            // the predictions compared against
  bool has_delta = false;          // false for non-probe losses and depth 1
  std::string no_delta_why;        // the reason, when !has_delta
  int compared = 0;                // layers with a finite, non-zero measured ratio
  int skipped = 0;                 // layers whose measured ratio is 0, NaN or inf
  double measured_decay = 0;       // summary.decay_per_layer
  double predicted_decay = 0;      // theory.decay_per_layer
  double measured_vanishing = 0;   // summary.vanishing_ratio
  double predicted_vanishing = 0;  // theory.vanishing_ratio
  double mean_deviation = 0;       // mean over compared l of r_l/√χ_l - 1
  int worst_layer = 0;             // the l with the largest |r_l/√χ_l - 1|
  double worst_measured = 0;       // r_l there
  double worst_predicted = 0;      // √χ_l there
  int worst_q_layer = 0;           // hidden l with the largest |preact_q/q^l - 1|
  double worst_q_measured = 0;
  double worst_q_predicted = 0;
};

TheoryComparison CompareWithTheory(const RunResult& result);

// A few lines for people: decay, vanishing ratio, mean and largest deviation,
// q, and the phase.
std::string FormatComparison(const TheoryComparison& comparison);

}  // namespace gradflow
