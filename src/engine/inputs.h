// Synthetic inputs, and the input table: one row per input distribution.
#pragma once

#include <string>
#include <vector>

#include "base/types.h"

namespace gradflow {

struct RunConfig;
class SampleCache;

// One per row of the table, in the table's order, then kFromFile: the batch x
// was read from a model file that does not say how it was drawn (shown as
// "file"; it has no row, so it cannot be asked for).
enum class InputKind { kGaussian, kUniform, kFromFile };

struct InputSpec {
  InputKind kind;
  const char* name;
  const char* description;  // the distribution, for people (`gradflow list --json`)
};

// All rows, in the order they are listed to users (= InputKind order).
const std::vector<InputSpec>& InputTable();
std::vector<std::string> InputNames();  // the rows' names (not "file")
// Throws UsageError ("--input: unknown value ... did you mean ... allowed") if unknown.
InputKind ParseInput(const std::string& name);
std::string InputName(InputKind kind);  // "file" for kFromFile

// x: (input_dim, batch), sample by sample from stream (seed, kInput):
// gaussian N(0, 1) or uniform U[-√3, √3] (unit variance), times input_scale.
// With a cache, a batch drawn before is taken from it.
MatD SampleInput(const RunConfig& config, SampleCache* cache = nullptr);

}  // namespace gradflow
