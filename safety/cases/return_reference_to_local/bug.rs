// Bug: a function returns a reference to a String it owns, which is freed when the function returns.
fn greeting(name: &str) -> &str {
    let text = format!("hello, {name}");
    &text // E0515: cannot return a reference to the local variable `text`
}

fn main() {
    println!("{}", greeting("world"));
}
