// Bug: an Rc (a reference count that is not atomic) is cloned and dropped in two threads at once.
use std::rc::Rc;
use std::thread;

fn main() {
    let config = Rc::new(String::from("shared"));
    let copy = Rc::clone(&config);
    let worker = thread::spawn(move || {
        // E0277: `Rc<String>` cannot be sent between threads safely
        println!("{copy}");
    });
    worker.join().unwrap();
    println!("{config}");
}
