// Fix: return the String itself; ownership moves to the caller.
fn greeting(name: &str) -> String {
    format!("hello, {name}")
}

fn main() {
    println!("{}", greeting("world"));
}
