// Fix: both threads take the locks in the same order.
use std::sync::{Barrier, Mutex};
use std::thread;

fn main() {
    let a = Mutex::new(0);
    let b = Mutex::new(0);
    let start = Barrier::new(2);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                start.wait();
                let mut first = a.lock().unwrap();
                let mut second = b.lock().unwrap();
                *first += 1;
                *second += 1;
            });
        }
    });
    println!(
        "a = {}, b = {}",
        a.into_inner().unwrap(),
        b.into_inner().unwrap()
    );
}
