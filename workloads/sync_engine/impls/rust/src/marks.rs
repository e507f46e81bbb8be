//! Marks for the harness (docs/implementation_protocol.md): `ready` and `done`, each one line
//! `<name> <CLOCK_MONOTONIC ns>\n` written in one `write(2)` to the descriptor CLAIMBENCH_MARK_FD names.

use std::fs::File;
use std::io::Write;
use std::os::fd::BorrowedFd;

/// The mark descriptor, borrowed for the whole process (the harness keeps it open); none when the
/// program runs by hand. Thread-safe: a mark is one write of a line shorter than PIPE_BUF.
pub struct Marks {
    fd: Option<BorrowedFd<'static>>,
}

impl Marks {
    pub fn from_env() -> Self {
        let raw = std::env::var("CLAIMBENCH_MARK_FD")
            .ok()
            .and_then(|text| text.parse::<i32>().ok());
        Marks {
            // SAFETY: the harness opens this descriptor for the process's marks and keeps it open until
            // the process exits; nothing here closes it.
            fd: raw
                .filter(|fd| *fd >= 0)
                .map(|fd| unsafe { BorrowedFd::borrow_raw(fd) }),
        }
    }

    /// Writes the mark `name` stamped now. A failed write is ignored: marks are advisory.
    pub fn mark(&self, name: &str) {
        let Some(fd) = self.fd else { return };
        let line = format!("{name} {}\n", clock_monotonic_ns());
        if let Ok(owned) = fd.try_clone_to_owned() {
            let _ = File::from(owned).write_all(line.as_bytes());
        }
    }
}

/// The harness's clock; `Instant` does not expose its raw value, so libc's `clock_gettime` reads it.
fn clock_monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64
}
