//! End-to-end tests of the `http_proxy` binary as the harness runs it: the command line, the `ready` mark,
//! forwarding through a tiny origin (keep-alive pool, round-robin, headers), a refusal on the wire, and
//! SIGTERM with an idle keep-alive connection open. Marks are read from stderr (CLAIMBENCH_MARK_FD=2).
//! The RFC-named conformance tests are the reference's (impls/cpp/proxy_test.cc), run against this binary
//! by impl.toml's [test] command.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_http_proxy");

/// A tiny origin: answers every request on a connection with 200 and the request head it received as
/// the body, plus `X-Origin: <name>`; counts the connections it accepted.
struct Origin {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Origin {
    fn start(name: &'static str) -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || answer_each_request(stream, name));
            }
        });
        Origin { port, accepted }
    }
}

fn answer_each_request(stream: TcpStream, name: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nX-Origin: {name}\r\nContent-Length: {}\r\n\r\n{head}",
            head.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A started proxy that has marked `ready`; killed when dropped.
struct Proxy {
    child: Child,
    port: u16,
}

impl Proxy {
    fn start(upstreams: &[u16], extra: &[&str]) -> Proxy {
        let port = free_port();
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("CLAIMBENCH_MARK_FD", "2")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for upstream in upstreams {
            command.args(["--upstream", &format!("127.0.0.1:{upstream}")]);
        }
        let mut child = command.args(extra).spawn().expect("start the proxy");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert!(line.starts_with("ready "), "first mark: {line:?}");
        Proxy { child, port }
    }

    /// A client connection whose reads give up after 5 s, so that a hung proxy fails the test.
    fn connect(&self) -> TcpStream {
        let address = format!("127.0.0.1:{}", self.port).parse().unwrap();
        let client = TcpStream::connect_timeout(&address, Duration::from_secs(2)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one response with a Content-Length body; returns (head, body).
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, String) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "closed after {head:?}"
        );
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .map_or(0, |value| value.trim().parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = format!("127.0.0.1:{}", taken.local_addr().unwrap().port());
    for args in [
        &[
            "serve",
            "--listen",
            taken.as_str(),
            "--upstream",
            "127.0.0.1:1",
        ][..],
        &[],
        &["serve"],
        &["serve", "--listen", "127.0.0.1:1"],
        &[
            "serve",
            "--listen",
            "nohostport",
            "--upstream",
            "127.0.0.1:1",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:1",
            "--upstream",
            "127.0.0.1:0",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:1",
            "--upstream",
            "127.0.0.1:1",
            "--threads",
            "0",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:1",
            "--upstream",
            "127.0.0.1:1",
            "--idle-timeout-ms",
            "x",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:1",
            "--upstream",
            "127.0.0.1:1",
            "--frobnicate",
            "1",
        ],
        &[
            "serve",
            "--listen",
            "no.such.host.invalid:1",
            "--upstream",
            "127.0.0.1:1",
        ],
        &["proxy"],
    ] {
        let out = Command::new(BINARY).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.lines().next().is_some_and(|line| !line.is_empty()),
            "{args:?}"
        );
    }
}

#[test]
fn forwards_over_a_pooled_connection_round_robin_with_rewritten_headers() {
    let (a, b) = (Origin::start("a"), Origin::start("b"));
    let proxy = Proxy::start(&[a.port, b.port], &[]);
    let client = proxy.connect();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut writer = client;
    let mut origins = Vec::new();
    for i in 0..4 {
        let request = format!(
            "GET /r/{i} HTTP/1.1\r\nHost: example\r\nConnection: keep-alive, X-Private\r\nX-Private: s\r\n\
             X-Forwarded-For: 10.0.0.1\r\n\r\n"
        );
        writer.write_all(request.as_bytes()).unwrap();
        let (head, body) = read_response(&mut reader);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        origins.push(head.contains("X-Origin: a"));
        assert!(
            body.starts_with(&format!("GET /r/{i} HTTP/1.1\r\n")),
            "{body}"
        );
        assert!(
            body.contains("\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"),
            "{body}"
        );
        assert!(
            !body.contains("X-Private") && !body.contains("Connection"),
            "{body}"
        );
    }
    assert_eq!(origins, [true, false, true, false]);
    // Each origin saw one upstream connection: the pool reused it.
    assert_eq!(a.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(b.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn an_ambiguous_request_gets_400_naming_its_section_and_a_close() {
    let origin = Origin::start("a");
    let proxy = Proxy::start(&[origin.port], &["--threads", "2"]);
    let mut client = proxy.connect();
    client
        .write_all(
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        )
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap(); // ends: the proxy closed
    assert!(
        response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{response}"
    );
    assert!(response.contains("Connection: close\r\n"), "{response}");
    assert!(response.ends_with("(RFC 9112 section 6.3)\n"), "{response}");
    assert_eq!(origin.accepted.load(Ordering::SeqCst), 0);
}

#[test]
fn a_refused_upstream_is_502() {
    let proxy = Proxy::start(&[free_port()], &[]);
    let mut client = proxy.connect();
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 502 "), "{response}");
}

#[test]
fn sigterm_exits_0_at_once_with_an_idle_keep_alive_connection_open() {
    let origin = Origin::start("a");
    let mut proxy = Proxy::start(&[origin.port], &["--threads", "2"]);
    let client = proxy.connect();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    (&client)
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    read_response(&mut reader);
    let started = Instant::now();
    // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
    assert_eq!(
        unsafe { libc::kill(proxy.child.id() as libc::pid_t, libc::SIGTERM) },
        0
    );
    let status = loop {
        if let Some(status) = proxy.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(2), "still running");
        thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(0));
    let _ = client.shutdown(Shutdown::Both);
}
