// Strict number syntax for every numeric option of every command.
//
// CLI11 converts numbers through strtoll/strtod: an empty value becomes 0,
// "0x10" becomes 16, "18446744073709551616" saturates to 2^64 - 1 and "-1"
// wraps in an unsigned option. AddStrictNumberChecks puts a check on each
// option by its CLI11 type (INT, UINT, FLOAT) that accepts only plain decimal
// text in the type's range, so such values are usage errors (exit 2) naming
// the option, the value and what is allowed. Values from --config files go
// through the same checks.
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace gradflow::cli {

// Adds the checks to every option of `app` and of its subcommands.
void AddStrictNumberChecks(CLI::App* app);

// The checks themselves: "" if `value` is acceptable, else what is wrong.
std::string CheckSignedInteger(const std::string& value);    // INT: [-]digits, fits int64
std::string CheckUnsignedInteger(const std::string& value);  // UINT: digits, fits uint64
std::string CheckDecimalNumber(const std::string& value);    // FLOAT: [+-]decimal[e..], inf, nan

}  // namespace gradflow::cli
