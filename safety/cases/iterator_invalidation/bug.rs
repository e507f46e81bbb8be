// Bug: a Vec grows while it is being iterated, which may move its elements under the iterator.
fn main() {
    let mut queue = vec![1, 2, 3];
    for item in &queue {
        if item % 2 == 1 {
            queue.push(item * 10); // E0502: `queue` is borrowed by the loop
        }
    }
    println!("{queue:?}");
}
