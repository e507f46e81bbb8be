"""columnar_scan in ClickHouse, embedded through chDB (C++ engine) (SPEC.md): the Parquet columns a query
reads copied into Memory tables before `ready`, then the TPC-H query text as SQL (peer_support/tpch_sql.py),
returned as Arrow. ClickHouse keeps DECIMAL(15,2) exact (its averages are Float64, which the SPEC allows)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402
import tpch_sql  # noqa: E402


def main() -> None:
    args = peer_common.parse_args(sys.argv[1:])
    from chdb import session

    engine = session.Session()  # in memory: nothing is written outside the process
    engine.query(f"set max_threads = {args.threads}")
    for table, columns in peer_common.COLUMNS[args.query].items():
        source = f"file({tpch_sql.quoted(str(peer_common.parquet_path(args.data, table)))}, Parquet)"
        engine.query(tpch_sql.load_statement(table, columns, source, table_options="engine = Memory"))
    # chDB sets up its Arrow output (pyarrow and more, 0.2-0.7 s here) on the first Arrow result: start-up,
    # like DuckDB's connect(), not part of the query.
    engine.query("select 1", "ArrowTable")
    peer_common.mark("ready")
    result = engine.query(tpch_sql.QUERIES[args.query], "ArrowTable")
    peer_common.mark("done")
    peer_common.write_csv(args.query, (tuple(row.values()) for row in result.to_pylist()))


if __name__ == "__main__":
    main()
