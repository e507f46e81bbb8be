// Bug: a RefCell (run-time borrow flag, not thread-safe) is shared by two threads that both mutate it.
// Cell has the same problem and the same error.
use std::cell::RefCell;
use std::thread;

fn main() {
    let log = RefCell::new(Vec::new());
    thread::scope(|s| {
        for id in 0..2 {
            // E0277: `RefCell<Vec<i32>>` cannot be shared between threads safely (it is not Sync)
            s.spawn(|| log.borrow_mut().push(id));
        }
    });
    println!("{:?}", log.borrow());
}
