#include "io/csv_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

// A record scanner over the whole text, tracking line and column.
class Scanner {
 public:
  Scanner(const std::string& name, const std::string& text) : name_(name), text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  int line() const { return line_; }

  [[noreturn]] void Fail(int line, int column, const std::string& message) const {
    throw UsageError(fmt::format("{}:{}:{}: {}", name_, line, column, message));
  }

  // Reads one record starting at the current position.
  CsvRow NextRecord() {
    CsvRow row;
    row.line = line_;
    const size_t record_start = pos_;
    size_t record_end = pos_;
    while (true) {
      std::string field;
      const int field_column = column_;
      row.columns.push_back(field_column);
      if (Peek() == '"') {
        const int quote_line = line_, quote_column = column_;
        Advance();
        while (true) {
          if (AtEnd()) Fail(quote_line, quote_column, "unterminated quoted field");
          const char c = Peek();
          if (c == '"') {
            Advance();
            if (Peek() == '"') {
              field += '"';
              Advance();
              continue;
            }
            break;
          }
          field += c;
          Advance();
        }
        if (!AtEnd() && Peek() != ',' && !AtLineEnd()) {
          Fail(line_, column_,
               fmt::format("unexpected '{}' after the closing quote of field {}", Peek(),
                           row.fields.size() + 1));
        }
      } else {
        while (!AtEnd() && Peek() != ',' && !AtLineEnd()) {
          if (Peek() == '"') {
            Fail(line_, column_,
                 fmt::format("stray '\"' inside unquoted field {} (quote the whole field and "
                             "write a quote as \"\")",
                             row.fields.size() + 1));
          }
          field += Peek();
          Advance();
        }
      }
      row.fields.push_back(std::move(field));
      if (!AtEnd() && Peek() == ',') {
        Advance();
        continue;
      }
      record_end = pos_;
      SkipLineEnd();
      break;
    }
    row.raw = text_.substr(record_start, record_end - record_start);
    return row;
  }

  // True if the current line is empty (a bare line end).
  bool AtEmptyLine() const { return !AtEnd() && AtLineEnd(); }
  void SkipLineEnd() {
    if (AtEnd()) return;
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    column_ = 1;
  }
  // True if only line ends remain.
  bool OnlyLineEndsLeft() const {
    for (size_t i = pos_; i < text_.size(); ++i) {
      if (text_[i] != '\n' && text_[i] != '\r') return false;
    }
    return true;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool AtLineEnd() const {
    return text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  const std::string& name_;
  const std::string& text_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

std::string ReadFileText(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    throw UsageError(fmt::format("cannot read '{}': it is a folder", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UsageError(fmt::format("cannot read '{}': read error", path));
  return text.str();
}

CsvTable CsvTable::Read(const std::string& path) { return Parse(path, ReadFileText(path)); }

CsvTable CsvTable::Parse(const std::string& name, const std::string& text) {
  CsvTable table;
  table.name_ = name;
  Scanner scanner(name, text);
  if (scanner.OnlyLineEndsLeft()) {
    throw UsageError(fmt::format("{}: empty file, expected a CSV header line", name));
  }
  if (scanner.AtEmptyLine()) scanner.Fail(1, 1, "empty header line");
  CsvRow header = scanner.NextRecord();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (header.fields[i].empty()) {
      scanner.Fail(header.line, header.columns[i],
                   fmt::format("empty name for column {} in the header", i + 1));
    }
  }
  table.header_ = header.fields;
  table.raw_header_ = header.raw;
  while (!scanner.AtEnd()) {
    if (scanner.OnlyLineEndsLeft()) break;
    if (scanner.AtEmptyLine()) {
      scanner.Fail(scanner.line(), 1, "empty line (only the end of the file may have them)");
    }
    CsvRow row = scanner.NextRecord();
    const size_t expected = table.header_.size();
    if (row.fields.size() != expected) {
      const size_t at = std::min(row.fields.size(), expected);
      const int column = row.fields.size() > expected
                             ? row.columns[expected]
                             : row.columns.back() + static_cast<int>(row.fields.back().size());
      scanner.Fail(row.line, column,
                   fmt::format("{} fields, but the header has {}{}", row.fields.size(), expected,
                               row.fields.size() > expected
                                   ? fmt::format(" (field {} is extra)", at + 1)
                                   : fmt::format(" (missing from '{}' on)", table.header_[at])));
    }
    table.rows_.push_back(std::move(row));
  }
  return table;
}

int CsvTable::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return static_cast<int>(i);
  }
  return -1;
}

int CsvTable::RequireColumn(const std::string& column) const {
  const int index = ColumnIndex(column);
  if (index < 0) {
    std::string names;
    for (const std::string& h : header_) names += (names.empty() ? "" : ", ") + h;
    throw UsageError(
        fmt::format("{}: no column '{}' in the header (columns: {})", name_, column, names));
  }
  return index;
}

std::string CsvTable::Where(size_t row, int column) const {
  return fmt::format("{}:{}:{}", name_, rows_[row].line, rows_[row].columns[column]);
}

double CsvTable::Number(size_t row, int column) const {
  const std::string& text = rows_[row].fields[column];
  double value = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (!text.empty() && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    throw UsageError(fmt::format("{}: field {} ('{}'): expected a number, got '{}'",
                                 Where(row, column), column + 1, header_[column], text));
  }
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves value alone on overflow/underflow: decide by the exponent's sign.
    const bool tiny = text.find("e-") != std::string::npos || text.find("E-") != std::string::npos;
    value = tiny ? 0.0 : (text[0] == '-' ? -HUGE_VAL : HUGE_VAL);
  }
  return value;
}

}  // namespace gradflow
