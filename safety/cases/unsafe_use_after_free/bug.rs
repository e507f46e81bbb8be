// Bug: a raw pointer outlives the box it points into and is read in an `unsafe` block after the box is
// freed. It compiles: the borrow checker does not track raw pointers, and `unsafe` is the programmer's
// promise that the read is valid. Nothing reports it at run time in a release build (Miri or a
// nightly-only -Zsanitizer=address would).
fn main() {
    let boxed = Box::new([7u64; 8]);
    let raw: *const u64 = boxed.as_ptr();
    drop(boxed);
    let reused = vec![0u64; 8]; // likely takes the freed block
    let value = unsafe { *raw.add(3) };
    println!("value = {value} (reused {})", reused[3]);
}
