// Fix: bind the String to a variable that lives as long as the slice.
fn main() {
    let owned = String::from("temporary");
    let name: &str = owned.as_str();
    println!("{name}");
}
