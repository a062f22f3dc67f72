// Error types shared by the core and the CLI.
//
// UsageError: the user asked for something invalid (bad option value,
// unreadable input). The CLI maps it to exit code 2. Any other exception is a
// runtime failure, exit code 1.
#pragma once

#include <stdexcept>
#include <string>

namespace gradflow {

class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace gradflow
