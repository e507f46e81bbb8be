//! TPC-H Q1, pricing summary report (DELTA 90): a scan of almost all of lineitem that sums quantities and
//! money per (l_returnflag, l_linestatus).
//!
//! TPC-H fixes both columns' domains (A, N, R and F, O), so the groups are a small array indexed by the
//! two bytes, not a hash map: six slots, and more for bytes outside the domain, which make the query fail
//! rather than print a group the specification cannot have. The two scaled sums are i128: sum_charge
//! (scale 6) passes 2^63 near SF 84.

use anyhow::{Result, ensure};
use rayon::prelude::*;

use crate::data_dir::{DataDir, Fixed};
use crate::decimal::{average, days, money};
use crate::hot_index::index_mut;
use crate::morsels::morsels;
use crate::query::Query;

const CUTOFF: i32 = days(1998, 12, 1) - 90;

pub const HEADER: &str = "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,avg_disc,count_order\n";

/// The printable groups, in ORDER BY order: slot = 2 * flag + status.
const FLAGS: [u8; 3] = [b'A', b'N', b'R'];
const STATUSES: [u8; 2] = [b'F', b'O'];
const VALID_SLOTS: usize = 6;
/// A byte outside the domain lands in a slot at or past VALID_SLOTS.
const OUTSIDE: u8 = 6;
const SLOTS: usize = 2 * OUTSIDE as usize + 1;

const FLAG_SLOT: [u8; 256] = domain_slots(&FLAGS, 2);
const STATUS_SLOT: [u8; 256] = domain_slots(&STATUSES, 1);
// Every byte pair's slot is a slot: what lets `scan` index the groups without a check when built unchecked.
const _: () = assert!((max(&FLAG_SLOT) as usize + max(&STATUS_SLOT) as usize) < SLOTS);

const fn max(slots: &[u8; 256]) -> u8 {
    let (mut max, mut i) = (0, 0);
    while i < slots.len() {
        if slots[i] > max {
            max = slots[i];
        }
        i += 1;
    }
    max
}

/// For every byte: its position in `domain` times `stride`, or OUTSIDE.
const fn domain_slots(domain: &[u8], stride: u8) -> [u8; 256] {
    let mut slots = [OUTSIDE; 256];
    let mut i = 0;
    while i < domain.len() {
        slots[domain[i] as usize] = i as u8 * stride;
        i += 1;
    }
    slots
}

#[derive(Clone, Copy, Default)]
struct Group {
    sum_qty: i64,        // scale 2
    sum_base_price: i64, // scale 2
    sum_discount: i64,   // scale 2
    count: i64,
    sum_disc_price: i128, // scale 4
    sum_charge: i128,     // scale 6
}

impl Group {
    fn merge(&mut self, other: &Group) {
        self.sum_qty += other.sum_qty;
        self.sum_base_price += other.sum_base_price;
        self.sum_discount += other.sum_discount;
        self.count += other.count;
        self.sum_disc_price += other.sum_disc_price;
        self.sum_charge += other.sum_charge;
    }
}

type Groups = [Group; SLOTS];

/// Q1's columns, mapped and checked.
pub struct Q1 {
    shipdate: Fixed<i32>,
    returnflag: Fixed<u8>,
    linestatus: Fixed<u8>,
    quantity: Fixed<i64>,
    extendedprice: Fixed<i64>,
    discount: Fixed<i64>,
    tax: Fixed<i64>,
}

impl Q1 {
    pub fn load(data: &DataDir) -> Result<Q1> {
        Ok(Q1 {
            shipdate: data.date("lineitem", "l_shipdate")?,
            returnflag: data.char("lineitem", "l_returnflag")?,
            linestatus: data.char("lineitem", "l_linestatus")?,
            quantity: data.decimal("lineitem", "l_quantity")?,
            extendedprice: data.decimal("lineitem", "l_extendedprice")?,
            discount: data.decimal("lineitem", "l_discount")?,
            tax: data.decimal("lineitem", "l_tax")?,
        })
    }

    /// Adds the qualifying rows of `rows` to `groups`.
    fn scan(&self, mut groups: Groups, rows: std::ops::Range<usize>) -> Groups {
        let lines = self.shipdate.values()[rows.clone()]
            .iter()
            .zip(&self.returnflag.values()[rows.clone()])
            .zip(&self.linestatus.values()[rows.clone()])
            .zip(&self.quantity.values()[rows.clone()])
            .zip(&self.extendedprice.values()[rows.clone()])
            .zip(&self.discount.values()[rows.clone()])
            .zip(&self.tax.values()[rows]);
        for ((((((&shipdate, &flag), &status), &quantity), &price), &discount), &tax) in lines {
            if shipdate > CUTOFF {
                continue;
            }
            let slot = FLAG_SLOT[usize::from(flag)] + STATUS_SLOT[usize::from(status)];
            // In bounds: below SLOTS, the length of `groups`, for any two bytes (asserted at compile time).
            let group = index_mut!(groups, usize::from(slot));
            let disc_price = price * (100 - discount); // scale 4
            group.sum_qty += quantity;
            group.sum_base_price += price;
            group.sum_discount += discount;
            group.count += 1;
            group.sum_disc_price += i128::from(disc_price);
            group.sum_charge += i128::from(disc_price) * i128::from(100 + tax);
        }
        groups
    }
}

impl Query for Q1 {
    fn run(&self) -> Result<String> {
        let rows = self.shipdate.values().len();
        let groups = morsels(rows)
            .fold(
                || [Group::default(); SLOTS],
                |groups, morsel| self.scan(groups, morsel),
            )
            .reduce(
                || [Group::default(); SLOTS],
                |mut into, from| {
                    into.iter_mut().zip(&from).for_each(|(a, b)| a.merge(b));
                    into
                },
            );
        ensure!(
            groups[VALID_SLOTS..].iter().all(|group| group.count == 0),
            "lineitem has an l_returnflag outside A, N, R or an l_linestatus outside F, O, which TPC-H data never has; regenerate the data"
        );
        Ok(format(&groups))
    }
}

fn format(groups: &Groups) -> String {
    let mut csv = String::from(HEADER);
    for (slot, group) in groups[..VALID_SLOTS].iter().enumerate() {
        if group.count == 0 {
            continue;
        }
        csv += &format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            char::from(FLAGS[slot / 2]),
            char::from(STATUSES[slot % 2]),
            money(group.sum_qty.into(), 2),
            money(group.sum_base_price.into(), 2),
            money(group.sum_disc_price, 4),
            money(group.sum_charge, 6),
            average(group.sum_qty.into(), group.count),
            average(group.sum_base_price.into(), group.count),
            average(group.sum_discount.into(), group.count),
            group.count
        );
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domains_index_six_slots_and_everything_else_lands_past_them() {
        let mut slots = Vec::new();
        for flag in FLAGS {
            for status in STATUSES {
                slots.push(usize::from(
                    FLAG_SLOT[usize::from(flag)] + STATUS_SLOT[usize::from(status)],
                ));
            }
        }
        assert_eq!(slots, (0..VALID_SLOTS).collect::<Vec<_>>());
        for (flag, status) in [(b'X', b'F'), (b'A', b'x'), (0, 0), (255, 255)] {
            let slot = usize::from(FLAG_SLOT[usize::from(flag)] + STATUS_SLOT[usize::from(status)]);
            assert!((VALID_SLOTS..SLOTS).contains(&slot), "{flag} {status}");
        }
    }

    #[test]
    fn the_cutoff_is_1998_09_02() {
        assert_eq!(crate::decimal::date(CUTOFF), "1998-09-02");
    }
}
