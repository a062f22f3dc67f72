// libFuzzer target for the CSV reader (io/csv_reader.h): any input must either
// parse or throw UsageError. A parsed table must be consistent: every row has
// as many fields as the header, every field and column is addressable, and
// reading a field as a number or integer either works or throws UsageError.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "base/error.h"
#include "io/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const gradflow::CsvTable table = gradflow::CsvTable::Parse("fuzz.csv", text);
    if (table.header().empty()) __builtin_trap();
    for (size_t r = 0; r < table.rows().size(); ++r) {
      const gradflow::CsvRow& row = table.rows()[r];
      if (row.size() != table.header().size() || row.line < 2) __builtin_trap();
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string_view field = row.field(c);
        if (row.column(c) < 1 || field.size() > text.size()) __builtin_trap();
        try {
          table.Number(r, static_cast<int>(c));
        } catch (const gradflow::UsageError&) {
        }
        try {
          const int64_t value = table.Integer(r, static_cast<int>(c), 0, 1000);
          if (value < 0 || value > 1000) __builtin_trap();
        } catch (const gradflow::UsageError&) {
        }
      }
    }
  } catch (const gradflow::UsageError&) {
  }
  return 0;
}
