// Bug: an index one past the end (an off-by-one computed at run time). It compiles: Rust checks bounds
// at run time and panics.
fn main() {
    let samples = vec![5, 6, 7, 8];
    let last = samples.len() + std::env::args().count() - 1; // == len: one past the end
    println!("last = {}", samples[last]);
}
