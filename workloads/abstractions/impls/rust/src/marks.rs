//! Marks for the harness (docs/implementation_protocol.md): `<name> <CLOCK_MONOTONIC ns>\n` written in one
//! `write(2)` to the descriptor named by CLAIMBENCH_MARK_FD. std's `Instant` does not expose the raw clock,
//! so it is read with libc's `clock_gettime`.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;

/// The mark pipe, or none when the program is run by hand. Each mark is one short write, so marks from
/// several threads never interleave.
pub struct Marks(Option<File>);

impl Marks {
    /// Takes the descriptor CLAIMBENCH_MARK_FD names, when it is set to a number.
    pub fn from_env() -> Self {
        let fd = std::env::var("CLAIMBENCH_MARK_FD")
            .ok()
            .and_then(|value| value.parse::<i32>().ok())
            .filter(|fd| *fd >= 0);
        // SAFETY: the harness opens this descriptor for marks only and nothing else in the process uses it,
        // so this File may own it (and close it at exit).
        Marks(fd.map(|fd| unsafe { File::from_raw_fd(fd) }))
    }

    /// Writes the mark `name` stamped with the time now. A failed write is ignored: marks are advisory.
    pub fn mark(&self, name: &str) {
        if let Some(mut pipe) = self.0.as_ref() {
            let _ = pipe.write_all(format!("{name} {}\n", monotonic_ns()).as_bytes());
        }
    }
}

fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write into, and CLOCK_MONOTONIC exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}
