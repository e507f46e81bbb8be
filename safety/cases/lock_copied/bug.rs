// Bug: each thread is given its own copy of the lock over a counter they share. In Rust the data lives
// inside the Mutex and a Mutex cannot be copied or cloned, so there is no lock to copy apart from its data.
use std::sync::Mutex;
use std::thread;

fn main() {
    let hits = Mutex::new(0u64);
    thread::scope(|s| {
        for _ in 0..2 {
            let mine = hits.clone(); // E0599: no method `clone` on `Mutex<u64>`
            s.spawn(move || *mine.lock().unwrap() += 1);
        }
    });
    println!("hits = {}", hits.into_inner().unwrap());
}
