// Fix: every thread borrows the one Mutex.
use std::sync::Mutex;
use std::thread;

fn main() {
    let hits = Mutex::new(0u64);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| *hits.lock().unwrap() += 1);
        }
    });
    println!("hits = {}", hits.into_inner().unwrap());
}
