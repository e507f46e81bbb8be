// Bug: a reference to a boxed value is used after the box is dropped (freed).
fn main() {
    let boxed = Box::new(42);
    let value = &*boxed;
    drop(boxed); // E0505: cannot move `boxed` out while `value` borrows it
    println!("value = {value}");
}
