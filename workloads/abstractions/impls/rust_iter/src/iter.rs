//! The high-level style: iterator adapters and closures (`filter`, `map`, `zip`, `chunks_exact`, `split`,
//! `sum`, `collect`), what a Rust programmer writes without thinking about speed. No bounds to check: the
//! iterators carry them.

pub fn sum_even_squares(values: &[u32]) -> u64 {
    values
        .iter()
        .map(|&v| u64::from(v))
        .filter(|v| v % 2 == 0)
        .map(|v| v * v)
        .sum()
}

fn widened_dot(a: &[u32], b: &[u32]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| u64::from(x) * u64::from(y))
        .sum()
}

pub fn dot_product(a: &[u32], b: &[u32]) -> u64 {
    widened_dot(a, b)
}

pub fn filter_map_collect(values: &[u32]) -> u64 {
    let out: Vec<u32> = values
        .iter()
        .filter(|&&v| v % 3 == 0)
        .map(|&v| 3 * v + 1)
        .collect();
    out.iter().zip(1u64..).map(|(&y, j)| j * u64::from(y)).sum()
}

pub fn matvec(matrix: &[u32], x: &[u32]) -> u64 {
    let y: Vec<u64> = matrix
        .chunks_exact(x.len())
        .map(|row| widened_dot(row, x))
        .collect();
    y.iter().sum()
}

pub fn word_lengths(text: &str) -> u64 {
    text.split(' ')
        .filter(|word| !word.is_empty())
        .map(|word| (word.len() as u64).pow(2))
        .sum()
}
