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
#include "engine/parameter.h"

namespace gradflow {

// One per row of the table, in the table's order, then kFromFile: weights
// read from a model file that does not say how they were made (shown as
// "file"; it has no row, so it cannot be asked for).
enum class InitKind {
  kXavierUniform,
  kXavierNormal,
  kHeNormal,
  kHeUniform,
  kLecunNormal,
  kLecunUniform,
  kOrthogonal,
  kTorchDefault,
  kNormal,
  kUniform,
  kFromFile,
};

struct InitParams {
  double init_std = 0.01;    // --init-std: `normal` draws N(0, std²)
  double init_scale = 0.05;  // --init-scale: `uniform` draws U[-scale, scale]
};

using InitParameter = ParameterSpec<InitParams>;

struct InitSpec {
  InitKind kind;
  const char* name;
  const char* formula;             // the distribution, for people
  const InitParameter* parameter;  // its parameter, or nullptr
  double (*sigma_w2)(int fan_in, int fan_out, const InitParams& p);
  // W: (fan_out, fan_in), already sized.
  void (*fill)(MatD* w, Rng* rng, const InitParams& p);
};

// All rows, in the order they are listed to users (= InitKind order).
const std::vector<InitSpec>& InitTable();
// The row of `kind`; UsageError naming --init for kFromFile, which has none.
const InitSpec& InitSpecOf(InitKind kind);
// The parameters of all rows that have one, in table order.
std::vector<const InitParameter*> InitParameters();

std::vector<std::string> InitNames();  // the rows' names (not "file")
// Throws UsageError ("--init: unknown value ... did you mean ... allowed") if unknown.
InitKind ParseInit(const std::string& name);
std::string InitName(InitKind kind);  // "file" for kFromFile
// The row called `name`; throws as ParseInit.
const InitSpec& FindInit(const std::string& name);

// W (fan_out, fan_in) drawn by `spec`, times `gain`.
MatD SampleWeights(const InitSpec& spec, const InitParams& params, double gain, int fan_out,
                   int fan_in, Rng* rng);

// The value of the scheme's parameter as written in CSV ("" when it has none,
// or for kFromFile).
std::string InitParamString(InitKind kind, const InitParams& params);

}  // namespace gradflow
