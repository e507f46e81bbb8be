#include "expected_answer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench::columnar {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(PrecisionForTest, OnlyTheFloat64MoneyEnginesGetTpchTolerances) {
  EXPECT_EQ(PrecisionFor("pandas"), Precision::kTpchTolerance);
  for (const char* exact : {"cpp", "cpp_rowstore", "duckdb", "datafusion", "clickhouse", "polars", "rust", "go"}) {
    EXPECT_EQ(PrecisionFor(exact), Precision::kExactDecimals) << exact;
  }
}

TEST(AgreedAnswerTest, IsTheExactEnginesTextWhenTheSecondAgreesWithinItsTolerance) {
  const EngineAnswer duckdb{"duckdb", "revenue\n123141078.23\n"};
  EXPECT_EQ(AgreedAnswer(duckdb, {"pandas", "revenue\n123141078.2299999\n"}, "q6 at SF 1"), duckdb.text);
  EXPECT_EQ(AgreedAnswer(duckdb, {"pandas", "revenue\n123141100.00\n"}, "q6 at SF 1"), duckdb.text);
  EXPECT_THROW(AgreedAnswer(duckdb, {"polars", "revenue\n123141078.24\n"}, "q6 at SF 1"), SetupError);
}

TEST(AgreedAnswerTest, ADisagreementNamesBothEnginesAndTheFirstDifference) {
  const EngineAnswer duckdb{"duckdb", "l_orderkey,revenue\n7,100.00\n9,50.00\n"};
  try {
    AgreedAnswer(duckdb, {"polars", "l_orderkey,revenue\n7,100.00\n8,50.00\n"}, "q3 at SF 0.1");
    FAIL() << "no SetupError";
  } catch (const SetupError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("duckdb and polars disagree on q3 at SF 0.1"),
                                    HasSubstr("row 2 l_orderkey: got '8', expected '9'")));
  }
  // A second engine with exact money (DataFusion, the first one tried) is held to the cent.
  EXPECT_THROW(AgreedAnswer({"duckdb", "revenue\n10.00\n"}, {"datafusion", "revenue\n10.01\n"}, "q6"), SetupError);
}

TEST(CheckOfficialAnswerTest, AnEngineThatDiffersFromTpchMeansTheDataIsNotDbgens) {
  EXPECT_NO_THROW(CheckOfficialAnswer("revenue\n123141078.23\n", {"duckdb", "revenue\n123141078.23\n"}, "q6", "d"));
  try {
    CheckOfficialAnswer("revenue\n123141078.23\n", {"duckdb", "revenue\n123141078.24\n"}, "q6 at SF 1", "/x/data-sf1");
    FAIL() << "no SetupError";
  } catch (const SetupError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("duckdb's q6 at SF 1 differs from TPC-H's official answer"),
                                    HasSubstr("delete /x/data-sf1")));
  }
}

// The committed official answers (data/README.md): SPEC.md's header, TPC-H's row counts at SF 1, every
// field in SPEC.md's format, and rows in the queries' ORDER BY.
struct OfficialFile {
  const char* query;
  const char* header;  // SPEC.md, Output
  size_t rows;
  const char* first_row;  // as the TPC-H specification prints it in the query's validation section
};

std::vector<std::vector<std::string>> Rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string field; std::getline(cells, field, ',');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

class OfficialAnswerFile : public ::testing::TestWithParam<OfficialFile> {};

TEST_P(OfficialAnswerFile, HasTheSpecsFormatAndTpchsRows) {
  const OfficialFile& file = GetParam();
  const std::string text =
      ReadWholeFile(std::string(CLAIMBENCH_COLUMNAR_DATA_DIR) + "/" + file.query + "_sf1.csv");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find(' ', text.find('\n')), std::string::npos) << "padding left from answers/*.out";
  const auto rows = Rows(text);
  ASSERT_EQ(rows.size(), file.rows + 1);
  EXPECT_EQ(text.substr(0, text.find('\n')), file.header);
  EXPECT_EQ(text.substr(text.find('\n') + 1, text.find('\n', text.find('\n') + 1) - text.find('\n') - 1),
            file.first_row);
  const std::regex date(R"(\d{4}-\d{2}-\d{2})"), decimal(R"(-?\d+\.\d{2})"), integer(R"(\d+)");
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), rows[0].size()) << "row " << r;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& name = rows[0][c];
      const std::string& value = rows[r][c];
      if (name.find("date") != std::string::npos) {
        EXPECT_TRUE(std::regex_match(value, date)) << name << " " << value;
      } else if (name.find("key") != std::string::npos || name == "count_order" || name == "o_shippriority") {
        EXPECT_TRUE(std::regex_match(value, integer)) << name << " " << value;
      } else if (name != "c_name" && name != "l_returnflag" && name != "l_linestatus") {
        EXPECT_TRUE(std::regex_match(value, decimal)) << name << " " << value;
      }
    }
  }
  // An answer compares equal to itself under either rule (the parse the harness applies).
  EXPECT_EQ(CompareAnswers(text, text, Precision::kExactDecimals), "");
}

INSTANTIATE_TEST_SUITE_P(
    Sf1, OfficialAnswerFile,
    ::testing::Values(
        OfficialFile{"q1",
                     "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,"
                     "avg_disc,count_order",
                     4, "A,F,37734107.00,56586554400.73,53758257134.87,55909065222.83,25.52,38273.13,0.05,1478493"},
        OfficialFile{"q6", "revenue", 1, "123141078.23"},
        OfficialFile{"q3", "l_orderkey,revenue,o_orderdate,o_shippriority", 10, "2456423,406181.01,1995-03-05,0"},
        OfficialFile{"q18", "c_name,c_custkey,o_orderkey,o_orderdate,o_totalprice,sum_qty", 57,
                     "Customer#000128120,128120,4722021,1994-04-07,544089.09,323.00"}),
    [](const auto& info) { return std::string(info.param.query); });

TEST(OfficialAnswerOrder, Q3ByRevenueAndQ18ByTotalPriceDescending) {
  for (const auto& [query, column] : {std::pair{"q3", 1}, std::pair{"q18", 4}}) {
    const auto rows = Rows(ReadWholeFile(std::string(CLAIMBENCH_COLUMNAR_DATA_DIR) + "/" + query + "_sf1.csv"));
    for (size_t r = 2; r < rows.size(); ++r) {
      EXPECT_GE(std::stod(rows[r - 1][column]), std::stod(rows[r][column])) << query << " row " << r;
    }
  }
}

}  // namespace
}  // namespace claimbench::columnar
