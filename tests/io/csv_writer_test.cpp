#include "io/csv_writer.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include "fmt/format.h"
#include "io/csv_reader.h"

namespace gradflow {
namespace {

TEST(EncodeCsvField, QuotesOnlyCommasQuotesAndLineEnds) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // Left as they are: what gradflow writes today.
      {"relu", "relu"},
      {"-1.5e-07", "-1.5e-07"},
      {"healthy:8;vanishing:2", "healthy:8;vanishing:2"},
      {"two words", "two words"},
      {"", ""},
      // Quoted, inner quotes doubled.
      {"a,b", "\"a,b\""},
      {",", "\",\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"\"", "\"\"\"\""},
      {"line 1\nline 2", "\"line 1\nline 2\""},
      {"cr\r", "\"cr\r\""},
  };
  for (const auto& [field, encoded] : cases) EXPECT_EQ(EncodeCsvField(field), encoded) << field;
}

struct Point {
  double x;
  std::string label;
};

const std::vector<Column<Point>> kPointColumns = {
    {"x", "abscissa", [](const Point& p) { return fmt::format("{}", p.x); }},
    {"label", "free text", [](const Point& p) { return p.label; }},
};
const std::vector<Column<int>> kIdColumns = {
    {"id", "row number", [](const int& i) { return fmt::format("{}", i); }},
};

TEST(CsvLine, JoinsFieldsWithCommasAndEndsWithNewline) {
  CsvLine line;
  line.AddField("a").AddField("").AddField("c,d").AddField("");
  EXPECT_EQ(line.Fields(), "a,,\"c,d\",");
  EXPECT_EQ(line.Text(), "a,,\"c,d\",\n");
  EXPECT_EQ(CsvLine().Text(), "\n");
  EXPECT_EQ(CsvLine().AddField("").AddField("").Text(), ",\n");
}

TEST(CsvLine, LoneEmptyFieldIsQuotedSoItIsNotAnEmptyLine) {
  EXPECT_EQ(CsvLine().AddField("").Text(), "\"\"\n");
  const CsvTable t = CsvTable::Parse("t", "a\n" + CsvLine().AddField("").Text());
  ASSERT_EQ(t.rows().size(), 1u);
  EXPECT_EQ(t.rows()[0].Fields(), std::vector<std::string>{""});
}

TEST(CsvLine, ComposesHeaderAndRowFromSeveralTables) {
  EXPECT_EQ(CsvLine().AddNames(kIdColumns).AddNames(kPointColumns).Text(), "id,x,label\n");
  EXPECT_EQ(CsvLine().AddValues(kIdColumns, 7).AddValues(kPointColumns, Point{0.5, "a"}).Text(),
            "7,0.5,a\n");
  // A shared prefix (e.g. the configuration columns) is built once and copied per row.
  const CsvLine prefix = CsvLine().AddValues(kIdColumns, 1);
  EXPECT_EQ(CsvLine(prefix).AddValues(kPointColumns, Point{2, "b"}).Text(), "1,2,b\n");
  EXPECT_EQ(CsvLine(prefix).AddValues(kPointColumns, Point{3, "c"}).Text(), "1,3,c\n");
  EXPECT_EQ(prefix.Fields(), "1");
}

TEST(CsvLine, RoundTripsThroughTheReader) {
  const std::vector<Point> points = {
      {1, "plain"},      {2, "comma, inside"}, {3, "quote \" inside"},
      {4, "new\nline"},  {5, "crlf\r\nline"},  {6, ""},
      {7, "\"quoted\""}, {8, ",\","},
  };
  std::string text = CsvLine().AddNames(kIdColumns).AddNames(kPointColumns).Text();
  for (size_t i = 0; i < points.size(); ++i) {
    text += CsvLine()
                .AddValues(kIdColumns, static_cast<int>(i))
                .AddValues(kPointColumns, points[i])
                .Text();
  }
  const CsvTable table = CsvTable::Parse("points.csv", text);
  EXPECT_EQ(table.header(), (std::vector<std::string>{"id", "x", "label"}));
  ASSERT_EQ(table.rows().size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(table.rows()[i].Fields(),
              (std::vector<std::string>{fmt::format("{}", i), fmt::format("{}", points[i].x),
                                        points[i].label}))
        << i;
  }
  // The record after one with an embedded newline starts on the right line.
  EXPECT_EQ(table.rows()[4].line, 7);
  EXPECT_EQ(table.rows()[5].line, 9);
}

TEST(ColumnsNamed, PicksColumnsInTheGivenOrder) {
  const std::vector<Column<Point>> picked = ColumnsNamed(kPointColumns, {"label", "x"});
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_STREQ(picked[0].name, "label");
  EXPECT_STREQ(picked[1].name, "x");
  EXPECT_EQ(CsvLine().AddValues(picked, Point{1.5, "p"}).Text(), "p,1.5\n");
  EXPECT_THROW(ColumnsNamed(kPointColumns, {"y"}), std::logic_error);
}

}  // namespace
}  // namespace gradflow
