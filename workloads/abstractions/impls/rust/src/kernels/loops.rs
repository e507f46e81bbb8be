//! The hand-written style: indexed loops with `v[i]`, pushing into a growing `Vec`, as a C programmer
//! writes them. Indexing is bounds-checked, as safe Rust is; `dot_product` states its precondition with an
//! `assert_eq!` up front, as a careful hand-written function does, which also lets the compiler drop the
//! per-element checks.
#![allow(clippy::needless_range_loop)] // indexed loops are this style's point

pub fn sum_even_squares(values: &[u32]) -> u64 {
    let mut total = 0;
    for i in 0..values.len() {
        let v = values[i] as u64;
        if v % 2 == 0 {
            total += v * v;
        }
    }
    total
}

pub fn dot_product(a: &[u32], b: &[u32]) -> u64 {
    assert_eq!(a.len(), b.len(), "dot_product needs slices of one length");
    let mut total = 0;
    for i in 0..a.len() {
        total += a[i] as u64 * b[i] as u64;
    }
    total
}

pub fn filter_map_collect(values: &[u32]) -> u64 {
    let mut out = Vec::new();
    for i in 0..values.len() {
        if values[i] % 3 == 0 {
            out.push(3 * values[i] + 1);
        }
    }
    let mut total = 0;
    for j in 0..out.len() {
        total += (j as u64 + 1) * out[j] as u64;
    }
    total
}

pub fn matvec(matrix: &[u32], x: &[u32]) -> u64 {
    let columns = x.len();
    let rows = matrix.len() / columns;
    let mut y = vec![0u64; rows];
    for r in 0..rows {
        let mut sum = 0;
        for c in 0..columns {
            sum += matrix[r * columns + c] as u64 * x[c] as u64;
        }
        y[r] = sum;
    }
    let mut total = 0;
    for r in 0..rows {
        total += y[r];
    }
    total
}

pub fn word_lengths(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut total = 0;
    let mut length = 0u64;
    for i in 0..bytes.len() {
        if bytes[i] == b' ' {
            total += length * length; // an empty piece adds 0
            length = 0;
        } else {
            length += 1;
        }
    }
    total + length * length
}
