//! Morsel-driven parallelism: a table's rows cut into fixed morsels that rayon's work-stealing pool
//! hands to its threads, each folding into a thread-local partial state that is merged at the end.
//! Every partial is exact (integers, or hash maps of integers), so the answer never depends on the
//! thread count or on which thread took which morsel.

use std::ops::Range;

use rayon::prelude::*;

/// Rows per morsel: 2^16, large enough that a morsel's scheduling is noise against its scan (one
/// lineitem morsel of Q1 is about 2.5 MB of columns), small enough that a slow thread is helped out.
pub const MORSEL_ROWS: usize = 1 << 16;

/// The row ranges of `rows` rows, morsel by morsel, as a rayon parallel iterator (run it inside the
/// pool that is to do the work).
pub fn morsels(rows: usize) -> impl IndexedParallelIterator<Item = Range<usize>> {
    (0..rows.div_ceil(MORSEL_ROWS))
        .into_par_iter()
        .map(move |morsel| morsel * MORSEL_ROWS..rows.min((morsel + 1) * MORSEL_ROWS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morsels_cover_every_row_once_in_order() {
        for rows in [0, 1, MORSEL_ROWS - 1, MORSEL_ROWS, 3 * MORSEL_ROWS + 5] {
            let ranges: Vec<Range<usize>> = morsels(rows).collect();
            let rows_seen: Vec<usize> = ranges.iter().flat_map(|range| range.clone()).collect();
            assert_eq!(rows_seen, (0..rows).collect::<Vec<_>>());
            assert!(
                ranges
                    .iter()
                    .all(|range| range.len() <= MORSEL_ROWS && !range.is_empty())
            );
        }
    }
}
