// Bug: two threads increment one plain integer without synchronisation (a data race: lost updates).
use std::thread;

fn main() {
    let mut hits = 0u64;
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..100_000 {
                hits += 1;
            }
        });
        s.spawn(|| {
            // E0499: `hits` is already borrowed mutably by the first thread
            for _ in 0..100_000 {
                hits += 1;
            }
        });
    });
    println!("hits = {hits}");
}
