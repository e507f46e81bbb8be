//! `null batch`: compute the checksum between the `ready` and `done` marks, then print it.

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use clap::ValueEnum;

use crate::checksum::checksum;
use crate::marks::Marks;

/// The ways SPEC.md's `--fault` makes an implementation misbehave, so the harness's handling of a broken
/// port can be tested on this one.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum Fault {
    /// Die by SIGSEGV after `ready`.
    Crash,
    /// Sleep forever after `ready`.
    Hang,
    /// Print a checksum with one bit flipped.
    WrongAnswer,
    /// Exit 3 after `done`.
    ExitCode,
    /// Allocate and touch memory without bound.
    Oom,
    /// Stamp `done` 100 ms before the moment it is written (after at least 150 ms of window).
    BackdateDone,
    /// Write `done` before `ready`, then work.
    DoneFirst,
    /// Write `ready` and `done` back to back, then work.
    WorkAfterDone,
}

const CHUNK_BYTES: usize = 64 << 20;
const PAGE_BYTES: usize = 4096;

pub fn run(work_units: u64, delay: Duration, fault: Option<Fault>, marks: &Marks) -> ExitCode {
    if fault == Some(Fault::DoneFirst) {
        marks.mark("done");
    }
    marks.mark("ready");
    let ready_at = Instant::now();
    if fault == Some(Fault::WorkAfterDone) {
        marks.mark("done");
    }
    match fault {
        Some(Fault::Crash) => crash(),
        Some(Fault::Hang) => loop {
            thread::sleep(Duration::from_secs(3600));
        },
        Some(Fault::Oom) => hoard_memory(),
        _ => {}
    }
    let mut answer = checksum(work_units);
    if !delay.is_zero() {
        thread::sleep(delay);
    }
    if fault == Some(Fault::WrongAnswer) {
        answer ^= 1;
    }
    match fault {
        Some(Fault::BackdateDone) => {
            if let Some(rest) = Duration::from_millis(150).checked_sub(ready_at.elapsed()) {
                thread::sleep(rest);
            }
            marks.mark_backdated("done", Duration::from_millis(100));
        }
        Some(Fault::DoneFirst | Fault::WorkAfterDone) => {}
        _ => marks.mark("done"),
    }
    println!("checksum {answer:016x}");
    if fault == Some(Fault::ExitCode) {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

fn crash() -> ! {
    // std installs a SIGSEGV handler to report stack overflows; restore the default so the signal kills.
    // SAFETY: plain libc calls with valid arguments; nothing runs after the signal is delivered.
    unsafe {
        libc::signal(libc::SIGSEGV, libc::SIG_DFL);
        libc::raise(libc::SIGSEGV);
    }
    unreachable!("SIGSEGV with its default action terminates the process")
}

fn hoard_memory() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; CHUNK_BYTES];
        // Zeroed allocations are not resident until written: touch every page.
        for byte in chunk.iter_mut().step_by(PAGE_BYTES) {
            *byte = 1;
        }
        hoard.push(chunk);
    }
}
