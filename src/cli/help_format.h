// --help text that fits the terminal: CLI11 2.1 prints each option's
// description on one line however long; this formatter wraps it under its
// own column, at the terminal's width (100 columns when stdout is not a
// terminal, e.g. piped into a file or less).
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace gradflow::cli {

// The width --help wraps to: the terminal's columns when stdout is a terminal
// (at least 60), else 100.
int HelpWidth();

// `text` broken at spaces into lines of at most `width` characters (a longer
// word stays whole), joined by '\n'; existing line breaks are kept.
std::string WrapText(const std::string& text, int width);

class WrappingFormatter : public CLI::Formatter {
 public:
  explicit WrappingFormatter(int width);
  std::string make_option_desc(const CLI::Option* option) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;

 private:
  int width_;
};

}  // namespace gradflow::cli
