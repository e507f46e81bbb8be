// Fix: collect what to add first, then extend after the loop.
fn main() {
    let mut queue = vec![1, 2, 3];
    let extra: Vec<i32> = queue
        .iter()
        .filter(|item| *item % 2 == 1)
        .map(|item| item * 10)
        .collect();
    queue.extend(extra);
    println!("{queue:?}");
}
