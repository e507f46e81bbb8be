// Bug: a function that moves every item from one list to another is given the same list twice.
fn move_all(from: &mut Vec<i32>, to: &mut Vec<i32>) {
    for item in from.iter() {
        to.push(*item);
    }
    from.clear();
}

fn main() {
    let mut items = vec![1, 2, 3];
    move_all(&mut items, &mut items); // E0499: `items` borrowed as mutable twice at once
    println!("{items:?}");
}
