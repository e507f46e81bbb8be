// Fix: copy the value out while the guard is held.
use std::sync::Mutex;

fn peek(counter: &Mutex<u64>) -> u64 {
    *counter.lock().unwrap()
}

fn main() {
    let counter = Mutex::new(0);
    std::thread::scope(|s| {
        s.spawn(|| *counter.lock().unwrap() += 1);
        s.spawn(|| println!("{}", peek(&counter)));
    });
}
