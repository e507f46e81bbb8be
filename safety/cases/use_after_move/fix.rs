// Fix: read what is needed before the move (or clone when both are needed).
fn main() {
    let readings = vec![3, 1, 4];
    let first = readings[0];
    let archived = readings;
    println!("{} {}", archived.len(), first);
}
