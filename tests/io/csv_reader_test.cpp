#include "io/csv_reader.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace gradflow {
namespace {

// The UsageError message of parsing `text` as file "f.csv", or "" if it parses.
std::string ErrorOf(const std::string& text) {
  try {
    CsvTable::Parse("f.csv", text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(CsvReader, ParsesHeaderRowsQuotesAndCrlf) {
  const CsvTable t = CsvTable::Parse("f.csv", "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n,2,\n");
  ASSERT_EQ(t.header(), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.rows().size(), 2u);
  EXPECT_EQ(t.rows()[0].Fields(), (std::vector<std::string>{"1", "x,y", "say \"hi\""}));
  EXPECT_EQ(t.rows()[1].Fields(), (std::vector<std::string>{"", "2", ""}));
  EXPECT_EQ(t.rows()[1].line, 3);
  EXPECT_EQ(t.rows()[1].raw, ",2,");
  EXPECT_EQ(t.raw_header(), "a,b,c");
}

TEST(CsvReader, MissingFinalNewlineAndTrailingBlankLinesAreFine) {
  EXPECT_EQ(CsvTable::Parse("f.csv", "a\n1").rows().size(), 1u);
  EXPECT_EQ(CsvTable::Parse("f.csv", "a\n1\n\n\n").rows().size(), 1u);
}

TEST(CsvReader, RejectsEmptyFile) {
  EXPECT_EQ(ErrorOf(""), "f.csv: empty file, expected a CSV header line");
  EXPECT_EQ(ErrorOf("\n\n"), "f.csv: empty file, expected a CSV header line");
}

TEST(CsvReader, RejectsTooFewFieldsWithLineAndColumn) {
  EXPECT_EQ(ErrorOf("a,b,c\n1,2,3\n4,5\n"),
            "f.csv:3:4: 2 fields, but the header has 3 (missing from 'c' on)");
}

TEST(CsvReader, RejectsTooManyFields) {
  EXPECT_EQ(ErrorOf("a,b\n1,2,3\n"),
            "f.csv:2:5: 3 fields, but the header has 2 (field 3 is extra)");
}

TEST(CsvReader, RejectsUnterminatedQuoteAtItsStart) {
  EXPECT_EQ(ErrorOf("a,b\n1,\"open\n"), "f.csv:2:3: unterminated quoted field");
}

TEST(CsvReader, RejectsStrayQuote) {
  const std::string error = ErrorOf("a,b\n1,ab\"c\n");
  EXPECT_EQ(error.rfind("f.csv:2:5: stray '\"' inside unquoted field 2", 0), 0u) << error;
}

TEST(CsvReader, RejectsTextAfterClosingQuote) {
  EXPECT_EQ(ErrorOf("a,b\n1,\"x\"y\n"),
            "f.csv:2:6: unexpected 'y' after the closing quote of field 2");
}

TEST(CsvReader, RejectsEmptyHeaderNameAndEmptyLineInside) {
  EXPECT_EQ(ErrorOf("a,,c\n"), "f.csv:1:3: empty name for column 2 in the header");
  EXPECT_EQ(ErrorOf("a\n1\n\n2\n"),
            "f.csv:3:1: empty line (only the end of the file may have them)");
}

TEST(CsvReader, DuplicateHeaderNamesResolveToTheFirst) {
  const CsvTable t = CsvTable::Parse("f.csv", "loss,x,loss\nprobe,1,0.5\n");
  EXPECT_EQ(t.ColumnIndex("loss"), 0);
  EXPECT_EQ(t.ColumnIndex("nope"), -1);
}

TEST(CsvReader, NumbersAndTheirErrors) {
  const CsvTable t = CsvTable::Parse("f.csv", "x,y\n1.5e-300,nan\n-inf,abc\n1e999,\n");
  EXPECT_EQ(t.Number(0, 0), 1.5e-300);
  EXPECT_TRUE(std::isnan(t.Number(0, 1)));
  EXPECT_EQ(t.Number(1, 0), -INFINITY);
  EXPECT_EQ(t.Number(2, 0), INFINITY);
  try {
    t.Number(1, 1);
    FAIL() << "abc parsed as a number";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "f.csv:3:6: field 2 ('y'): expected a number, got 'abc'");
  }
  EXPECT_THROW(t.Number(2, 1), UsageError);  // empty
}

TEST(CsvReader, RequireColumnNamesTheFileAndItsColumns) {
  const CsvTable t = CsvTable::Parse("f.csv", "x,y\n1,2\n");
  try {
    t.RequireColumn("z");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "f.csv: no column 'z' in the header (columns: x, y)");
  }
}

TEST(CsvReader, UnreadableFileIsAUsageError) {
  EXPECT_THROW(CsvTable::Read("/nonexistent/file.csv"), UsageError);
  EXPECT_THROW(CsvTable::Read("/"), UsageError);
}

}  // namespace
}  // namespace gradflow

namespace gradflow {
namespace {

TEST(CsvReader, LeadingByteOrderMarkIsNotPartOfTheFirstColumnName) {
  const CsvTable t = CsvTable::Parse("f.csv",
                                     "\xEF\xBB\xBF"
                                     "depth,width\n3,4\n");
  EXPECT_EQ(t.header(), (std::vector<std::string>{"depth", "width"}));
  EXPECT_EQ(t.ColumnIndex("depth"), 0);
}

TEST(CsvReader, TinyNumbersAreZeroOrSubnormalNotInfinite) {
  const std::string tiny = "0." + std::string(400, '0') + "1";
  const CsvTable t = CsvTable::Parse("f.csv", "x\n" + tiny + "\n1e-310\n-1e-400\n1e400\n");
  EXPECT_EQ(t.Number(0, 0), 0.0);
  EXPECT_GT(t.Number(1, 0), 0.0);  // subnormal, kept
  EXPECT_LT(t.Number(1, 0), 1e-300);
  EXPECT_EQ(t.Number(2, 0), 0.0);
  EXPECT_EQ(t.Number(3, 0), HUGE_VAL);
}

TEST(CsvReader, NumbersRefuseBlanksAndHex) {
  const CsvTable t = CsvTable::Parse("f.csv", "x\n\" 1\"\n0x10\n");
  EXPECT_THROW(t.Number(0, 0), UsageError);
  EXPECT_THROW(t.Number(1, 0), UsageError);
}

TEST(CsvReader, IntegerChecksTextAndRange) {
  const CsvTable t = CsvTable::Parse("f.csv", "n\n7\nnan\n-1\n1e3\n99999999999999999999\n");
  EXPECT_EQ(t.Integer(0, 0, 0, 10), 7);
  for (size_t row = 1; row < 5; ++row) EXPECT_THROW(t.Integer(row, 0, 0, 10), UsageError) << row;
  try {
    t.Integer(1, 0, 0, 10);
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "f.csv:3:1: field 1 ('n'): expected a whole number from 0 to 10, got 'nan'");
  }
}

TEST(CsvReader, QuotedAndPlainFieldsKeepTheirColumnsInCompactRows) {
  const CsvTable t = CsvTable::Parse("f.csv", "a,b,c\nxy,\"p\"\"q\",\n");
  const CsvRow& row = t.rows()[0];
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row.field(0), "xy");
  EXPECT_EQ(row.field(1), "p\"q");
  EXPECT_EQ(row.field(2), "");
  EXPECT_EQ(row.column(0), 1);
  EXPECT_EQ(row.column(1), 4);
  EXPECT_EQ(row.column(2), 11);
  EXPECT_EQ(t.Where(0, 1), "f.csv:2:4");
}

}  // namespace
}  // namespace gradflow
