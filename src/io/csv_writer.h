// The one CSV writer: every CSV gradflow writes is built here, field by field,
// from tables of named columns.
//
// Fields follow RFC 4180: a field is written as it is unless it holds a comma,
// a double quote, CR or LF; then it is put in double quotes and each quote
// inside is doubled. gradflow's own values (names and numbers) never need
// quotes, so its files stay plain comma-separated text; a value that does
// (e.g. a future free-text column) still reads back through io/csv_reader.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow {

// A named CSV column: its header name, what it means (shown by `gradflow
// list --columns`), and how to get its value, as text, from one Row.
template <typename Row>
struct Column {
  const char* name;
  const char* doc;
  std::string (*value)(const Row& row);
};

// `field` as one RFC 4180 field: unchanged unless it holds ',', '"', CR or
// LF; then quoted, with each inner '"' doubled.
std::string EncodeCsvField(std::string_view field);

// One CSV record, built field by field from left to right. A line may mix
// column tables of different Row types (configuration, then per-layer values).
class CsvLine {
 public:
  // Appends one field, encoded.
  CsvLine& AddField(std::string_view field);

  // Appends the header names of `columns`.
  template <typename Row>
  CsvLine& AddNames(const std::vector<Column<Row>>& columns) {
    for (const Column<Row>& column : columns) AddField(column.name);
    return *this;
  }

  // Appends the values of `columns` for `row`.
  template <typename Row>
  CsvLine& AddValues(const std::vector<Column<Row>>& columns, const Row& row) {
    for (const Column<Row>& column : columns) AddField(column.value(row));
    return *this;
  }

  // The encoded fields joined by commas, without a line end.
  const std::string& Fields() const { return fields_; }
  // The record with its line end ('\n'), as it goes into a file.
  std::string Text() const;

 private:
  std::string fields_;
  size_t count_ = 0;
};

// The columns of `table` with the given names, in the order of `names`; a
// schema that shares some columns of another (same name, same value) picks
// them here. Throws std::logic_error for a name `table` does not have.
template <typename Row>
std::vector<Column<Row>> ColumnsNamed(const std::vector<Column<Row>>& table,
                                      std::initializer_list<std::string_view> names) {
  std::vector<Column<Row>> chosen;
  for (std::string_view name : names) {
    const Column<Row>* found = nullptr;
    for (const Column<Row>& column : table) {
      if (name == column.name) {
        found = &column;
        break;
      }
    }
    if (found == nullptr) {
      throw std::logic_error("ColumnsNamed: no column '" + std::string(name) + "'");
    }
    chosen.push_back(*found);
  }
  return chosen;
}

}  // namespace gradflow
