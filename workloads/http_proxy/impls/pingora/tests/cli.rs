//! End-to-end tests of the `pingora_proxy` binary as the harness runs it: usage errors, the YAML it
//! writes into its working directory, the `ready` mark, forwarding through tiny origins (round-robin,
//! keep-alive, X-Forwarded-For), a refused upstream, and SIGTERM with an idle keep-alive connection open.
//! Marks are read from stderr (CLAIMBENCH_MARK_FD=2). The reference's conformance suite
//! (impls/cpp/proxy_test.cc) is not run here: this is a peer, and README.md records what it passes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_pingora_proxy");

/// Reads one message head, CRLF lines up to the empty one; None when the peer closed first.
fn read_head(reader: &mut impl BufRead) -> Option<String> {
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        if reader.read_line(&mut head).ok()? == 0 {
            return None;
        }
    }
    Some(head)
}

/// Starts an origin on a free port that answers every request with 200, `X-Origin: <name>` and the
/// request head it received as the body. Returns its port and a count of the connections it accepted.
fn echo_origin(name: &'static str) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    thread::spawn(move || {
        for connection in listener.incoming().flatten() {
            counted.fetch_add(1, SeqCst);
            thread::spawn(move || {
                let mut requests = BufReader::new(&connection);
                while let Some(head) = read_head(&mut requests) {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nX-Origin: {name}\r\nContent-Length: {}\r\n\r\n{head}",
                        head.len()
                    );
                    if (&connection).write_all(answer.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, connections)
}

/// A port nothing listens on (the listener is closed again at once).
fn unused_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// A fresh, empty working directory for one proxy (the harness gives each run its own).
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pingora_proxy-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running proxy that has written its `ready` mark; killed when dropped.
struct Proxy {
    process: Child,
    port: u16,
}

impl Proxy {
    fn start(dir: &Path, upstreams: &[u16]) -> Proxy {
        let port = unused_port();
        let mut command = Command::new(BINARY);
        command.current_dir(dir).env("CLAIMBENCH_MARK_FD", "2");
        command.args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--threads",
            "2",
        ]);
        for upstream in upstreams {
            command
                .arg("--upstream")
                .arg(format!("127.0.0.1:{upstream}"));
        }
        let mut process = command.stderr(Stdio::piped()).spawn().unwrap();
        let mut first_line = String::new();
        BufReader::new(process.stderr.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        assert_eq!(first_line, "ready\n");
        Proxy { process, port }
    }

    /// A client whose reads fail after 5 s, so that a proxy that never answers fails the test.
    fn client(&self) -> BufReader<TcpStream> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("listening once ready");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        BufReader::new(stream)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Sends `request` and reads one response with a Content-Length body: (head, body).
fn exchange(client: &mut BufReader<TcpStream>, request: &str) -> (String, String) {
    client.get_mut().write_all(request.as_bytes()).unwrap();
    let head = read_head(client).expect("a response before the close");
    let length = head
        .lines()
        .filter_map(|line| line.split_once(": "))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, value)| value.parse().unwrap());
    let mut body = String::new();
    client.take(length).read_to_string(&mut body).unwrap();
    (head, body)
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = scratch_dir("usage");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    for args in [
        &["serve"][..],
        &["serve", "--listen", "127.0.0.1:0"],
        &["serve", "--listen", "nonsense", "--upstream", "127.0.0.1:9"],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "127.0.0.1:9",
            "--threads",
            "x",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "127.0.0.1:9",
            "--bogus",
            "1",
        ],
        &["serve", "--listen", &taken, "--upstream", "127.0.0.1:9"],
        &["proxy"],
    ] {
        let output = Command::new(BINARY)
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("pingora_proxy: "), "{args:?}: {stderr}");
    }
}

#[test]
fn writes_its_configuration_into_the_working_directory() {
    let dir = scratch_dir("conf");
    let (origin, _) = echo_origin("a");
    let _proxy = Proxy::start(&dir, &[origin]);
    let yaml = std::fs::read_to_string(dir.join("pingora.yaml")).unwrap();
    assert!(yaml.contains("threads: 2\n"), "{yaml}");
    assert!(yaml.contains("grace_period_seconds: 0\n"), "{yaml}");
    let pid_file = dir.join("pingora.pid");
    assert!(
        yaml.contains(&format!("pid_file: {pid_file:?}\n")),
        "{yaml}"
    );
}

#[test]
fn forwards_round_robin_over_kept_alive_connections_with_x_forwarded_for() {
    let dir = scratch_dir("forward");
    let ((a, a_connections), (b, b_connections)) = (echo_origin("a"), echo_origin("b"));
    let proxy = Proxy::start(&dir, &[a, b]);
    let mut client = proxy.client();
    let mut served_by_a = 0;
    for i in 0..6 {
        let request = format!(
            "GET /r/{i} HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: 192.0.2.7\r\n\r\n"
        );
        let (head, body) = exchange(&mut client, &request);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            body.starts_with(&format!("GET /r/{i} HTTP/1.1\r\n")),
            "{body}"
        );
        assert!(
            body.contains("X-Forwarded-For: 192.0.2.7, 127.0.0.1\r\n"),
            "{body}"
        );
        assert!(body.contains("Host: example.test\r\n"), "{body}");
        served_by_a += usize::from(head.contains("X-Origin: a\r\n"));
    }
    assert_eq!(served_by_a, 3, "round-robin over two origins");
    // One request at a time: each origin's one connection went back to the pool and was reused.
    assert_eq!(
        (a_connections.load(SeqCst), b_connections.load(SeqCst)),
        (1, 1)
    );
}

#[test]
fn a_refused_upstream_is_502() {
    let dir = scratch_dir("refused");
    let proxy = Proxy::start(&dir, &[unused_port()]);
    let (head, _) = exchange(
        &mut proxy.client(),
        "GET /r/1 HTTP/1.1\r\nHost: example.test\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 502"), "{head}");
}

#[test]
fn sigterm_exits_0_at_once_with_an_idle_keep_alive_connection_open() {
    let dir = scratch_dir("sigterm");
    let (origin, _) = echo_origin("a");
    let mut proxy = Proxy::start(&dir, &[origin]);
    let mut client = proxy.client();
    exchange(
        &mut client,
        "GET /r/1 HTTP/1.1\r\nHost: example.test\r\n\r\n",
    );
    // The connection is now idle between requests.
    let started = Instant::now();
    let pid = proxy.process.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = loop {
        if let Some(status) = proxy.process.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "still running 2 s after SIGTERM"
        );
        thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
}
