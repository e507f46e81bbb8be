//! TPC-H Q3, shipping priority (SEGMENT BUILDING, DATE 1995-03-15): a three-way join with selective
//! filters on both sides, a group-by on l_orderkey and a top 10.
//!
//! Hash joins, built and probed morsel by morsel: the BUILDING customers' keys in a hash set, the
//! qualifying orders (the build side) numbered in a hash map from orderkey to a slot, then one pass over
//! lineitem (the probe side) in which each thread sums revenue into its own array of slots, merged at
//! the end. FxHash (rustc-hash) on std's SwissTable maps: integer keys need no DoS-resistant hash.

use std::ops::Range;

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::data_dir::{DataDir, Fixed, Strings};
use crate::decimal::{date, days, money};
use crate::hot_index::{index, index_mut};
use crate::morsels::morsels;
use crate::query::Query;
use crate::top::top;

const SEGMENT: &[u8] = b"BUILDING";
const DATE: i32 = days(1995, 3, 15);
const TOP: usize = 10;

pub const HEADER: &str = "l_orderkey,revenue,o_orderdate,o_shippriority\n";

/// Q3's columns, mapped and checked.
pub struct Q3 {
    c_custkey: Fixed<i32>,
    c_mktsegment: Strings,
    o_orderkey: Fixed<i64>,
    o_custkey: Fixed<i32>,
    o_orderdate: Fixed<i32>,
    o_shippriority: Fixed<i32>,
    l_orderkey: Fixed<i64>,
    l_shipdate: Fixed<i32>,
    l_extendedprice: Fixed<i64>,
    l_discount: Fixed<i64>,
}

/// A qualifying order: the build side of the join with lineitem.
struct Candidate {
    orderkey: i64,
    orderdate: i32,
    shippriority: i32,
}

/// One candidate's share of the probe: its revenue (scale 4) and how many lines made it, so that an
/// order none of whose lines qualify is dropped (an inner join) whatever its revenue.
#[derive(Clone, Copy, Default)]
struct Revenue {
    sum: i64,
    lines: u32,
}

struct Row {
    orderkey: i64,
    revenue: i64, // scale 4
    orderdate: i32,
    shippriority: i32,
}

impl Q3 {
    pub fn load(data: &DataDir) -> Result<Q3> {
        Ok(Q3 {
            c_custkey: data.int32("customer", "c_custkey")?,
            c_mktsegment: data.string("customer", "c_mktsegment")?,
            o_orderkey: data.int64("orders", "o_orderkey")?,
            o_custkey: data.int32("orders", "o_custkey")?,
            o_orderdate: data.date("orders", "o_orderdate")?,
            o_shippriority: data.int32("orders", "o_shippriority")?,
            l_orderkey: data.int64("lineitem", "l_orderkey")?,
            l_shipdate: data.date("lineitem", "l_shipdate")?,
            l_extendedprice: data.decimal("lineitem", "l_extendedprice")?,
            l_discount: data.decimal("lineitem", "l_discount")?,
        })
    }

    /// The qualifying orders in orders' row order.
    fn candidates(&self) -> Vec<Candidate> {
        let custkey = self.c_custkey.values();
        let building: FxHashSet<i32> = morsels(custkey.len())
            .flat_map_iter(|rows| {
                // In bounds: `row` is below the length of `custkey`, whose rows the morsels cut.
                rows.filter(|&row| self.c_mktsegment.get(row) == SEGMENT)
                    .map(|row| *index!(custkey, row))
            })
            .collect();
        let (orderkey, custkey) = (self.o_orderkey.values(), self.o_custkey.values());
        let (orderdate, shippriority) = (self.o_orderdate.values(), self.o_shippriority.values());
        morsels(orderkey.len())
            .flat_map_iter(|rows| {
                // In bounds: `row` is below the length of `orderkey`, and every column of a table has its
                // row count (manifest.rs's `check_column`, `DataDir::map`).
                rows.filter(|&row| {
                    *index!(orderdate, row) < DATE && building.contains(index!(custkey, row))
                })
                .map(|row| Candidate {
                    orderkey: *index!(orderkey, row),
                    orderdate: *index!(orderdate, row),
                    shippriority: *index!(shippriority, row),
                })
            })
            .collect()
    }

    /// Adds the revenue of the lines of `rows` shipped after DATE to their orders' slots.
    fn probe(
        &self,
        mut revenue: Vec<Revenue>,
        rows: Range<usize>,
        slot_of: &FxHashMap<i64, usize>,
    ) -> Vec<Revenue> {
        let lines = self.l_orderkey.values()[rows.clone()]
            .iter()
            .zip(&self.l_shipdate.values()[rows.clone()])
            .zip(&self.l_extendedprice.values()[rows.clone()])
            .zip(&self.l_discount.values()[rows]);
        for (((orderkey, &shipdate), &price), &discount) in lines {
            if shipdate <= DATE {
                continue;
            }
            if let Some(&slot) = slot_of.get(orderkey) {
                // In bounds: `slot_of` maps each candidate to its position, and `revenue` has one entry
                // per candidate (`run`).
                let order = index_mut!(revenue, slot);
                order.sum += price * (100 - discount);
                order.lines += 1;
            }
        }
        revenue
    }
}

impl Query for Q3 {
    fn run(&self) -> Result<String> {
        let candidates = self.candidates();
        // A key that repeats (never in TPC-H data) keeps its last qualifying order.
        let slot_of: FxHashMap<i64, usize> = candidates
            .iter()
            .enumerate()
            .map(|(slot, candidate)| (candidate.orderkey, slot))
            .collect();
        let revenue = morsels(self.l_orderkey.values().len())
            .fold(
                || vec![Revenue::default(); candidates.len()],
                |revenue, rows| self.probe(revenue, rows, &slot_of),
            )
            .reduce_with(|mut into, from| {
                for (a, b) in into.iter_mut().zip(from) {
                    a.sum += b.sum;
                    a.lines += b.lines;
                }
                into
            })
            .unwrap_or_default();
        let mut rows: Vec<Row> = candidates
            .iter()
            .zip(revenue)
            .filter(|(_, revenue)| revenue.lines > 0)
            .map(|(candidate, revenue)| Row {
                orderkey: candidate.orderkey,
                revenue: revenue.sum,
                orderdate: candidate.orderdate,
                shippriority: candidate.shippriority,
            })
            .collect();
        top(&mut rows, TOP, |a, b| {
            b.revenue
                .cmp(&a.revenue)
                .then(a.orderdate.cmp(&b.orderdate))
                .then(a.orderkey.cmp(&b.orderkey))
        });
        let mut csv = String::from(HEADER);
        for row in &rows {
            csv += &format!(
                "{},{},{},{}\n",
                row.orderkey,
                money(row.revenue.into(), 4),
                date(row.orderdate),
                row.shippriority
            );
        }
        Ok(csv)
    }
}
