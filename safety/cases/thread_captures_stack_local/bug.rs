// Bug: a thread borrows a local of the function that starts it, and the function returns before the
// thread is done.
use std::thread;

fn start() -> thread::JoinHandle<()> {
    let mut progress = 0u64;
    thread::spawn(|| {
        // E0373: the closure may outlive `start`, but it borrows `progress`
        for _ in 0..1000 {
            progress += 1;
        }
    })
}

fn main() {
    start().join().unwrap();
}
