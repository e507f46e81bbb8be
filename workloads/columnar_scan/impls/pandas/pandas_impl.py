"""columnar_scan in plain pandas (SPEC.md): the 'typical Python' baseline. The Parquet columns a query
reads become DataFrames before `ready` (money as float64, dates as datetime64, as most pandas code has
them); the queries are boolean masks, merge and groupby. Single-threaded: pandas has no thread option."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peer_support"))
import peer_common  # noqa: E402

args = peer_common.parse_args(sys.argv[1:])
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


def load(table: str) -> pd.DataFrame:
    arrow = pq.read_table(peer_common.parquet_path(args.data, table), columns=peer_common.COLUMNS[args.query][table])
    for index, field in enumerate(arrow.schema):
        if pa.types.is_decimal(field.type):  # to_pandas would make Python Decimal objects
            arrow = arrow.set_column(index, field.name, arrow.column(index).cast(pa.float64()))
    frame = arrow.to_pandas()
    for name, field in zip(arrow.column_names, arrow.schema, strict=True):
        if pa.types.is_date(field.type):
            frame[name] = pd.to_datetime(frame[name])
    return frame


def q1(t):
    li = t["lineitem"]
    li = li[li.l_shipdate <= pd.Timestamp("1998-09-02")]
    disc_price = li.l_extendedprice * (1 - li.l_discount)
    li = li.assign(disc_price=disc_price, charge=disc_price * (1 + li.l_tax))
    g = li.groupby(["l_returnflag", "l_linestatus"], sort=True)
    out = g.agg(sum_qty=("l_quantity", "sum"), sum_base_price=("l_extendedprice", "sum"),
                sum_disc_price=("disc_price", "sum"), sum_charge=("charge", "sum"), avg_qty=("l_quantity", "mean"),
                avg_price=("l_extendedprice", "mean"), avg_disc=("l_discount", "mean"),
                count_order=("l_quantity", "size")).reset_index()
    return out.itertuples(index=False)


def q6(t):
    li = t["lineitem"]
    mask = ((li.l_shipdate >= pd.Timestamp("1994-01-01")) & (li.l_shipdate < pd.Timestamp("1995-01-01"))
            & (li.l_discount >= 0.05) & (li.l_discount <= 0.07) & (li.l_quantity < 24))
    return [((li.l_extendedprice[mask] * li.l_discount[mask]).sum(),)]


def q3(t):
    c, o, li = t["customer"], t["orders"], t["lineitem"]
    c = c[c.c_mktsegment == "BUILDING"]
    o = o[o.o_orderdate < pd.Timestamp("1995-03-15")]
    li = li[li.l_shipdate > pd.Timestamp("1995-03-15")]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    g = j.groupby(["l_orderkey", "o_orderdate", "o_shippriority"], as_index=False).revenue.sum()
    g = g.sort_values(["revenue", "o_orderdate", "l_orderkey"], ascending=[False, True, True]).head(10)
    return g[["l_orderkey", "revenue", "o_orderdate", "o_shippriority"]].itertuples(index=False)


def q18(t):
    c, o, li = t["customer"], t["orders"], t["lineitem"]
    qty = li.groupby("l_orderkey", as_index=False).l_quantity.sum()
    qty = qty[qty.l_quantity > 300]
    j = o.merge(qty, left_on="o_orderkey", right_on="l_orderkey").merge(c, left_on="o_custkey", right_on="c_custkey")
    j = j.sort_values(["o_totalprice", "o_orderdate", "o_orderkey"], ascending=[False, True, True]).head(100)
    return j[["c_name", "c_custkey", "o_orderkey", "o_orderdate", "o_totalprice", "l_quantity"]].itertuples(index=False)


def main() -> None:
    tables = {table: load(table) for table in peer_common.COLUMNS[args.query]}
    peer_common.mark("ready")
    rows = list({"q1": q1, "q6": q6, "q3": q3, "q18": q18}[args.query](tables))
    peer_common.mark("done")
    peer_common.write_csv(args.query, rows)


main()
