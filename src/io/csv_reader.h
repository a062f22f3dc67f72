// A strict CSV reader for gradflow's own outputs and the files users feed to
// `gradflow check` and `gradflow merge`.
//
// RFC 4180: comma-separated fields, optional double quotes (a quote inside a
// quoted field is written ""), LF or CRLF line ends, a header line first.
// Anything else is rejected with "FILE:LINE:COL: what is wrong" (LINE and COL
// 1-based, COL in characters) and, where a field is involved, its number and
// header name, as a UsageError (exit code 2): an empty file, an empty header
// name, a row with more or fewer fields than the header, a
// stray or unterminated quote, an empty line before the end of the file.
//
// Files are read through ReadFileLimited (io/bounded_read.h): at most
// kMaxCsvFileBytes, a leading UTF-8 byte order mark removed. Rows are stored
// compactly -- the record's text once, plus 12 bytes per field locating its
// value -- because a string object per cell took ~20x the file's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow {

class CsvRow {
 public:
  int line = 0;     // physical line where the record starts
  std::string raw;  // the record's text without its line end

  size_t size() const { return spans_.size(); }
  // The unquoted value of field i; valid while the row lives.
  std::string_view field(size_t i) const;
  // 1-based byte column of field i on its line.
  int column(size_t i) const { return spans_[i].column; }
  // Every unquoted value, copied.
  std::vector<std::string> Fields() const;

 private:
  friend class CsvRecordBuilder;
  // Where a value lives: [begin, end) of `raw`, or of `unquoted_` when the
  // top bit of begin is set (a quoted field, whose value differs from its text).
  struct Span {
    uint32_t begin;
    uint32_t end;
    int32_t column;
  };
  static constexpr uint32_t kUnquoted = uint32_t{1} << 31;
  std::vector<Span> spans_;
  std::string unquoted_;  // the values of quoted fields, back to back
};

class CsvTable {
 public:
  // Parses `text`; `name` (usually the path) prefixes every error message.
  static CsvTable Parse(const std::string& name, const std::string& text);
  // Reads and parses a file; an unreadable file is a UsageError naming it.
  static CsvTable Read(const std::string& path);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<CsvRow>& rows() const { return rows_; }
  // The header line as written (without line end).
  const std::string& raw_header() const { return raw_header_; }

  // Index of `column` in the header, or -1. A name may appear twice (the
  // summary CSV has the configuration column `loss` and the value `loss`):
  // this gives the first, so a name keeps its configuration meaning.
  int ColumnIndex(const std::string& column) const;
  // Index of `column`; UsageError naming the file and the columns it has if absent.
  int RequireColumn(const std::string& column) const;
  // The field as a number ("nan", "inf", "-inf" allowed); UsageError with
  // FILE:LINE:COL, the column name and the text when it is not one.
  double Number(size_t row, int column) const;
  // The field as a whole number in [min, max] (decimal digits, optional '-');
  // UsageError with FILE:LINE:COL, the column, the text and the range if not.
  int64_t Integer(size_t row, int column, int64_t min, int64_t max) const;
  // "FILE:LINE:COL" of a field.
  std::string Where(size_t row, int column) const;

 private:
  std::string name_;
  std::string raw_header_;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

// A CSV number: decimal, "nan", "inf", "-inf"; no blanks or hex. Values too
// small for a double give 0 or a subnormal, too large ones +-inf (the nearest
// double). False if `text` is not a number.
bool ParseCsvNumber(const std::string& text, double* value);

// Reads a whole CSV file (at most kMaxCsvFileBytes, BOM removed); UsageError
// "cannot read 'PATH': reason" on failure.
std::string ReadFileText(const std::string& path);

}  // namespace gradflow
