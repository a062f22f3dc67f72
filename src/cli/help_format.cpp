#include "cli/help_format.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace gradflow::cli {

int HelpWidth() {
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return std::max(60, static_cast<int>(size.ws_col));
  }
  return 100;
}

std::string WrapText(const std::string& text, int width) {
  std::string out;
  std::istringstream paragraphs(text);
  std::string paragraph;
  bool first_paragraph = true;
  while (std::getline(paragraphs, paragraph)) {
    if (!first_paragraph) out += '\n';
    first_paragraph = false;
    std::istringstream words(paragraph);
    std::string word;
    size_t line_length = 0;
    while (words >> word) {
      if (line_length > 0 && line_length + 1 + word.size() > static_cast<size_t>(width)) {
        out += '\n';
        line_length = 0;
      } else if (line_length > 0) {
        out += ' ';
        ++line_length;
      }
      out += word;
      line_length += word.size();
    }
  }
  return out;
}

WrappingFormatter::WrappingFormatter(int width) : width_(width) {}

std::string WrappingFormatter::make_option_desc(const CLI::Option* option) const {
  // Descriptions start at column get_column_width(); keep 20 columns at least.
  const int room = std::max(20, width_ - static_cast<int>(get_column_width()));
  return WrapText(CLI::Formatter::make_option_desc(option), room);
}

std::string WrappingFormatter::make_subcommand(const CLI::App* sub) const {
  const int room = std::max(20, width_ - static_cast<int>(get_column_width()));
  std::stringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true), WrapText(sub->get_description(), room),
                           get_column_width());
  return out.str();
}

std::string WrappingFormatter::make_description(const CLI::App* app) const {
  const std::string text = CLI::Formatter::make_description(app);
  return text.empty() ? text : WrapText(text, width_) + "\n";
}

std::string WrappingFormatter::make_footer(const CLI::App* app) const {
  const std::string text = CLI::Formatter::make_footer(app);
  return text.empty() ? text : WrapText(text, width_) + "\n";
}

}  // namespace gradflow::cli
