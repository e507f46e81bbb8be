//! TPC-H Q18, large volume customer (QUANTITY 300): a group-by on l_orderkey with one group per order
//! (1.5 million per SF, far beyond the caches), a semi-join back to orders, a join to customer and a
//! top 100.
//!
//! The group-by is a hash aggregation: each thread folds its morsels of lineitem into its own FxHashMap
//! from orderkey to quantity, and the maps are merged, the smaller into the larger. Only the few orders
//! past the threshold (57 at SF 1) go on to the joins, which are hash lookups too.

use std::ops::Range;

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::data_dir::{DataDir, Fixed, Strings};
use crate::decimal::{date, money};
use crate::hot_index::index;
use crate::morsels::morsels;
use crate::query::Query;
use crate::top::top;

const QUANTITY_ABOVE: i64 = 30_000; // 300, in hundredths
const TOP: usize = 100;

pub const HEADER: &str = "c_name,c_custkey,o_orderkey,o_orderdate,o_totalprice,sum_qty\n";

/// Q18's columns, mapped and checked.
pub struct Q18 {
    c_custkey: Fixed<i32>,
    c_name: Strings,
    o_orderkey: Fixed<i64>,
    o_custkey: Fixed<i32>,
    o_orderdate: Fixed<i32>,
    o_totalprice: Fixed<i64>,
    l_orderkey: Fixed<i64>,
    l_quantity: Fixed<i64>,
}

/// An order whose lines passed the threshold.
struct LargeOrder {
    custkey: i32,
    orderkey: i64,
    orderdate: i32,
    totalprice: i64,   // scale 2
    sum_quantity: i64, // scale 2
}

type QuantityByOrder = FxHashMap<i64, i64>;

impl Q18 {
    pub fn load(data: &DataDir) -> Result<Q18> {
        Ok(Q18 {
            c_custkey: data.int32("customer", "c_custkey")?,
            c_name: data.string("customer", "c_name")?,
            o_orderkey: data.int64("orders", "o_orderkey")?,
            o_custkey: data.int32("orders", "o_custkey")?,
            o_orderdate: data.date("orders", "o_orderdate")?,
            o_totalprice: data.decimal("orders", "o_totalprice")?,
            l_orderkey: data.int64("lineitem", "l_orderkey")?,
            l_quantity: data.decimal("lineitem", "l_quantity")?,
        })
    }

    fn add_quantities(&self, mut sums: QuantityByOrder, rows: Range<usize>) -> QuantityByOrder {
        let lines = self.l_orderkey.values()[rows.clone()]
            .iter()
            .zip(&self.l_quantity.values()[rows]);
        for (&orderkey, &quantity) in lines {
            *sums.entry(orderkey).or_insert(0) += quantity;
        }
        sums
    }

    /// The orders whose lines sum to more than the threshold, in orders' row order.
    fn large_orders(&self) -> Vec<LargeOrder> {
        let quantity_by_order = morsels(self.l_orderkey.values().len())
            .fold(QuantityByOrder::default, |sums, rows| {
                self.add_quantities(sums, rows)
            })
            .reduce_with(merge)
            .unwrap_or_default();
        let large: QuantityByOrder = quantity_by_order
            .into_iter()
            .filter(|&(_, quantity)| quantity > QUANTITY_ABOVE)
            .collect();
        let (orderkey, custkey) = (self.o_orderkey.values(), self.o_custkey.values());
        let (orderdate, totalprice) = (self.o_orderdate.values(), self.o_totalprice.values());
        morsels(orderkey.len())
            .flat_map_iter(|rows| {
                // In bounds: `row` is below the length of `orderkey`, and every column of a table has its
                // row count (manifest.rs's `check_column`, `DataDir::map`).
                rows.filter_map(|row| {
                    let &sum_quantity = large.get(index!(orderkey, row))?;
                    Some(LargeOrder {
                        custkey: *index!(custkey, row),
                        orderkey: *index!(orderkey, row),
                        orderdate: *index!(orderdate, row),
                        totalprice: *index!(totalprice, row),
                        sum_quantity,
                    })
                })
            })
            .collect()
    }
}

/// The sums of both maps, key by key; the smaller is folded into the larger.
fn merge(a: QuantityByOrder, b: QuantityByOrder) -> QuantityByOrder {
    let (mut into, from) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    // Room first: inserting a table's keys in its own bucket order into a fuller table with the same
    // (unseeded) hash clusters them into long probe sequences: without it Q18 took about 1.5x the CPU.
    into.reserve(from.len());
    for (orderkey, quantity) in from {
        *into.entry(orderkey).or_insert(0) += quantity;
    }
    into
}

impl Query for Q18 {
    fn run(&self) -> Result<String> {
        let mut orders = self.large_orders();
        let wanted: FxHashSet<i32> = orders.iter().map(|order| order.custkey).collect();
        let custkey = self.c_custkey.values();
        // A custkey that repeats (never in TPC-H data) keeps its last row.
        let customer_row: FxHashMap<i32, usize> = morsels(custkey.len())
            .flat_map_iter(|rows| {
                rows.filter(|&row| wanted.contains(&custkey[row]))
                    .map(|row| (custkey[row], row))
            })
            .collect();
        orders.retain(|order| customer_row.contains_key(&order.custkey));
        top(&mut orders, TOP, |a, b| {
            b.totalprice
                .cmp(&a.totalprice)
                .then(a.orderdate.cmp(&b.orderdate))
                .then(a.orderkey.cmp(&b.orderkey))
        });
        let mut csv = String::from(HEADER);
        for order in &orders {
            let name = self.c_name.get(customer_row[&order.custkey]);
            csv += &format!(
                "{},{},{},{},{},{}\n",
                String::from_utf8_lossy(name),
                order.custkey,
                order.orderkey,
                date(order.orderdate),
                money(order.totalprice.into(), 2),
                money(order.sum_quantity.into(), 2)
            );
        }
        Ok(csv)
    }
}
