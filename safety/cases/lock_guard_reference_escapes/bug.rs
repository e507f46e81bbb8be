// Bug: a reference to the data behind a mutex escapes the guard, so it could be read after the lock is
// released while another thread writes.
use std::sync::Mutex;

fn peek(counter: &Mutex<u64>) -> &u64 {
    let guard = counter.lock().unwrap();
    &*guard // E0515: returns a reference to data owned by `guard`, which unlocks on return
}

fn main() {
    let counter = Mutex::new(0);
    println!("{}", peek(&counter));
}
