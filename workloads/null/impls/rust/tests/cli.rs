//! End-to-end tests of the `null` binary: the SPEC's command line, answers, marks, faults and the echo
//! service, run as the harness runs it. Marks are read from stderr (CLAIMBENCH_MARK_FD=2), so no extra
//! descriptor has to be passed to the child.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_null");

fn null(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run null")
}

/// (name, ns) of every mark line on stderr, in order.
fn marks(stderr: &[u8]) -> Vec<(String, u64)> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| {
            let (name, ns) = line.split_once(' ')?;
            Some((name.to_string(), ns.parse().ok()?))
        })
        .collect()
}

fn names(marks: &[(String, u64)]) -> Vec<&str> {
    marks.iter().map(|(name, _)| name.as_str()).collect()
}

#[test]
fn batch_prints_the_known_answers_between_ready_and_done() {
    for (units, answer) in [
        ("0", "0000000000000000"),
        ("1", "e220a8397b1dcdaf"),
        ("3", "52b7c1282f0cb818"),
    ] {
        let out = null(&["batch", "--work-units", units]);
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("checksum {answer}\n")
        );
        let marks = marks(&out.stderr);
        assert_eq!(names(&marks), ["ready", "done"]);
        assert!(marks[0].1 <= marks[1].1);
    }
}

#[test]
fn without_the_variable_no_marks_are_written() {
    let out = Command::new(BINARY)
        .args(["batch", "--work-units", "1"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["batch"][..],
        &["batch", "--work-units", "-1"],
        &["batch", "--work-units", "abc"],
        &["batch", "--work-units", "1", "--fault", "nosuch"],
        &["batch", "--work-units", "1", "--frobnicate", "1"],
        &["serve", "--listen", "nohostport"],
        &["serve", "--listen", "127.0.0.1:0"],
        &["nosuch"],
    ] {
        let out = null(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn faults_misbehave_as_the_spec_says() {
    let out = null(&["batch", "--work-units", "1", "--fault", "wrong-answer"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "checksum e220a8397b1dcdae\n"
    );
    let out = null(&["batch", "--work-units", "1", "--fault", "exit-code"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(names(&marks(&out.stderr)), ["ready", "done"]);
    let out = null(&["batch", "--work-units", "1", "--fault", "crash"]);
    assert_eq!(out.status.signal(), Some(11), "SIGSEGV");
}

#[test]
fn hang_sleeps_after_ready() {
    let mut child = spawn(&["batch", "--work-units", "1", "--fault", "hang"]);
    let first = read_mark(&mut child);
    assert_eq!(first.0, "ready");
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "still running");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_timing_lies_write_their_marks_out_of_place_but_answer_right() {
    let out = null(&["batch", "--work-units", "3", "--fault", "done-first"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "checksum 52b7c1282f0cb818\n"
    );
    assert_eq!(names(&marks(&out.stderr)), ["done", "ready"]);

    let out = null(&["batch", "--work-units", "3", "--fault", "work-after-done"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "checksum 52b7c1282f0cb818\n"
    );
    assert_eq!(names(&marks(&out.stderr)), ["ready", "done"]);

    let before = Instant::now();
    let out = null(&["batch", "--work-units", "3", "--fault", "backdate-done"]);
    assert!(
        before.elapsed() >= Duration::from_millis(150),
        "the window lasts at least 150 ms"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "checksum 52b7c1282f0cb818\n"
    );
    let marks = marks(&out.stderr);
    assert_eq!(names(&marks), ["ready", "done"]);
    let claimed = Duration::from_nanos(marks[1].1 - marks[0].1);
    assert!(
        claimed >= Duration::from_millis(50) && claimed < Duration::from_millis(140),
        "{claimed:?}"
    );
}

fn spawn(args: &[&str]) -> Child {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn null")
}

fn read_mark(child: &mut Child) -> (String, u64) {
    let mut line = String::new();
    BufReader::new(child.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (name, ns) = line.trim_end().split_once(' ').expect("a mark line");
    (name.to_string(), ns.parse().unwrap())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `null serve`, stopped with SIGTERM on drop if the test did not stop it.
struct Service {
    child: Child,
    port: u16,
}

impl Service {
    fn start(delay_ms: &str) -> Service {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = spawn(&["serve", "--listen", &listen, "--delay-ms", delay_ms]);
        assert_eq!(read_mark(&mut child).0, "ready");
        Service { child, port }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running 1 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn round_trip(stream: &mut TcpStream, line: &[u8]) -> Vec<u8> {
    stream.write_all(line).unwrap();
    let mut answer = vec![0; line.len()];
    stream.read_exact(&mut answer).unwrap();
    answer
}

#[test]
fn serve_echoes_lines_byte_for_byte_and_exits_0_on_sigterm() {
    let mut service = Service::start("0");
    let mut a = service.connect();
    let mut b = service.connect();
    assert_eq!(round_trip(&mut a, b"hello\n"), b"hello\n");
    assert_eq!(
        round_trip(&mut b, b"\x00\xff binary \r\n"),
        b"\x00\xff binary \r\n"
    );
    let long = [vec![b'x'; 60_000], b"\n".to_vec()].concat();
    assert_eq!(round_trip(&mut a, &long), long);
    // Two lines in one packet come back as two answers.
    assert_eq!(round_trip(&mut b, b"one\ntwo\n"), b"one\ntwo\n");
    let status = service.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn a_line_over_64_kib_closes_only_its_connection() {
    let service = Service::start("0");
    let mut good = service.connect();
    let mut bad = service.connect();
    let _ = bad.write_all(&vec![b'y'; 70 * 1024]);
    let mut rest = Vec::new();
    let _ = bad.read_to_end(&mut rest); // EOF (or reset) once the service closes it
    assert!(rest.is_empty());
    assert_eq!(round_trip(&mut good, b"still here\n"), b"still here\n");
}

#[test]
fn a_delayed_response_does_not_hold_up_other_connections() {
    let service = Service::start("300");
    let mut a = service.connect();
    let mut b = service.connect();
    let start = Instant::now();
    a.write_all(b"a\n").unwrap();
    b.write_all(b"b\n").unwrap();
    let mut answer = [0u8; 2];
    a.read_exact(&mut answer).unwrap();
    b.read_exact(&mut answer).unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(550),
        "both waited in parallel: {elapsed:?}"
    );
}
