#include "cli/strict_numbers.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "fmt/format.h"

namespace gradflow::cli {
namespace {

template <typename T>
std::string CheckInteger(const std::string& value, const char* what) {
  T parsed = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, parsed);  // base 10, no '+' or "0x"
  if (value.empty() || ptr != end || ec == std::errc::invalid_argument) {
    return fmt::format("'{}' is not {} (decimal digits)", value, what);
  }
  if (ec == std::errc::result_out_of_range) {
    return fmt::format("'{}' is out of range ({} from {} to {})", value, what,
                       std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }
  return "";
}

// The type CLI11 reports for an option ("UINT", or "UINT:desc" with validators).
std::string BaseType(const CLI::Option* option) {
  const std::string type = option->get_type_name();
  return type.substr(0, type.find(':'));
}

}  // namespace

std::string CheckSignedInteger(const std::string& value) {
  return CheckInteger<int64_t>(value, "an integer");
}

std::string CheckUnsignedInteger(const std::string& value) {
  return CheckInteger<uint64_t>(value, "a non-negative integer");
}

std::string CheckDecimalNumber(const std::string& value) {
  const bool plus = !value.empty() && value[0] == '+';
  const char* begin = value.data() + (plus ? 1 : 0);
  const char* end = value.data() + value.size();
  double parsed = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, parsed);  // no blanks, no hex
  if (value.empty() || ptr != end || ec == std::errc::invalid_argument ||
      (plus && (value.size() == 1 || value[1] == '-'))) {
    return fmt::format("'{}' is not a number (e.g. 0.5, 1e-3)", value);
  }
  if (ec == std::errc::result_out_of_range) {
    // Underflow is fine (the value is 0 or subnormal); overflow is not a number we can use.
    const size_t exponent = value.find_first_of("eE");
    if (exponent == std::string::npos || exponent + 1 >= value.size() ||
        value[exponent + 1] != '-') {
      return fmt::format("'{}' is too large for a double (at most about 1.8e308)", value);
    }
  }
  return "";
}

void AddStrictNumberChecks(CLI::App* app) {
  for (CLI::Option* option : app->get_options()) {
    const std::string type = BaseType(option);
    std::string (*check)(const std::string&) = nullptr;
    if (type == "INT") check = CheckSignedInteger;
    if (type == "UINT") check = CheckUnsignedInteger;
    if (type == "FLOAT") check = CheckDecimalNumber;
    if (check == nullptr) continue;
    // An empty description keeps the option's type name in --help as it was.
    option->check(CLI::Validator([check](std::string& value) { return check(value); }, ""));
  }
  for (CLI::App* sub : app->get_subcommands({})) AddStrictNumberChecks(sub);
}

}  // namespace gradflow::cli
