// Bug: a reference to a variable of an inner block is used after the block ended.
fn main() {
    let total: &u64;
    {
        let sum: u64 = (1..=10).sum();
        total = &sum; // E0597: `sum` does not live long enough
    }
    println!("total = {total}");
}
