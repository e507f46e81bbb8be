// Fix: use the value while the box is alive, drop it afterwards.
fn main() {
    let boxed = Box::new(42);
    let value = &*boxed;
    println!("value = {value}");
    drop(boxed);
}
