//! The `ready` mark of docs/implementation_protocol.md, written once Pingora's listener accepts
//! connections. Pingora binds its listeners inside `Server::run_forever` and reports a listening service
//! "ready" before it binds, so a short-lived thread polls the address instead, as the nginx and HAProxy
//! peers' wrapper does (../../peer_support/peer_args.sh).

use std::fs::File;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{FromRawFd, RawFd};
use std::thread;
use std::time::{Duration, Instant};

/// How often the address is tried, and for how long at most (then no mark: the harness's start-up
/// timeout reports the proxy as not ready).
const POLL_EVERY: Duration = Duration::from_millis(5);
const GIVE_UP_AFTER: Duration = Duration::from_secs(30);

/// Spawns the thread that writes `ready` once `listen` accepts a connection. Does nothing when
/// CLAIMBENCH_MARK_FD is unset (the proxy run by hand).
pub fn mark_when_listening(listen: SocketAddr) {
    let fd: RawFd = match std::env::var("CLAIMBENCH_MARK_FD").map(|value| value.parse()) {
        Ok(Ok(fd)) if fd >= 0 => fd,
        _ => return,
    };
    thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < GIVE_UP_AFTER {
            if TcpStream::connect_timeout(&listen, Duration::from_millis(100)).is_ok() {
                // SAFETY: the descriptor is the harness's and stays open for the process's life;
                // ManuallyDrop keeps this File from closing it.
                let mut marks = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
                // No stamp: the harness stamps the line when it arrives, and the poll that found the
                // listener is what this mark reports (the protocol makes the stamp optional).
                // One write(2) of a line shorter than PIPE_BUF; a failed write is ignored (marks are
                // advisory).
                let _ = marks.write_all(b"ready\n");
                return;
            }
            thread::sleep(POLL_EVERY);
        }
    });
}
