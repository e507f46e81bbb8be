// Fix: every path assigns it (here as an expression).
fn main() {
    let limit: u32 = if std::env::args().count() > 5 {
        100
    } else {
        10
    };
    println!("limit = {limit}");
}
