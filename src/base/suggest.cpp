#include "base/suggest.h"

#include <algorithm>
#include <numeric>

#include "base/error.h"

namespace gradflow {

int EditDistance(const std::string& a, const std::string& b) {
  std::vector<int> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string ClosestName(const std::string& value, const std::vector<std::string>& candidates) {
  std::string best;
  int best_distance = std::max<int>(2, static_cast<int>(value.size()) / 3) + 1;
  for (const std::string& candidate : candidates) {
    const int distance = EditDistance(value, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

void RequireOneOf(const std::string& option, const std::string& value,
                  const std::vector<std::string>& candidates) {
  if (std::find(candidates.begin(), candidates.end(), value) != candidates.end()) return;
  std::string message = option + ": unknown value '" + value + "'";
  const std::string suggestion = ClosestName(value, candidates);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  message += " (allowed: " + JoinNames(candidates) + ")";
  throw UsageError(message);
}

}  // namespace gradflow
