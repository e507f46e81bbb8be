// Bug: a signed addition overflows. It compiles; a release build wraps silently (overflow-checks are off
// in cargo's release profile), a debug build panics.
fn main() {
    let balance: i32 = i32::MAX;
    let deposit = std::env::args().count() as i32; // 1
    println!("balance = {}", balance + deposit);
}
