// Bug: a variable is read on a path where it was never assigned.
fn main() {
    let limit: u32;
    if std::env::args().count() > 5 {
        limit = 100;
    }
    println!("limit = {limit}"); // E0381: used binding `limit` is possibly-uninitialized
}
