"""columnar_scan in DuckDB (SPEC.md): the Parquet files loaded into DuckDB's own in-memory tables before
`ready` (only the columns the query reads), then the TPC-H query text as SQL (peer_support/tpch_sql.py).
DuckDB keeps DECIMAL(15,2) exact, like the C++ reference."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402
import tpch_sql  # noqa: E402


def main() -> None:
    args = peer_common.parse_args(sys.argv[1:])
    import duckdb

    con = duckdb.connect()
    con.execute(f"set threads = {args.threads}")
    for table, columns in peer_common.COLUMNS[args.query].items():
        source = f"read_parquet({tpch_sql.quoted(str(peer_common.parquet_path(args.data, table)))})"
        con.execute(tpch_sql.load_statement(table, columns, source))
    peer_common.mark("ready")
    rows = con.execute(tpch_sql.QUERIES[args.query]).fetchall()
    peer_common.mark("done")
    peer_common.write_csv(args.query, rows)


if __name__ == "__main__":
    main()
