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
#pragma once

#include <string>
#include <vector>

namespace gradflow {

struct CsvRow {
  int line = 0;                     // physical line where the record starts
  std::vector<std::string> fields;  // unquoted values
  std::vector<int> columns;         // 1-based character column of each field
  std::string raw;                  // the record's text without its line end
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
  // "FILE:LINE:COL" of a field.
  std::string Where(size_t row, int column) const;

 private:
  std::string name_;
  std::string raw_header_;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

// Reads a whole file; UsageError "cannot read 'PATH': reason" on failure.
std::string ReadFileText(const std::string& path);

}  // namespace gradflow
