// Fix: copy the element out before the push, so nothing points into the old buffer.
fn main() {
    let mut scores = vec![10, 20, 30];
    let first = scores[0];
    scores.push(40);
    println!("first = {first}, len = {}", scores.len());
}
