// Bug: a reference into a Vec is kept across a push, which may reallocate the buffer it points into.
fn main() {
    let mut scores = vec![10, 20, 30];
    let first = &scores[0];
    scores.push(40); // E0502: `scores` is borrowed by `first`, so it cannot be mutated here
    println!("first = {first}");
}
