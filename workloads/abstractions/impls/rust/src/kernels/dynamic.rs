//! The contrast: the iterator style's pipelines with every adapter and closure behind a trait object
//! (`Box<dyn Iterator>`, `&dyn Fn`), as code does that builds a pipeline at run time, stores callbacks, or
//! returns one of several iterators from a function. Generics are monomorphised and inlined (`iter`);
//! trait objects are called through a vtable once per element, which the optimiser cannot see through. The
//! pair `rust_dyn`/`rust_iter` shows what the harness measures when an abstraction does cost.

/// A type-erased stream of items.
type Stream<'a, T> = Box<dyn Iterator<Item = T> + 'a>;

fn keep<'a, T: 'a>(items: Stream<'a, T>, predicate: &'a dyn Fn(&T) -> bool) -> Stream<'a, T> {
    Box::new(items.filter(predicate))
}

fn apply<'a, T: 'a, U: 'a>(items: Stream<'a, T>, f: &'a dyn Fn(T) -> U) -> Stream<'a, U> {
    Box::new(items.map(f))
}

fn widened(values: &[u32]) -> Stream<'_, u64> {
    Box::new(values.iter().map(|&v| u64::from(v)))
}

pub fn sum_even_squares(values: &[u32]) -> u64 {
    apply(keep(widened(values), &|v| v % 2 == 0), &|v| v * v).sum()
}

pub fn dot_product(a: &[u32], b: &[u32]) -> u64 {
    let pairs: Stream<(&u32, &u32)> = Box::new(a.iter().zip(b));
    apply(pairs, &|(&x, &y)| u64::from(x) * u64::from(y)).sum()
}

pub fn filter_map_collect(values: &[u32]) -> u64 {
    let all: Stream<u32> = Box::new(values.iter().copied());
    let out: Vec<u32> = apply(keep(all, &|v| v % 3 == 0), &|v| 3 * v + 1).collect();
    let numbered: Stream<(&u32, u64)> = Box::new(out.iter().zip(1u64..));
    apply(numbered, &|(&y, j)| j * u64::from(y)).sum()
}

pub fn matvec(matrix: &[u32], x: &[u32]) -> u64 {
    let rows: Stream<&[u32]> = Box::new(matrix.chunks_exact(x.len()));
    let y: Vec<u64> = apply(rows, &|row| dot_product(row, x)).collect();
    let products: Stream<u64> = Box::new(y.into_iter());
    products.sum()
}

pub fn word_lengths(text: &str) -> u64 {
    let pieces: Stream<&str> = Box::new(text.split(' '));
    apply(keep(pieces, &|word| !word.is_empty()), &|word| {
        (word.len() as u64).pow(2)
    })
    .sum()
}
