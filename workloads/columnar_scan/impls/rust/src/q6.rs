//! TPC-H Q6, forecasting revenue change (DATE 1994-01-01, DISCOUNT 0.06, QUANTITY 24): a selective scan
//! (about 2% of lineitem) with one sum.
//!
//! The discount bounds are exact hundredths (5..=7), never 0.06 +/- 0.01 in binary floating point, whose
//! sum is below 0.07. A morsel's revenue fits i64 (a row adds at most 7 * price, and TPC-H's prices are
//! below 2^24 hundredths, so a morsel stays below 2^43); the morsels are summed in i128.

use std::ops::Range;

use anyhow::Result;
use rayon::prelude::*;

use crate::data_dir::{DataDir, Fixed};
use crate::decimal::{days, money};
use crate::morsels::morsels;
use crate::query::Query;

const SHIPPED: Range<i32> = days(1994, 1, 1)..days(1995, 1, 1);
const DISCOUNT: std::ops::RangeInclusive<i64> = 5..=7; // 0.06 +/- 0.01, in hundredths
const QUANTITY_BELOW: i64 = 2400; // 24, in hundredths

pub const HEADER: &str = "revenue\n";

/// Q6's columns, mapped and checked.
pub struct Q6 {
    shipdate: Fixed<i32>,
    discount: Fixed<i64>,
    quantity: Fixed<i64>,
    extendedprice: Fixed<i64>,
}

impl Q6 {
    pub fn load(data: &DataDir) -> Result<Q6> {
        Ok(Q6 {
            shipdate: data.date("lineitem", "l_shipdate")?,
            discount: data.decimal("lineitem", "l_discount")?,
            quantity: data.decimal("lineitem", "l_quantity")?,
            extendedprice: data.decimal("lineitem", "l_extendedprice")?,
        })
    }

    /// The revenue of the qualifying rows of `rows`, at scale 4.
    fn revenue(&self, rows: Range<usize>) -> i64 {
        self.shipdate.values()[rows.clone()]
            .iter()
            .zip(&self.discount.values()[rows.clone()])
            .zip(&self.quantity.values()[rows.clone()])
            .zip(&self.extendedprice.values()[rows])
            .filter(|&(((shipdate, discount), &quantity), _)| {
                SHIPPED.contains(shipdate)
                    && DISCOUNT.contains(discount)
                    && quantity < QUANTITY_BELOW
            })
            .map(|(((_, &discount), _), &price)| price * discount)
            .sum()
    }
}

impl Query for Q6 {
    fn run(&self) -> Result<String> {
        let rows = self.shipdate.values().len();
        let revenue: i128 = morsels(rows)
            .map(|morsel| i128::from(self.revenue(morsel)))
            .sum();
        Ok(format!("{HEADER}{}\n", money(revenue, 4)))
    }
}
