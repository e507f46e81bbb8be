//! The `ready` mark of docs/implementation_protocol.md: the line `<name> <CLOCK_MONOTONIC ns>\n`, written
//! in one write(2) to the descriptor that CLAIMBENCH_MARK_FD names.

use std::os::fd::RawFd;

/// Writes the mark `name` stamped with the time now; does nothing when CLAIMBENCH_MARK_FD is unset (the
/// proxy run by hand). A failed write is ignored: marks are advisory. Thread-safe (one write(2) of a line
/// shorter than PIPE_BUF).
pub fn mark(name: &str) {
    let Some(fd) = std::env::var("CLAIMBENCH_MARK_FD")
        .ok()
        .and_then(|value| value.parse::<RawFd>().ok())
        .filter(|&fd| fd >= 0)
    else {
        return;
    };
    let line = format!("{name} {}\n", monotonic_ns());
    // SAFETY: the buffer is valid for `line.len()` bytes; the descriptor is the harness's, which the
    // process never closes, and a bad one only makes write(2) fail with EBADF.
    let _ = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
}

/// CLOCK_MONOTONIC in nanoseconds, the clock the harness stamps marks with (std's Instant hides it).
fn monotonic_ns() -> u64 {
    let mut now = std::mem::MaybeUninit::<libc::timespec>::uninit();
    // SAFETY: clock_gettime fills the timespec, and CLOCK_MONOTONIC exists on every Linux.
    let now = unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, now.as_mut_ptr());
        now.assume_init()
    };
    u64::try_from(now.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(now.tv_nsec).unwrap_or(0)
}
