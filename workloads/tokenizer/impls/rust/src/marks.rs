//! Phase marks for the harness (docs/implementation_protocol.md): `ready` and `done`, each one line
//! `<name> <CLOCK_MONOTONIC ns>\n` written with one `write(2)` to the descriptor in CLAIMBENCH_MARK_FD.

use std::fs::File;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;

/// The harness's mark pipe, or nothing when the program is run by hand. Thread-safe.
pub struct Marks {
    // Never closed by us: the descriptor belongs to the harness for the whole run.
    pipe: Option<ManuallyDrop<File>>,
}

impl Marks {
    pub fn from_env() -> Self {
        let fd = std::env::var("CLAIMBENCH_MARK_FD")
            .ok()
            .and_then(|value| value.parse::<i32>().ok())
            .filter(|fd| *fd >= 0);
        // SAFETY: the harness passes this descriptor for marks only; nothing else in the process uses it,
        // and ManuallyDrop keeps it open until exit.
        let pipe = fd.map(|fd| ManuallyDrop::new(unsafe { File::from_raw_fd(fd) }));
        Marks { pipe }
    }

    /// Marks `name` now. A failed write is ignored: marks are advisory, the answer is not.
    pub fn mark(&self, name: &str) {
        if let Some(pipe) = &self.pipe {
            let line = format!("{name} {}\n", monotonic_ns());
            let _ = (&**pipe).write_all(line.as_bytes());
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds (std's `Instant` does not expose the raw clock the harness uses).
fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_MONOTONIC exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}
