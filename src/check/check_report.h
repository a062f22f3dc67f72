// The outputs of `gradflow check`: a plain-text report (stdout), JUnit XML
// (--junit: one test case per configuration, plus one per rule that matched
// nothing, so CI systems list each configuration) and Markdown (--markdown,
// for a pull-request comment).
#pragma once

#include <cstddef>
#include <string>

#include "check/check.h"

namespace gradflow {

// Tables list at most max_rows out-of-tolerance values (worst first), then a count.
std::string FormatCheckText(const CheckResult& result, size_t max_rows);
std::string FormatCheckJUnit(const CheckResult& result);
std::string FormatCheckMarkdown(const CheckResult& result, size_t max_rows);

// Escapes & < > " ' for XML text and attributes; drops control characters XML forbids.
std::string XmlEscape(const std::string& text);

}  // namespace gradflow
