// Fix: an atomic counter shared by reference.
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

fn main() {
    let hits = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    hits.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    println!("hits = {}", hits.into_inner());
}
