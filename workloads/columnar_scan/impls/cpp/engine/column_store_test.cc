// The loader's contract: every broken data directory is a DataError that names the problem and says to
// regenerate, never a crash or a wrong answer.
#include "column_store.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "atomic_manifest.h"
#include "query.h"
#include "row_store.h"
#include "testing/synthetic_tpch.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench::columnar {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Spit(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const DataError& error) {
    return error.what();
  }
  return "no error";
}

class ColumnStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteSyntheticTpch(dir_.path(), 50, 200); }
  fs::path Dir() const { return dir_.path(); }
  claimbench::testing::TempDir dir_;
};

TEST_F(ColumnStoreTest, ImportsEveryRowAndColumn) {
  ColumnStore store(Dir());
  EXPECT_EQ(store.Rows("customer"), 50);
  EXPECT_EQ(store.Rows("orders"), 200);
  const auto orderkey = store.Fixed<int64_t>("orders", "o_orderkey", ColumnType::kInt64);
  ASSERT_EQ(orderkey.size(), 200u);
  EXPECT_EQ(orderkey[0], 1);
  EXPECT_EQ(orderkey[8], 33);
  const StringColumn names = store.Strings("customer", "c_name");
  EXPECT_EQ(names.At(0), "Customer#000000001");
  EXPECT_EQ(names.At(49), "Customer#000000050");
}

TEST_F(ColumnStoreTest, ManifestRoundTrips) {
  const Manifest manifest = ParseManifest(Slurp(Dir() / "manifest.json"));
  EXPECT_EQ(ManifestToJson(manifest), Slurp(Dir() / "manifest.json"));
}

TEST_F(ColumnStoreTest, TruncatedColumnFileIsAClearError) {
  fs::resize_file(Dir() / "lineitem" / "l_shipdate.bin", 12);
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { store.Fixed<int32_t>("lineitem", "l_shipdate", ColumnType::kDate); }),
              HasSubstr("truncated"));
}

TEST_F(ColumnStoreTest, CorruptColumnFileIsAClearError) {
  const fs::path path = Dir() / "lineitem" / "l_discount.bin";
  std::string bytes = Slurp(path);
  bytes[17] ^= 0x40;
  Spit(path, bytes);
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { PrepareQuery("q6", Layout::kColumns, store); }), HasSubstr("corrupt"));
}

TEST_F(ColumnStoreTest, MissingColumnFileIsAClearError) {
  fs::remove(Dir() / "customer" / "c_name.bytes");
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { store.Strings("customer", "c_name"); }), HasSubstr("cannot open"));
}

TEST_F(ColumnStoreTest, ColumnMissingFromTheManifestIsAClearError) {
  Manifest manifest = ParseManifest(Slurp(Dir() / "manifest.json"));
  auto& columns = manifest.tables[0].columns;
  columns.erase(columns.begin() + 5);  // l_extendedprice
  WriteManifest(Dir(), manifest);
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { PrepareQuery("q1", Layout::kColumns, store); }), HasSubstr("no column"));
}

TEST_F(ColumnStoreTest, WrongTypeIsAClearError) {
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { store.Fixed<int64_t>("lineitem", "l_orderkey", ColumnType::kDecimal); }),
              HasSubstr("the query needs decimal"));
}

TEST_F(ColumnStoreTest, UnknownQueryListsTheKnownOnes) {
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { PrepareQuery("q99", Layout::kColumns, store); }), HasSubstr("q1, q6, q3, q18"));
}

TEST_F(ColumnStoreTest, StringOffsetsOutsideTheDataAreRejected) {
  // A consistent manifest (sizes, checksums) that describes offsets past the data: only the offset check
  // stands between this and an out-of-bounds read.
  const fs::path offsets = Dir() / "customer" / "c_name.offsets";
  std::string bytes = Slurp(offsets);
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(bytes.data() + 8 * 3, &huge, 8);
  Spit(offsets, bytes);
  Manifest manifest = ParseManifest(Slurp(Dir() / "manifest.json"));
  for (ColumnEntry& column : manifest.tables[2].columns) {
    if (column.name == "c_name") column.files[0] = DescribeFile(Dir(), "customer/c_name.offsets");
  }
  WriteManifest(Dir(), manifest);
  ColumnStore store(Dir());
  EXPECT_THAT(ErrorOf([&] { store.Strings("customer", "c_name"); }), HasSubstr("out of order or past the data"));
}

TEST(RowStoreTest, EmptyStringColumnsBuildRows) {
  // Regression (found by fuzz/loader_fuzz.cc): a string column whose values are all empty has an empty
  // data file, mapped as a null span; copying zero bytes from it must not pass null to memcpy.
  claimbench::testing::TempDir dir;
  Spit(dir.path() / "customer.tbl", "1|||15||0.00|||\n2|||3||-1.50|||\n");
  Manifest manifest;
  manifest.scale_factor = "test";
  manifest.generator = "test";
  manifest.tables.push_back(ImportTbl(*FindTable("customer"), dir.path() / "customer.tbl", dir.path()));
  WriteManifest(dir.path(), manifest);
  ColumnStore store(dir.path());
  const std::vector<CustomerRow> rows = BuildCustomerRows(store);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(FixedText(rows[1].name), "");
  EXPECT_EQ(rows[1].acctbal, -150);
}

TEST(ManifestTest, MissingManifestSaysWhatToDo) {
  claimbench::testing::TempDir dir;
  EXPECT_THAT(ErrorOf([&] { ColumnStore store(dir.path()); }), HasSubstr("generate --sf N --out DIR"));
}

TEST(ManifestTest, RejectsMalformedManifests) {
  const std::string valid = R"({"format":"claimbench-columnar","version":1,"scale_factor":"1","generator":"g",
    "tables":[{"name":"t","rows":2,"columns":[{"name":"c","type":"int32","files":[
    {"path":"t/c.bin","bytes":8,"checksum":"0123456789abcdef"}]}]}]})";
  EXPECT_NO_THROW(ParseManifest(valid));
  auto error = [&](const std::string& from, const std::string& to) {
    std::string text = valid;
    text.replace(text.find(from), from.size(), to);
    return ErrorOf([&] { ParseManifest(text); });
  };
  EXPECT_THAT(ErrorOf([] { ParseManifest("{not json"); }), HasSubstr("not valid JSON"));
  EXPECT_THAT(error(R"("version":1)", R"("version":2)"), HasSubstr("version 2 is not supported"));
  EXPECT_THAT(error("claimbench-columnar", "parquet"), HasSubstr("format is not"));
  EXPECT_THAT(error(R"("bytes":8)", R"("bytes":7)"), HasSubstr("need 8"));
  EXPECT_THAT(error("t/c.bin", "../c.bin"), HasSubstr("not a plain relative path"));
  EXPECT_THAT(error("t/c.bin", "/etc/passwd"), HasSubstr("not a plain relative path"));
  EXPECT_THAT(error("int32", "float"), HasSubstr("unknown type"));
  EXPECT_THAT(error(R"("rows":2)", R"("rows":-2)"), HasSubstr("non-negative"));
  EXPECT_THAT(error("0123456789abcdef", "xyz"), HasSubstr("checksum"));
}

}  // namespace
}  // namespace claimbench::columnar
