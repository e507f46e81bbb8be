// Fix: Arc, the atomic reference count.
use std::sync::Arc;
use std::thread;

fn main() {
    let config = Arc::new(String::from("shared"));
    let copy = Arc::clone(&config);
    let worker = thread::spawn(move || {
        println!("{copy}");
    });
    worker.join().unwrap();
    println!("{config}");
}
