"""What the Python peers of columnar_scan share: the SPEC's command line, the columns each query reads,
the mark protocol and the output format (SPEC.md, "Output"). Each peer's query code stays its own,
written the way that library's users write it."""

import argparse
import decimal
import os
import sys
import time
from pathlib import Path

# The (table, columns) each query reads; the same lists as the C++ reference (engine/query.cc).
COLUMNS = {
    "q1": {"lineitem": ["l_shipdate", "l_returnflag", "l_linestatus", "l_quantity", "l_extendedprice",
                        "l_discount", "l_tax"]},
    "q6": {"lineitem": ["l_shipdate", "l_discount", "l_quantity", "l_extendedprice"]},
    "q3": {"customer": ["c_custkey", "c_mktsegment"],
           "orders": ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"],
           "lineitem": ["l_orderkey", "l_shipdate", "l_extendedprice", "l_discount"]},
    "q18": {"customer": ["c_custkey", "c_name"],
            "orders": ["o_orderkey", "o_custkey", "o_orderdate", "o_totalprice"],
            "lineitem": ["l_orderkey", "l_quantity"]},
}

HEADERS = {
    "q1": "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,"
          "avg_disc,count_order",
    "q6": "revenue",
    "q3": "l_orderkey,revenue,o_orderdate,o_shippriority",
    "q18": "c_name,c_custkey,o_orderkey,o_orderdate,o_totalprice,sum_qty",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="columnar_scan peer (SPEC.md)")
    sub = parser.add_subparsers(dest="command", required=True)
    query = sub.add_parser("query")
    query.add_argument("--data", required=True, type=Path)
    query.add_argument("--query", required=True)
    query.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.query not in COLUMNS:
        fail(f"unknown query '{args.query}'; choose one of {', '.join(COLUMNS)}")
    if args.threads < 1:
        fail("--threads must be at least 1")
    for table in COLUMNS[args.query]:
        if not parquet_path(args.data, table).exists():
            fail(f"{parquet_path(args.data, table)} does not exist; generate the data with "
                 "`columnar_scan_cpp generate --sf N --out DIR --parquet`")
    return args


def parquet_path(data: Path, table: str) -> Path:
    return data / "parquet" / f"{table}.parquet"


def fail(message: str) -> None:
    print(f"columnar_scan: error: {message}", file=sys.stderr)
    sys.exit(2)


def mark(name: str) -> None:
    """Writes a mark line to the harness's pipe, if it gave one (docs/implementation_protocol.md)."""
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def cell(value) -> str:
    """One CSV field: money and averages with 2 decimals (half away from zero for exact decimals),
    dates as YYYY-MM-DD, integers and strings as they are."""
    if isinstance(value, decimal.Decimal):
        return str(value.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))
    if isinstance(value, float):
        return f"{value:.2f}"
    if hasattr(value, "strftime"):  # date, datetime, pandas Timestamp
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item") and not isinstance(value, (int, str)):  # NumPy scalars
        return cell(value.item())
    return str(value)


def write_csv(query: str, rows) -> None:
    lines = [HEADERS[query]]
    lines.extend(",".join(cell(value) for value in row) for row in rows)
    sys.stdout.write("\n".join(lines) + "\n")
