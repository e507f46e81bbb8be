"""columnar_scan in Apache DataFusion (Rust engine, Python bindings) (SPEC.md): the Parquet columns a
query reads copied into DataFusion's in-memory tables before `ready`, then the TPC-H query text as SQL
(peer_support/tpch_sql.py), collected into Arrow. DataFusion keeps DECIMAL(15,2) exact."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402
import tpch_sql  # noqa: E402


def main() -> None:
    args = peer_common.parse_args(sys.argv[1:])
    from datafusion import SessionConfig, SessionContext

    # target_partitions is how many partitions (and so threads) a plan runs on: DataFusion's --threads.
    context = SessionContext(SessionConfig().with_target_partitions(args.threads))
    for table, columns in peer_common.COLUMNS[args.query].items():
        context.register_parquet(f"{table}_parquet", str(peer_common.parquet_path(args.data, table)))
        context.sql(tpch_sql.load_statement(table, columns, f"{table}_parquet")).collect()
    peer_common.mark("ready")
    result = context.sql(tpch_sql.QUERIES[args.query]).to_arrow_table()
    peer_common.mark("done")
    peer_common.write_csv(args.query, (tuple(row.values()) for row in result.to_pylist()))


if __name__ == "__main__":
    main()
