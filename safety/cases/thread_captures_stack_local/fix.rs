// Fix: the thread owns its state (`move`) and hands the result back through join.
use std::thread;

fn start() -> thread::JoinHandle<u64> {
    thread::spawn(move || {
        let mut progress = 0u64;
        for _ in 0..1000 {
            progress += 1;
        }
        progress
    })
}

fn main() {
    println!("progress = {}", start().join().unwrap());
}
