// Fix: drop it once; ownership makes a second drop impossible to write.
fn main() {
    let buffer = Box::new([0u8; 64]);
    println!("first byte = {}", buffer[0]);
    drop(buffer);
}
