// Bug: two threads take two locks in opposite orders (A then B, B then A) and wait for each other
// forever. It compiles: Rust prevents data races, not deadlocks.
use std::sync::{Barrier, Mutex};
use std::thread;

fn main() {
    let a = Mutex::new(0);
    let b = Mutex::new(0);
    let both_hold_one = Barrier::new(2); // makes the deadlock certain, not a matter of timing
    thread::scope(|s| {
        s.spawn(|| {
            let mut first = a.lock().unwrap();
            both_hold_one.wait();
            let mut second = b.lock().unwrap();
            *first += 1;
            *second += 1;
        });
        s.spawn(|| {
            let mut first = b.lock().unwrap();
            both_hold_one.wait();
            let mut second = a.lock().unwrap();
            *first += 1;
            *second += 1;
        });
    });
    println!("done");
}
