// Fix: two distinct lists; the borrow checker guarantees `from` and `to` never alias.
fn move_all(from: &mut Vec<i32>, to: &mut Vec<i32>) {
    to.append(from);
}

fn main() {
    let mut items = vec![1, 2, 3];
    let mut done = Vec::new();
    move_all(&mut items, &mut done);
    println!("{items:?} {done:?}");
}
