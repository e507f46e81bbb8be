//! The implementation side of the mark protocol (docs/implementation_protocol.md): one line per mark,
//! `<name> <CLOCK_MONOTONIC ns>\n`, written with one write(2) to the descriptor in CLAIMBENCH_MARK_FD.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;

/// Where marks go: the harness's pipe, or nowhere when the proxy is run by hand.
/// Thread-safe: each mark is one write(2) of a line shorter than PIPE_BUF.
pub struct Marks {
    pipe: Option<File>,
}

impl Marks {
    /// Takes the descriptor CLAIMBENCH_MARK_FD names, if it is set to a number.
    pub fn from_env() -> Self {
        let fd = std::env::var("CLAIMBENCH_MARK_FD")
            .ok()
            .and_then(|value| value.parse::<i32>().ok())
            .filter(|fd| *fd >= 0);
        // SAFETY: the harness hands this descriptor to the process for marks and nothing else in the
        // process uses it, so owning it here (and closing it at exit) is sound.
        let pipe = fd.map(|fd| unsafe { File::from_raw_fd(fd) });
        Marks { pipe }
    }

    /// Marks `name` now. A failed write is ignored: marks are advisory.
    pub fn mark(&self, name: &str) {
        if let Some(mut pipe) = self.pipe.as_ref() {
            let _ = pipe.write_all(format!("{name} {}\n", monotonic_ns()).as_bytes());
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds, the clock the harness stamps marks with (std's Instant hides it).
fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to, and CLOCK_MONOTONIC exists on every Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}
