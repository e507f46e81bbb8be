// Bug: check then act under two separate lock acquisitions (time of check to time of use): both threads
// see enough money, both withdraw, the balance goes negative. No data race, so it compiles and no tool
// sees it.
use std::sync::{Barrier, Mutex};
use std::thread;

fn main() {
    let balance = Mutex::new(100i64);
    let both_checked = Barrier::new(2); // makes the interleaving certain
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let enough = *balance.lock().unwrap() >= 80; // check (lock released here)
                both_checked.wait();
                if enough {
                    *balance.lock().unwrap() -= 80; // act, on a value that may have changed
                }
            });
        }
    });
    println!("balance = {}", balance.into_inner().unwrap());
}
