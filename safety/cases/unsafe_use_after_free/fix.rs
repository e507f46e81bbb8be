// Fix: no raw pointer; a borrow keeps the box alive for as long as it is used.
fn main() {
    let boxed = Box::new([7u64; 8]);
    let value = boxed[3];
    drop(boxed);
    let reused = vec![0u64; 8];
    println!("value = {value} (reused {})", reused[3]);
}
