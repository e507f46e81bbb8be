// Bug: the same box is dropped (freed) twice.
fn main() {
    let buffer = Box::new([0u8; 64]);
    drop(buffer);
    drop(buffer); // E0382: use of moved value `buffer`: the first drop took ownership
}
