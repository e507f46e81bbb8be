// Fix: the value itself leaves the block, not a reference to it.
fn main() {
    let total: u64;
    {
        let sum: u64 = (1..=10).sum();
        total = sum;
    }
    println!("total = {total}");
}
