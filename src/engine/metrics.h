// Per-layer gradient-flow metrics: one CSV row per (run, layer).
//
// Statistics are accumulated in double in a fixed order, so they are exact to
// double rounding for float32 runs and do not depend on the thread count.
// Norms sum x² in double in one pass and fall back to the scaled two-pass norm
// (‖x‖ = s·‖x/s‖, s = max|x_i|) only when that sum leaves [1e-280, 1e280], so a
// gradient whose entries are 1e-25 (float32) or 1e-200 (float64) has a norm near that, not 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/types.h"
#include "engine/activation.h"

namespace gradflow {

struct LayerMetrics {
  int layer = 0;                       // 1 = next to the input
  std::string kind;                    // "hidden" or "head"
  int fan_in = 0;                      // columns of W
  int fan_out = 0;                     // rows of W (units·pieces for maxout)
  double preact_mean = 0;              // mean of z over (row, sample)
  double preact_std = 0;               // population std of z
  double preact_q = 0;                 // mean of z²
  double act_mean = 0;                 // mean of a = φ(z)
  double act_std = 0;                  // population std of a
  double saturation_frac = 0;          // fraction of (unit, sample) with |φ'(z)| < τ·max|φ'|
  double saturated_unit_frac = 0;      // fraction of units saturated on >= 99% of samples
  double dead_frac = 0;                // fraction of units with φ'(z) = 0 on every sample
  double delta_norm = 0;               // ‖δ^l‖_F = ‖∂L/∂z^l‖_F, z^l before any norm
  double delta_norm_post = 0;          // ‖∂L/∂a^l‖_F, a^l the block's output
  double grad_w_norm = 0;              // ‖∂L/∂W^l‖_F
  double grad_b_norm = 0;              // ‖∂L/∂b^l‖_2
  double grad_w_norm_per_example = 0;  // √(mean_b ‖δ_b‖²‖a_b^{l-1}‖²)
  double weight_norm = 0;              // ‖W^l‖_F
  double grad_to_weight = 0;           // grad_w_norm / weight_norm
  // Zero-centring (the zig-zag argument): a sample whose a^{l-1} has one sign
  // makes every row of its ∂L/∂W^l = δ_b a_bᵀ single-signed.
  double input_same_sign_frac = 0;   // samples with a_b^{l-1} all >= 0 or all <= 0 / B
  double grad_w_sign_agreement = 0;  // mean_i |#(∂W_ij > 0) − #(∂W_ij < 0)| / fan_in
  int64_t nonfinite = 0;             // NaN/Inf count in z^l, a^l and δ^l
  int64_t subnormal = 0;             // subnormal (underflowing) count in z^l, a^l and δ^l
  // Mean-field predictions for a freshly initialised network (theory.h), filled
  // by AddTheoryPredictions; empty where the theory does not apply.
  std::optional<double> pred_preact_q;         // q^l from the length map
  std::optional<double> pred_delta_ratio;      // ‖δ^l‖/‖δ^L‖, probe loss only
  std::optional<double> pred_saturation_frac;  // P_{u~N(0,q^l)}[|φ'(u)| < τ·max|φ'|]
};

// Scaled Euclidean/Frobenius norm of n values, in double. NaN if any is NaN,
// +inf if any is infinite.
template <typename T>
double ScaledNorm(const T* values, Eigen::Index n);
template <typename T>
double ScaledNorm(const Mat<T>& m) {
  return ScaledNorm(m.data(), m.size());
}
template <typename T>
double ScaledNorm(const Vec<T>& v) {
  return ScaledNorm(v.data(), v.size());
}

// Count of NaN and ±inf entries (call with the scalar type: CountNonfinite<float>(m)).
template <typename T>
int64_t CountNonfinite(const Eigen::Ref<const Mat<T>>& m);
// Count of subnormal entries: nonzero but below the smallest normal number of
// T, where precision is already being lost to underflow. gradflow keeps IEEE
// subnormals (no flush-to-zero), so they are reported, not silently zeroed.
template <typename T>
int64_t CountSubnormal(const Eigen::Ref<const Mat<T>>& m);

// Fills the forward-pass fields (preact_*, act_*, saturation, dead, nonfinite
// of z and a). z: (units·pieces, B), a: (units, B); tau is the saturation
// threshold τ. Maxout units never saturate and are never dead (the winning
// piece has φ' = 1).
template <typename T>
void ComputeForwardMetrics(const Activation& activation, const Mat<T>& z, const Mat<T>& a,
                           double tau, LayerMetrics* m);
// The same, given dphi = φ'(z) (rows, B) from Activation::Forward: no φ' recomputed.
template <typename T>
void ComputeForwardMetrics(const Activation& activation, const Mat<T>& z, const Mat<T>& a,
                           const Mat<T>& dphi, double tau, LayerMetrics* m);

// Fills the backward-pass fields. delta: (rows, B), dw: (rows, fan_in),
// db: (rows), a_prev = a^{l-1}: (fan_in, B), w: (rows, fan_in).
// The sign columns take every row of W, so a maxout layer's rows are its
// pieces (each piece's row gets δ_r a^{l-1}ᵀ) and a head is measured as any
// layer. Zeros count with either sign in input_same_sign_frac and with neither
// in grad_w_sign_agreement; a NaN makes its sample mixed and counts with neither.
template <typename T>
void ComputeBackwardMetrics(const Mat<T>& delta, const Mat<T>& dw, const Vec<T>& db,
                            const Mat<T>& a_prev, const Mat<T>& w, LayerMetrics* m);

}  // namespace gradflow
