//! The `ready` mark (docs/implementation_protocol.md): "ready <CLOCK_MONOTONIC ns>\n" in one write to the
//! descriptor named by CLAIMBENCH_MARK_FD; nothing when it is unset (run by hand).

pub fn mark_ready() {
    let Some(fd) = std::env::var("CLAIMBENCH_MARK_FD")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) } != 0 {
        return;
    }
    let line = format!("ready {}\n", now.tv_sec * 1_000_000_000 + now.tv_nsec);
    // SAFETY: writes from a live buffer to a descriptor we do not own and do not close. A failed mark is
    // ignored: marks are advisory.
    let _ = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
}
