// Bug: a vector is used after it was moved into another variable.
fn main() {
    let readings = vec![3, 1, 4];
    let archived = readings;
    println!("{} {}", archived.len(), readings[0]); // E0382: borrow of moved value `readings`
}
