// Bug: a string slice borrows a temporary String that is freed at the end of the statement.
fn main() {
    let name: &str = String::from("temporary").as_str(); // E0716: temporary value dropped while borrowed
    println!("{name}");
}
