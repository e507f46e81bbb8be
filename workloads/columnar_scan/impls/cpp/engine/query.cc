#include "query.h"

#include <fmt/format.h>

#include "q1.h"
#include "q18.h"
#include "q3.h"
#include "q6.h"
#include "row_store.h"
#include "table_access.h"

namespace claimbench::columnar {
namespace {

using T = ColumnType;
using ColumnList = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::pair<std::string, ColumnList>>& QueryTable() {
  static const std::vector<std::pair<std::string, ColumnList>> queries = {
      {"q1",
       {{"lineitem", "l_shipdate"},
        {"lineitem", "l_returnflag"},
        {"lineitem", "l_linestatus"},
        {"lineitem", "l_quantity"},
        {"lineitem", "l_extendedprice"},
        {"lineitem", "l_discount"},
        {"lineitem", "l_tax"}}},
      {"q6",
       {{"lineitem", "l_shipdate"},
        {"lineitem", "l_discount"},
        {"lineitem", "l_quantity"},
        {"lineitem", "l_extendedprice"}}},
      {"q3",
       {{"customer", "c_custkey"},
        {"customer", "c_mktsegment"},
        {"orders", "o_orderkey"},
        {"orders", "o_custkey"},
        {"orders", "o_orderdate"},
        {"orders", "o_shippriority"},
        {"lineitem", "l_orderkey"},
        {"lineitem", "l_shipdate"},
        {"lineitem", "l_extendedprice"},
        {"lineitem", "l_discount"}}},
      {"q18",
       {{"customer", "c_custkey"},
        {"customer", "c_name"},
        {"orders", "o_orderkey"},
        {"orders", "o_custkey"},
        {"orders", "o_orderdate"},
        {"orders", "o_totalprice"},
        {"lineitem", "l_orderkey"},
        {"lineitem", "l_quantity"}}},
  };
  return queries;
}

// Maps every column a query reads into the column-store accessors.
struct ColumnTables {
  LineitemColumns lineitem;
  OrdersColumns orders;
  CustomerColumns customer;
  int64_t bytes = 0;

  ColumnTables(ColumnStore& store, const ColumnList& columns) {
    for (const auto& [table, column] : columns) {
      const ColumnEntry* entry = store.Table(table).FindColumn(column);
      if (entry == nullptr) throw DataError(fmt::format("the manifest has no column {}.{}; regenerate the data", table, column));
      for (const FileEntry& file : entry->files) bytes += file.bytes;
      Map(store, table, column);
    }
    lineitem.rows = store.Rows("lineitem");
    orders.rows = store.Rows("orders");
    customer.rows = store.Rows("customer");
  }

  void Map(ColumnStore& store, const std::string& table, const std::string& column) {
    if (column == "l_orderkey") lineitem.orderkey = store.Fixed<int64_t>(table, column, T::kInt64);
    else if (column == "l_quantity") lineitem.quantity = store.Fixed<int64_t>(table, column, T::kDecimal);
    else if (column == "l_extendedprice") lineitem.extendedprice = store.Fixed<int64_t>(table, column, T::kDecimal);
    else if (column == "l_discount") lineitem.discount = store.Fixed<int64_t>(table, column, T::kDecimal);
    else if (column == "l_tax") lineitem.tax = store.Fixed<int64_t>(table, column, T::kDecimal);
    else if (column == "l_shipdate") lineitem.shipdate = store.Fixed<int32_t>(table, column, T::kDate);
    else if (column == "l_returnflag") lineitem.returnflag = store.Fixed<char>(table, column, T::kChar);
    else if (column == "l_linestatus") lineitem.linestatus = store.Fixed<char>(table, column, T::kChar);
    else if (column == "o_orderkey") orders.orderkey = store.Fixed<int64_t>(table, column, T::kInt64);
    else if (column == "o_totalprice") orders.totalprice = store.Fixed<int64_t>(table, column, T::kDecimal);
    else if (column == "o_custkey") orders.custkey = store.Fixed<int32_t>(table, column, T::kInt32);
    else if (column == "o_orderdate") orders.orderdate = store.Fixed<int32_t>(table, column, T::kDate);
    else if (column == "o_shippriority") orders.shippriority = store.Fixed<int32_t>(table, column, T::kInt32);
    else if (column == "c_custkey") customer.custkey = store.Fixed<int32_t>(table, column, T::kInt32);
    else if (column == "c_name") customer.name = store.Strings(table, column);
    else if (column == "c_mktsegment") customer.mktsegment = store.Strings(table, column);
  }
};

struct RowTables {
  std::vector<LineitemRow> lineitem_rows;
  std::vector<OrdersRow> orders_rows;
  std::vector<CustomerRow> customer_rows;
  LineitemRows lineitem;
  OrdersRows orders;
  CustomerRows customer;
  int64_t bytes = 0;

  RowTables(ColumnStore& store, const ColumnList& columns) {
    auto uses = [&](std::string_view table) {
      for (const auto& entry : columns) {
        if (entry.first == table) return true;
      }
      return false;
    };
    if (uses("lineitem")) lineitem_rows = BuildLineitemRows(store);
    if (uses("orders")) orders_rows = BuildOrdersRows(store);
    if (uses("customer")) customer_rows = BuildCustomerRows(store);
    lineitem.rows = lineitem_rows;
    orders.rows = orders_rows;
    customer.rows = customer_rows;
    bytes = static_cast<int64_t>(lineitem_rows.size() * sizeof(LineitemRow) + orders_rows.size() * sizeof(OrdersRow) +
                                 customer_rows.size() * sizeof(CustomerRow));
  }
};

// The array joins need keys bounded by a small multiple of the row count (TPC-H's orderkeys use 1 in 4
// of their range); anything sparser is not TPC-H data and would make the arrays huge.
void CheckDense(std::string_view column, int64_t max_key, int64_t rows) {
  if (max_key > 8 * rows + (int64_t{1} << 20)) {
    throw DataError(fmt::format("{} reaches {} with {} rows: keys this sparse are not TPC-H's; regenerate the data",
                                column, max_key, rows));
  }
}

template <typename Tables>
class Prepared final : public PreparedQuery {
 public:
  Prepared(std::string name, ColumnStore& store, const ColumnList& columns)
      : name_(std::move(name)), tables_(store, columns) {
    if (name_ == "q3" || name_ == "q18") {
      // Column statistics for the dense-key joins (dense_keys.h), taken before the timed part.
      max_custkey_ = MaxKey(store.Fixed<int32_t>("customer", "c_custkey", T::kInt32));
      max_orderkey_ = std::max(MaxKey(store.Fixed<int64_t>("orders", "o_orderkey", T::kInt64)),
                               MaxKey(store.Fixed<int64_t>("lineitem", "l_orderkey", T::kInt64)));
      CheckDense("c_custkey", max_custkey_, store.Rows("customer"));
      CheckDense("o_orderkey", max_orderkey_, store.Rows("orders"));
    }
  }

  QueryOutput Execute(int threads) const override {
    QueryOutput output;
    output.bytes_touched = tables_.bytes;
    output.rows_scanned = tables_.lineitem.Rows();
    if (name_ == "q1") output.csv = RunQ1(tables_.lineitem, threads);
    else if (name_ == "q6") output.csv = RunQ6(tables_.lineitem, threads);
    else if (name_ == "q3") output.csv = RunQ3(tables_.customer, tables_.orders, tables_.lineitem, max_custkey_, max_orderkey_, threads);
    else output.csv = RunQ18(tables_.customer, tables_.orders, tables_.lineitem, max_custkey_, max_orderkey_, threads);
    return output;
  }

 private:
  std::string name_;
  Tables tables_;
  int64_t max_custkey_ = 0;
  int64_t max_orderkey_ = 0;
};

const ColumnList& ColumnsOf(std::string_view query) {
  for (const auto& [name, columns] : QueryTable()) {
    if (name == query) return columns;
  }
  throw DataError(fmt::format("unknown query '{}'; choose one of {}", query, fmt::join(QueryNames(), ", ")));
}

}  // namespace

std::vector<std::string> QueryNames() {
  std::vector<std::string> names;
  for (const auto& entry : QueryTable()) names.push_back(entry.first);
  return names;
}

std::vector<std::pair<std::string, std::string>> QueryColumns(std::string_view query) { return ColumnsOf(query); }

std::unique_ptr<PreparedQuery> PrepareQuery(std::string_view query, Layout layout, ColumnStore& store) {
  const ColumnList& columns = ColumnsOf(query);
  if (layout == Layout::kColumns) return std::make_unique<Prepared<ColumnTables>>(std::string(query), store, columns);
  return std::make_unique<Prepared<RowTables>>(std::string(query), store, columns);
}

}  // namespace claimbench::columnar
