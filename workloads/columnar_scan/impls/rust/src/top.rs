//! ORDER BY ... LIMIT n: the first rows of a result in a total order, without sorting all of it.

use std::cmp::Ordering;

/// Keeps the first `limit` of `rows` in `order`, sorted: a selection, then a sort of what is kept.
pub fn top<T>(rows: &mut Vec<T>, limit: usize, order: impl Fn(&T, &T) -> Ordering) {
    if rows.len() > limit {
        if limit == 0 {
            rows.clear();
            return;
        }
        rows.select_nth_unstable_by(limit - 1, &order);
        rows.truncate(limit);
    }
    rows.sort_unstable_by(order);
}

#[cfg(test)]
mod tests {
    use super::top;

    #[test]
    fn top_keeps_the_first_in_order_sorted() {
        let mut rows = vec![5, 3, 9, 1, 7, 3];
        top(&mut rows, 3, |a, b| b.cmp(a));
        assert_eq!(rows, [9, 7, 5]);
        let mut few = vec![2, 1];
        top(&mut few, 10, |a, b| a.cmp(b));
        assert_eq!(few, [1, 2]);
        top(&mut few, 0, |a, b| a.cmp(b));
        assert!(few.is_empty());
    }
}
