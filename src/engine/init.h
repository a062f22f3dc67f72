// The initialisation table: one row per weight-initialisation scheme.
//
// Each row gives the name, the distribution as text, its parameter and two
// functions: the variance it implies as σ_w² = fan_in·Var(W_ij) (what the
// mean-field theory needs, before --gain), and a sampler that fills a
// (fan_out, fan_in) matrix from one of our Rng streams, row by row.
#pragma once

#include <string>
#include <vector>

#include "base/rng.h"
#include "base/types.h"

namespace gradflow {

struct InitParams {
  double init_std = 0.01;    // --init-std: `normal` draws N(0, std²)
  double init_scale = 0.05;  // --init-scale: `uniform` draws U[-scale, scale]
};

struct InitSpec {
  const char* name;
  const char* formula;    // the distribution, for people
  const char* parameter;  // the CLI option of its parameter, or ""
  double (*sigma_w2)(int fan_in, int fan_out, const InitParams& p);
  // W: (fan_out, fan_in), already sized.
  void (*fill)(MatD* w, Rng* rng, const InitParams& p);
};

const std::vector<InitSpec>& InitTable();
std::vector<std::string> InitNames();
// Throws UsageError ("--init: unknown value ... did you mean") if unknown.
const InitSpec& FindInit(const std::string& name);

// W (fan_out, fan_in) drawn by `spec`, times `gain`.
MatD SampleWeights(const InitSpec& spec, const InitParams& params, double gain, int fan_out,
                   int fan_in, Rng* rng);

// The value of the scheme's parameter as written in CSV ("" when it has none).
std::string InitParamString(const InitSpec& spec, const InitParams& params);

}  // namespace gradflow
