// Fix: a Mutex, the thread-safe interior mutability.
use std::sync::Mutex;
use std::thread;

fn main() {
    let log = Mutex::new(Vec::new());
    thread::scope(|s| {
        for id in 0..2 {
            let log = &log;
            s.spawn(move || log.lock().unwrap().push(id));
        }
    });
    println!("{:?}", log.lock().unwrap().len());
}
