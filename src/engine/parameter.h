// A numeric parameter of a table row (leaky_relu's slope, the normal init's
// std, ...): everything the CLI, validation, CSV, model files and `gradflow
// list --json` need to know about it, so that each of them is generated from
// the table instead of naming the parameter by hand.
//
// `Params` is the struct that holds the values (ActivationParams,
// InitParams); its default member initialisers are the defaults.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "base/error.h"
#include "base/format.h"
#include "fmt/format.h"

namespace gradflow {

template <typename Params>
struct ParameterSpec {
  const char* option;  // the CLI option, "--leaky-slope"
  const char* key;     // model metadata and JSON key, "leaky_slope"
  const char* help;    // for --help, "leaky_relu: slope for z < 0"
  // The smallest allowed value; -infinity for "any finite number".
  double minimum;
  // The field holding the value: exactly one of the two is set.
  double Params::*real;
  int Params::*whole;

  bool IsInteger() const { return whole != nullptr; }
  double Value(const Params& p) const { return IsInteger() ? p.*whole : p.*real; }
  double Default() const { return Value(Params{}); }
  // The option name without its dashes, as sweep grids and config files name it.
  std::string Name() const { return std::string(option).substr(2); }

  // As written in CSV cells: fmt's shortest form ("0.2", "3").
  std::string CsvText(const Params& p) const {
    return IsInteger() ? fmt::format("{}", p.*whole) : fmt::format("{}", p.*real);
  }
  // As written in model metadata (round-trips through strtod).
  std::string MetadataText(const Params& p) const {
    return IsInteger() ? std::to_string(p.*whole) : FormatNumber(p.*real);
  }

  // Throws UsageError naming the option unless the value is finite and >= minimum.
  void Check(const Params& p) const {
    const double value = Value(p);
    if (!IsInteger() && !std::isfinite(value)) {
      throw UsageError(fmt::format("{} must be a finite number, got {}", option, value));
    }
    if (!(value >= minimum)) {
      throw UsageError(fmt::format("{} must be >= {}, got {}", option, minimum, value));
    }
  }
};

constexpr double kAnyFinite = -std::numeric_limits<double>::infinity();

}  // namespace gradflow
