//! Indexing in a Rust port's hot loops: checked, as everywhere else, unless the port's `unchecked` cargo
//! feature is on. One file for every port that has the feature (each includes it with `#[path]`).
//!
//! The feature is off in the ports' own builds. It exists for the diagnostic implementations
//! `rust_unchecked` (docs/hardening.md, claim F3): a port's crate whose hot loops index without bounds
//! checks, so that a paired run beside the port says what Rust's checks cost it. No port ships like this:
//! hand-written `unsafe` in a hot loop would make it `tuned` (docs/implementation_rules.md, rule 5).
//! Without the feature `index!(s, i)` is `&s[i]`, the code as it would be written without this module.
//!
//! Every use follows a comment beginning "In bounds" that proves the index below the length: the unchecked
//! build's soundness rests on it (and on `debug_assert!` in its debug builds, which tests run).

/// `&$slice[$index]`: checked (a panic out of bounds) unless the `unchecked` feature is on.
#[cfg(not(feature = "unchecked"))]
macro_rules! index {
    ($slice:expr, $index:expr) => {
        &$slice[$index]
    };
}

/// `&mut $slice[$index]`: checked (a panic out of bounds) unless the `unchecked` feature is on.
#[cfg(not(feature = "unchecked"))]
macro_rules! index_mut {
    ($slice:expr, $index:expr) => {
        &mut $slice[$index]
    };
}

/// `&$slice[$index]` without the bounds check: the use's "In bounds" comment is the proof.
#[cfg(feature = "unchecked")]
macro_rules! index {
    ($slice:expr, $index:expr) => {{
        let (slice, index): (&[_], usize) = (&$slice[..], $index);
        debug_assert!(index < slice.len(), "{index} >= length {}", slice.len());
        // SAFETY: `index < slice.len()`, proved at every use ("In bounds").
        unsafe { slice.get_unchecked(index) }
    }};
}

/// `&mut $slice[$index]` without the bounds check: the use's "In bounds" comment is the proof.
#[cfg(feature = "unchecked")]
macro_rules! index_mut {
    ($slice:expr, $index:expr) => {{
        let (slice, index): (&mut [_], usize) = (&mut $slice[..], $index);
        debug_assert!(index < slice.len(), "{index} >= length {}", slice.len());
        // SAFETY: `index < slice.len()`, proved at every use ("In bounds").
        unsafe { slice.get_unchecked_mut(index) }
    }};
}

#[allow(unused_imports)] // a port may use only one of the two
pub(crate) use {index, index_mut};

#[cfg(test)]
mod tests {
    #[test]
    fn reads_and_writes_like_the_index_operator() {
        let mut values = Vec::from([10, 20, 30]);
        *index_mut!(values, 0) += 1;
        assert_eq!((*index!(values, 0), *index!(values, 2)), (11, 30));
    }

    // Out of bounds is a panic in the default build and in the unchecked build's debug builds (its
    // debug_assert!); only the unchecked release build trusts the proofs.
    #[test]
    #[cfg(any(not(feature = "unchecked"), debug_assertions))]
    #[should_panic]
    fn out_of_bounds_panics_where_checked() {
        let values = Vec::from([1, 2, 3]);
        let beyond = values.len();
        let _ = index!(values, beyond);
    }
}
