//! The workload's kernels (SPEC.md, "The kernels") in two styles with the same signatures: `loops`
//! (indexed loops, what a C programmer writes) and `iter` (iterator adapters and closures, what a Rust
//! programmer writes). The program calls a style's kernels through a [`KernelSet`] of function pointers
//! chosen at run time, so each kernel is compiled on its own, as a library function is, and nothing but the
//! kernel differs between the two styles. A third set, `dynamic` (the same pipelines behind trait objects),
//! is the contrast: an abstraction that does cost, measured the same way.
//!
//! Every kernel is pure and returns one pass's result; with at most 2^22 elements nothing overflows.

pub mod dynamic;
// The iterator style lives in its implementation's own folder (impls/rust_iter/), built into this program:
// each implementation folder holds its own style's source, and the harness's build case edits it there.
#[path = "../../../rust_iter/src/iter.rs"]
pub mod iter;
pub mod loops;

/// One style's kernels.
pub struct KernelSet {
    /// Sum of `v * v` over the even values.
    pub sum_even_squares: fn(&[u32]) -> u64,
    /// Sum of `a[i] * b[i]`; the slices have the same length.
    pub dot_product: fn(&[u32], &[u32]) -> u64,
    /// Collects `3v + 1` for each `v` divisible by 3, then returns the sum of `(j + 1) * out[j]`.
    pub filter_map_collect: fn(&[u32]) -> u64,
    /// Builds `y = matrix * x` (row-major, `x.len()` columns) and returns the sum of `y`.
    pub matvec: fn(&[u32], &[u32]) -> u64,
    /// Splits at `' '`, drops empty pieces, returns the sum of the squared word lengths.
    pub word_lengths: fn(&str) -> u64,
}

pub const LOOPS: KernelSet = KernelSet {
    sum_even_squares: loops::sum_even_squares,
    dot_product: loops::dot_product,
    filter_map_collect: loops::filter_map_collect,
    matvec: loops::matvec,
    word_lengths: loops::word_lengths,
};

pub const ITER: KernelSet = KernelSet {
    sum_even_squares: iter::sum_even_squares,
    dot_product: iter::dot_product,
    filter_map_collect: iter::filter_map_collect,
    matvec: iter::matvec,
    word_lengths: iter::word_lengths,
};

pub const DYNAMIC: KernelSet = KernelSet {
    sum_even_squares: dynamic::sum_even_squares,
    dot_product: dynamic::dot_product,
    filter_map_collect: dynamic::filter_map_collect,
    matvec: dynamic::matvec,
    word_lengths: dynamic::word_lengths,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::SplitMix64;

    fn styles() -> [(&'static str, KernelSet); 3] {
        [("loops", LOOPS), ("iter", ITER), ("dyn", DYNAMIC)]
    }

    #[test]
    fn known_answers() {
        for (style, k) in styles() {
            let big = 65_535u64;
            assert_eq!(
                (k.sum_even_squares)(&[1, 2, 3, 4, 65_535, 65_534]),
                4 + 16 + (big - 1) * (big - 1),
                "{style}"
            );
            assert_eq!((k.sum_even_squares)(&[]), 0, "{style}");
            assert_eq!(
                (k.dot_product)(&[65_535, 2, 3], &[65_535, 5, 7]),
                big * big + 10 + 21,
                "{style}"
            );
            // kept: 3, 6, 0 -> 10, 19, 1
            assert_eq!(
                (k.filter_map_collect)(&[3, 1, 6, 2, 0]),
                10 + 2 * 19 + 3,
                "{style}"
            );
            assert_eq!(
                (k.matvec)(&[1, 2, 3, 4, 5, 6], &[1, 10, 100]),
                321 + 654,
                "{style}"
            );
            assert_eq!((k.matvec)(&[1, 2, 3, 4, 5, 6], &[2]), 42, "{style}");
            assert_eq!((k.word_lengths)("ab  c   defg"), 4 + 1 + 16, "{style}");
            assert_eq!((k.word_lengths)("  ab "), 4, "{style}");
            assert_eq!((k.word_lengths)(""), 0, "{style}");
            assert_eq!((k.word_lengths)("   "), 0, "{style}");
        }
    }

    #[test]
    fn styles_agree_on_seeded_inputs() {
        for seed in 1..=3 {
            let mut draws = SplitMix64::new(seed);
            let a = draws.values(1000 + seed as usize);
            let b = draws.values(a.len());
            let text = draws.text(5000);
            for (style, k) in styles() {
                assert_eq!(
                    (k.sum_even_squares)(&a),
                    (LOOPS.sum_even_squares)(&a),
                    "{style}"
                );
                assert_eq!(
                    (k.dot_product)(&a, &b),
                    (LOOPS.dot_product)(&a, &b),
                    "{style}"
                );
                assert_eq!(
                    (k.filter_map_collect)(&a),
                    (LOOPS.filter_map_collect)(&a),
                    "{style}"
                );
                assert_eq!(
                    (k.matvec)(&a[..1000], &b[..8]),
                    (LOOPS.matvec)(&a[..1000], &b[..8]),
                    "{style}"
                );
                assert_eq!(
                    (k.word_lengths)(&text),
                    (LOOPS.word_lengths)(&text),
                    "{style}"
                );
            }
        }
    }
}
