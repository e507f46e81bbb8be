"""columnar_scan in Polars (Rust engine) (SPEC.md): the Parquet columns a query reads loaded into
DataFrames before `ready`, money kept in Polars' exact Decimal type, then each query as a lazy expression,
collected."""

import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402

args = peer_common.parse_args(sys.argv[1:])
os.environ["POLARS_MAX_THREADS"] = str(args.threads)  # read when polars is imported
import polars as pl  # noqa: E402


def load(table: str) -> pl.DataFrame:
    frame = pl.read_parquet(peer_common.parquet_path(args.data, table), columns=peer_common.COLUMNS[args.query][table])
    # Polars gives a product of decimals the larger of the two scales, rounding away the rest, so the rates
    # are held at scale 6: price (2) x (1 - discount) x (1 + tax) then stays exact, as SPEC.md asks.
    rates = [name for name in ("l_discount", "l_tax") if name in frame.columns]
    return frame.with_columns(pl.col(rates).cast(pl.Decimal(38, 6))) if rates else frame


def q1(t):
    return (
        t["lineitem"].lazy()
        .filter(pl.col("l_shipdate") <= date(1998, 9, 2))
        .group_by("l_returnflag", "l_linestatus")
        .agg(
            pl.col("l_quantity").sum().alias("sum_qty"),
            pl.col("l_extendedprice").sum().alias("sum_base_price"),
            (pl.col("l_extendedprice") * (1 - pl.col("l_discount"))).sum().alias("sum_disc_price"),
            (pl.col("l_extendedprice") * (1 - pl.col("l_discount")) * (1 + pl.col("l_tax"))).sum().alias("sum_charge"),
            pl.col("l_quantity").mean().alias("avg_qty"),
            pl.col("l_extendedprice").mean().alias("avg_price"),
            pl.col("l_discount").mean().alias("avg_disc"),
            pl.len().alias("count_order"),
        )
        .sort("l_returnflag", "l_linestatus")
    )


def q6(t):
    return (
        t["lineitem"].lazy()
        .filter(
            pl.col("l_shipdate").is_between(date(1994, 1, 1), date(1995, 1, 1), closed="left")
            & pl.col("l_discount").is_between(Decimal("0.05"), Decimal("0.07"))
            & (pl.col("l_quantity") < 24)
        )
        .select((pl.col("l_extendedprice") * pl.col("l_discount")).sum().alias("revenue"))
    )


def q3(t):
    customer = t["customer"].lazy().filter(pl.col("c_mktsegment") == "BUILDING")
    orders = t["orders"].lazy().filter(pl.col("o_orderdate") < date(1995, 3, 15))
    lineitem = t["lineitem"].lazy().filter(pl.col("l_shipdate") > date(1995, 3, 15))
    return (
        customer.join(orders, left_on="c_custkey", right_on="o_custkey")
        .join(lineitem, left_on="o_orderkey", right_on="l_orderkey")
        .group_by("o_orderkey", "o_orderdate", "o_shippriority")
        .agg((pl.col("l_extendedprice") * (1 - pl.col("l_discount"))).sum().alias("revenue"))
        .sort(["revenue", "o_orderdate", "o_orderkey"], descending=[True, False, False])
        .head(10)
        .select("o_orderkey", "revenue", "o_orderdate", "o_shippriority")
    )


def q18(t):
    lineitem = t["lineitem"].lazy()
    per_order = lineitem.group_by("l_orderkey").agg(pl.col("l_quantity").sum().alias("sum_qty"))
    big = per_order.filter(pl.col("sum_qty") > 300)
    return (
        t["orders"].lazy()
        .join(big, left_on="o_orderkey", right_on="l_orderkey")
        .join(t["customer"].lazy(), left_on="o_custkey", right_on="c_custkey")
        .sort(["o_totalprice", "o_orderdate", "o_orderkey"], descending=[True, False, False])
        .head(100)
        .select("c_name", pl.col("o_custkey"), "o_orderkey", "o_orderdate", "o_totalprice", "sum_qty")
    )


def main() -> None:
    tables = {table: load(table) for table in peer_common.COLUMNS[args.query]}
    peer_common.mark("ready")
    result = {"q1": q1, "q6": q6, "q3": q3, "q18": q18}[args.query](tables).collect()
    peer_common.mark("done")
    peer_common.write_csv(args.query, result.iter_rows())


main()
