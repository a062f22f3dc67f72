// The outputs of `gradflow check`: a plain-text report (stdout), GitHub
// Actions annotations (--format github), JUnit XML (--junit) and Markdown
// (--markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY).
//
// JUnit: one test case per compared metric of a configuration (classname: the
// configuration; properties: the worst value's current, baseline, tolerance,
// tolerance_kind, change and, for layer CSVs, layer), one per rule applied to
// a configuration (property: measured), one per rule that matched nothing.
// A value nan on one side, a missing configuration or layer row, or a rule
// metric that is nan is an <error>; a value beyond tolerance, an extra
// configuration or a failed rule a <failure>; allowed missing/extra ones <skipped>.
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

// GitHub Actions workflow commands (--format github): one "::error" line per
// failing configuration (its failures as the message, file and line of its
// first row) and per rule that matched nothing, "::warning" for configurations
// missing or extra but allowed; at most max_rows of each, then a count.
std::string FormatCheckGitHub(const CheckResult& result, size_t max_rows);
// As GitHub's toolkit escapes a command's message (% CR LF as %25 %0D %0A) and
// its property values (also : and , as %3A %2C).
std::string GitHubEscapeData(const std::string& text);
std::string GitHubEscapeProperty(const std::string& text);

// The Markdown report in at most `budget` bytes: max_rows rows per table, or
// half as many, down to 0; "" if even that is larger.
std::string FitMarkdown(const CheckResult& result, size_t max_rows, size_t budget);

}  // namespace gradflow
