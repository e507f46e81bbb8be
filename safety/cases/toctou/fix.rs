// Fix: check and act under one lock acquisition.
use std::sync::{Barrier, Mutex};
use std::thread;

fn main() {
    let balance = Mutex::new(100i64);
    let start = Barrier::new(2);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                start.wait();
                let mut guard = balance.lock().unwrap();
                if *guard >= 80 {
                    *guard -= 80;
                }
            });
        }
    });
    println!("balance = {}", balance.into_inner().unwrap());
}
