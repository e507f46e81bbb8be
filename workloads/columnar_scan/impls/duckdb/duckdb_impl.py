"""columnar_scan in DuckDB (SPEC.md): the Parquet files loaded into DuckDB's own in-memory tables before
`ready` (only the columns the query reads), then the TPC-H query text as SQL. DuckDB keeps DECIMAL(15,2)
exact, like the C++ reference."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402

SQL = {
    "q1": """
        select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price,
               sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
               sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
               avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price, avg(l_discount) as avg_disc,
               count(*) as count_order
        from lineitem
        where l_shipdate <= date '1998-12-01' - interval 90 day
        group by l_returnflag, l_linestatus
        order by l_returnflag, l_linestatus""",
    "q6": """
        select sum(l_extendedprice * l_discount) as revenue
        from lineitem
        where l_shipdate >= date '1994-01-01' and l_shipdate < date '1995-01-01'
          and l_discount between 0.05 and 0.07 and l_quantity < 24""",
    "q3": """
        select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority
        from customer, orders, lineitem
        where c_mktsegment = 'BUILDING' and c_custkey = o_custkey and l_orderkey = o_orderkey
          and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15'
        group by l_orderkey, o_orderdate, o_shippriority
        order by revenue desc, o_orderdate, l_orderkey
        limit 10""",
    "q18": """
        select c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity)
        from customer, orders, lineitem
        where o_orderkey in (select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300)
          and c_custkey = o_custkey and o_orderkey = l_orderkey
        group by c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
        order by o_totalprice desc, o_orderdate, o_orderkey
        limit 100""",
}


def main() -> None:
    args = peer_common.parse_args(sys.argv[1:])
    import duckdb

    con = duckdb.connect()
    con.execute(f"set threads = {args.threads}")
    for table, columns in peer_common.COLUMNS[args.query].items():
        path = str(peer_common.parquet_path(args.data, table)).replace("'", "''")
        con.execute(f"create table {table} as select {', '.join(columns)} from read_parquet('{path}')")
    peer_common.mark("ready")
    rows = con.execute(SQL[args.query]).fetchall()
    peer_common.mark("done")
    peer_common.write_csv(args.query, rows)


if __name__ == "__main__":
    main()
