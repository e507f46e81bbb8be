// Fix: checked arithmetic says when the result does not fit.
fn main() {
    let balance: i32 = i32::MAX;
    let deposit = std::env::args().count() as i32;
    match balance.checked_add(deposit) {
        Some(total) => println!("balance = {total}"),
        None => println!("deposit refused: the balance would overflow"),
    }
}
