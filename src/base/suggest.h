// "did you mean ...?" for misspelt names (activations, inits, losses, ...).
#pragma once

#include <string>
#include <vector>

namespace gradflow {

// Levenshtein distance between a and b (insert, delete, substitute cost 1).
int EditDistance(const std::string& a, const std::string& b);

// The closest candidate to `value` if it is close enough to be a plausible
// typo (distance <= max(2, |value|/3)), else "".
std::string ClosestName(const std::string& value, const std::vector<std::string>& candidates);

// Throws UsageError naming the option, the bad value, a suggestion if one is
// close and the allowed values, unless `value` is one of `candidates`.
void RequireOneOf(const std::string& option, const std::string& value,
                  const std::vector<std::string>& candidates);

// "a, b, c"
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace gradflow
