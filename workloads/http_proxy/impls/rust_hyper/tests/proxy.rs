//! End-to-end tests of the `http_proxy` binary as the harness runs it, with hyper on both sides of it: an
//! in-process hyper origin that echoes the request's fields, and a hyper client connection. They check
//! the command line, the `ready` mark, round-robin over pooled upstream connections, the header
//! rewriting, 502 for a refused upstream, and SIGTERM with an idle keep-alive connection open.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

const BINARY: &str = env!("CARGO_BIN_EXE_http_proxy");

/// An origin on a free port: answers each request with `x-origin: <name>` and, as the body, one line per
/// request field (`name: value`). Returns its address and the number of connections it has accepted.
async fn start_origin(name: &'static str) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let accepted = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::SeqCst);
            let echo = service_fn(move |request: Request<Incoming>| async move {
                let fields: String = request
                    .headers()
                    .iter()
                    .map(|(field, value)| format!("{field}: {}\n", value.to_str().unwrap()))
                    .collect();
                Ok::<_, hyper::Error>(
                    Response::builder()
                        .header("x-origin", name)
                        .header("connection", "x-private")
                        .header("x-private", "1")
                        .body(Full::new(Bytes::from(fields)))
                        .unwrap(),
                )
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), echo);
            tokio::spawn(connection);
        }
    });
    (address, connections)
}

/// Starts the proxy in front of `upstreams` and waits for its `ready` mark (sent to stderr).
fn start_proxy(upstreams: &[SocketAddr]) -> (Child, SocketAddr) {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = probe.local_addr().unwrap();
    drop(probe);
    let mut command = Command::new(BINARY);
    command.args(["serve", "--listen", &listen.to_string(), "--threads", "2"]);
    for upstream in upstreams {
        command.args(["--upstream", &upstream.to_string()]);
    }
    let mut proxy = command
        .env("CLAIMBENCH_MARK_FD", "2")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut mark = String::new();
    let mut stderr = std::io::BufReader::new(proxy.stderr.take().unwrap());
    std::io::BufRead::read_line(&mut stderr, &mut mark).unwrap();
    assert_eq!(mark, "ready\n");
    (proxy, listen)
}

/// One keep-alive client connection to the proxy.
async fn connect(proxy: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = TcpStream::connect(proxy).await.unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

/// Sends a GET for `path` with `fields`; returns the status, the response's fields and its body.
async fn get(
    sender: &mut SendRequest<Empty<Bytes>>,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, hyper::HeaderMap, String) {
    let mut request = Request::get(path).header("host", "example.test");
    for (field, value) in fields {
        request = request.header(*field, *value);
    }
    let response = sender
        .send_request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status.as_u16(),
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for args in [
        "serve",
        "serve --listen 127.0.0.1:0",
        "serve --listen localhost --upstream 127.0.0.1:9",
        "serve --listen 127.0.0.1:0 --upstream 127.0.0.1:9 --threads many",
        "serve --listen 127.0.0.1:0 --upstream 127.0.0.1:9 --cache on",
        "proxy",
    ] {
        let output = Command::new(BINARY).args(args.split(' ')).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args}: {stderr}");
        assert!(
            stderr.starts_with("http_proxy: ") && stderr.lines().count() == 1,
            "{args}: {stderr}"
        );
    }
}

#[tokio::test]
async fn forwards_round_robin_over_pooled_connections_and_rewrites_fields() {
    let (a, a_connections) = start_origin("a").await;
    let (b, b_connections) = start_origin("b").await;
    let (mut proxy, listen) = start_proxy(&[a, b]);
    let mut client = connect(listen).await;
    let mut origins = String::new();
    for i in 0..4 {
        let fields = [
            ("x-forwarded-for", "192.0.2.7"),
            ("connection", "x-secret"),
            ("x-secret", "1"),
        ];
        let (status, headers, body) = get(&mut client, &format!("/r/{i}"), &fields).await;
        assert_eq!(status, 200);
        origins += headers["x-origin"].to_str().unwrap();
        assert!(
            body.contains("x-forwarded-for: 192.0.2.7, 127.0.0.1\n"),
            "{body}"
        );
        assert!(body.contains("host: example.test\n"), "{body}");
        assert!(
            !body.contains("x-secret"),
            "a field Connection names went upstream: {body}"
        );
        assert!(
            !headers.contains_key("x-private"),
            "a field Connection names came back: {headers:?}"
        );
    }
    assert!(origins == "abab" || origins == "baba", "{origins}");
    let accepted = (
        a_connections.load(Ordering::SeqCst),
        b_connections.load(Ordering::SeqCst),
    );
    assert_eq!(accepted, (1, 1), "one pooled connection per origin");
    proxy.kill().unwrap();
    proxy.wait().unwrap();
}

#[tokio::test]
async fn a_refused_upstream_is_502_in_plain_text() {
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (mut proxy, listen) = start_proxy(&[nobody]);
    let (status, headers, _) = get(&mut connect(listen).await, "/r/1", &[]).await;
    assert_eq!(status, 502);
    assert_eq!(headers["content-type"], "text/plain");
    proxy.kill().unwrap();
    proxy.wait().unwrap();
}

#[tokio::test]
async fn connect_is_501_and_never_reaches_the_origin() {
    let (origin, connections) = start_origin("a").await;
    let (mut proxy, listen) = start_proxy(&[origin]);
    let request = Request::connect("example.test:443")
        .body(Empty::new())
        .unwrap();
    let response = connect(listen).await.send_request(request).await.unwrap();
    assert_eq!(response.status(), 501);
    assert_eq!(connections.load(Ordering::SeqCst), 0);
    proxy.kill().unwrap();
    proxy.wait().unwrap();
}

#[tokio::test]
async fn sigterm_exits_0_at_once_with_an_idle_keep_alive_connection_open() {
    let (origin, _) = start_origin("a").await;
    let (mut proxy, listen) = start_proxy(&[origin]);
    let mut idle = connect(listen).await;
    assert_eq!(get(&mut idle, "/r/1", &[]).await.0, 200);
    let pid = proxy.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-s", "TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let (exited, exit) = mpsc::channel();
    std::thread::spawn(move || exited.send(proxy.wait().unwrap()));
    let status = exit
        .recv_timeout(Duration::from_secs(2))
        .expect("the proxy still runs 2 s after SIGTERM");
    assert!(status.success(), "{status}");
}
