// Fix: the last index is len - 1 (or use .last()).
fn main() {
    let samples = vec![5, 6, 7, 8];
    let last = samples.len() + std::env::args().count() - 2;
    println!("last = {}", samples[last]);
}
