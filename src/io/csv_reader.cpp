#include "io/csv_reader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "base/error.h"
#include "fmt/format.h"
#include "io/bounded_read.h"

namespace gradflow {

// Fills a CsvRow's compact storage while the scanner walks a record.
class CsvRecordBuilder {
 public:
  void Start(int line) { row_.line = line; }
  size_t size() const { return row_.spans_.size(); }
  // A field whose value is raw[begin, end).
  void AddPlain(size_t begin, size_t end, int column) {
    row_.spans_.push_back(
        {static_cast<uint32_t>(begin), static_cast<uint32_t>(end), static_cast<int32_t>(column)});
  }
  void BeginQuoted(int column) {
    const auto at = static_cast<uint32_t>(row_.unquoted_.size()) | CsvRow::kUnquoted;
    row_.spans_.push_back({at, at, static_cast<int32_t>(column)});
  }
  void AddQuotedChar(char c) { row_.unquoted_ += c; }
  void EndQuoted() {
    row_.spans_.back().end = static_cast<uint32_t>(row_.unquoted_.size()) | CsvRow::kUnquoted;
  }
  CsvRow Finish(std::string raw) {
    row_.raw = std::move(raw);
    row_.spans_.shrink_to_fit();
    row_.unquoted_.shrink_to_fit();
    return std::move(row_);
  }

 private:
  CsvRow row_;
};

std::string_view CsvRow::field(size_t i) const {
  const Span& span = spans_[i];
  if (span.begin & kUnquoted) {
    const uint32_t begin = span.begin & ~kUnquoted, end = span.end & ~kUnquoted;
    return std::string_view(unquoted_).substr(begin, end - begin);
  }
  return std::string_view(raw).substr(span.begin, span.end - span.begin);
}

std::vector<std::string> CsvRow::Fields() const {
  std::vector<std::string> fields;
  fields.reserve(size());
  for (size_t i = 0; i < size(); ++i) fields.emplace_back(field(i));
  return fields;
}

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
    CsvRecordBuilder row;
    row.Start(line_);
    const size_t record_start = pos_;
    size_t record_end = pos_;
    while (true) {
      const int field_column = column_;
      if (Peek() == '"') {
        const int quote_line = line_, quote_column = column_;
        Advance();
        row.BeginQuoted(field_column);
        while (true) {
          if (AtEnd()) Fail(quote_line, quote_column, "unterminated quoted field");
          const char c = Peek();
          if (c == '"') {
            Advance();
            if (Peek() == '"') {
              row.AddQuotedChar('"');
              Advance();
              continue;
            }
            break;
          }
          row.AddQuotedChar(c);
          Advance();
        }
        row.EndQuoted();
        if (!AtEnd() && Peek() != ',' && !AtLineEnd()) {
          Fail(line_, column_,
               fmt::format("unexpected '{}' after the closing quote of field {}", Peek(),
                           row.size()));
        }
      } else {
        const size_t begin = pos_;
        while (!AtEnd() && Peek() != ',' && !AtLineEnd()) {
          if (Peek() == '"') {
            Fail(line_, column_,
                 fmt::format("stray '\"' inside unquoted field {} (quote the whole field and "
                             "write a quote as \"\")",
                             row.size() + 1));
          }
          Advance();
        }
        row.AddPlain(begin - record_start, pos_ - record_start, field_column);
      }
      if (!AtEnd() && Peek() == ',') {
        Advance();
        continue;
      }
      record_end = pos_;
      SkipLineEnd();
      break;
    }
    return row.Finish(text_.substr(record_start, record_end - record_start));
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
  return ReadFileLimited(path, kMaxCsvFileBytes, "CSV input");
}

CsvTable CsvTable::Read(const std::string& path) { return Parse(path, ReadFileText(path)); }

CsvTable CsvTable::Parse(const std::string& name, const std::string& raw_text) {
  CsvTable table;
  table.name_ = name;
  // Without a copy of the (up to 1 GiB) text unless there is a mark to skip.
  const bool bom = raw_text.compare(0, 3, "\xEF\xBB\xBF") == 0;
  const std::string stripped = bom ? StripUtf8Bom(raw_text) : std::string();
  const std::string& text = bom ? stripped : raw_text;
  Scanner scanner(name, text);
  if (scanner.OnlyLineEndsLeft()) {
    throw UsageError(fmt::format("{}: empty file, expected a CSV header line", name));
  }
  if (scanner.AtEmptyLine()) scanner.Fail(1, 1, "empty header line");
  CsvRow header = scanner.NextRecord();
  for (size_t i = 0; i < header.size(); ++i) {
    if (header.field(i).empty()) {
      scanner.Fail(header.line, header.column(i),
                   fmt::format("empty name for column {} in the header", i + 1));
    }
  }
  table.header_ = header.Fields();
  table.raw_header_ = header.raw;
  while (!scanner.AtEnd()) {
    if (scanner.OnlyLineEndsLeft()) break;
    if (scanner.AtEmptyLine()) {
      scanner.Fail(scanner.line(), 1, "empty line (only the end of the file may have them)");
    }
    CsvRow row = scanner.NextRecord();
    const size_t expected = table.header_.size();
    if (row.size() != expected) {
      const size_t at = std::min(row.size(), expected);
      const int column =
          row.size() > expected
              ? row.column(expected)
              : row.column(row.size() - 1) + static_cast<int>(row.field(row.size() - 1).size());
      scanner.Fail(row.line, column,
                   fmt::format("{} fields, but the header has {}{}", row.size(), expected,
                               row.size() > expected
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
  return fmt::format("{}:{}:{}", name_, rows_[row].line, rows_[row].column(column));
}

double CsvTable::Number(size_t row, int column) const {
  const std::string text(rows_[row].field(column));
  double value = 0;
  if (!ParseCsvNumber(text, &value)) {
    throw UsageError(fmt::format("{}: field {} ('{}'): expected a number, got '{}'",
                                 Where(row, column), column + 1, header_[column], text));
  }
  return value;
}

int64_t CsvTable::Integer(size_t row, int column, int64_t min, int64_t max) const {
  const std::string_view text = rows_[row].field(column);
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < min ||
      value > max) {
    throw UsageError(
        fmt::format("{}: field {} ('{}'): expected a whole number from {} to {}, got '{}'",
                    Where(row, column), column + 1, header_[column], min, max, text));
  }
  return value;
}

bool ParseCsvNumber(const std::string& text, double* value) {
  // strtod skips leading blanks and reads hex floats; a CSV number has neither.
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) ||
      text.find_first_of("xX") != std::string::npos) {
    return false;
  }
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double parsed = std::strtod(begin, &end);
  if (end != begin + text.size()) return false;
  // ERANGE on a tiny value gives 0 or a subnormal (a tiny value is not inf);
  // on a huge one HUGE_VAL with its sign. Both are the nearest double.
  *value = parsed;
  return true;
}

}  // namespace gradflow
