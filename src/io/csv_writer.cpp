#include "io/csv_writer.h"

namespace gradflow {
namespace {

bool NeedsQuotes(std::string_view field) {
  return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

std::string EncodeCsvField(std::string_view field) {
  if (!NeedsQuotes(field)) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

CsvLine& CsvLine::AddField(std::string_view field) {
  if (count_++ > 0) fields_ += ',';
  if (!NeedsQuotes(field)) {
    fields_ += field;  // most fields: appended as they are, no temporary
  } else {
    fields_ += EncodeCsvField(field);
  }
  return *this;
}

std::string CsvLine::Text() const {
  // A record of one empty field would be an empty line, which RFC 4180
  // readers (ours included) take as no record at all: quote it.
  if (count_ == 1 && fields_.empty()) return "\"\"\n";
  return fields_ + '\n';
}

}  // namespace gradflow
