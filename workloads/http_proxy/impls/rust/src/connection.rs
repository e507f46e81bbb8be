//! One client connection: its requests strictly in order (read a head, forward it with its body, stream
//! the response back, repeat), so pipelined requests are answered in order without a queue. Bodies stream
//! through the connection's buffers and are never held whole. An idle keep-alive connection holds no
//! buffer, only a readiness wait with the idle timeout.

use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use crate::chunked::ChunkedFramer;
use crate::framing::Framing;
use crate::head::{field_slots, parse_request, parse_response, read_higher_minor_as_1_1};
use crate::syntax::Rejection;
use crate::worker::{Buffers, Worker};

/// How long an error response and the close after it may take (the client is draining it).
const LINGER: Duration = Duration::from_secs(1);

/// What the connection does after a request.
#[derive(PartialEq, Eq)]
enum Next {
    KeepAlive,
    Close,
}

/// What forwarding a response ended with.
enum Forwarded {
    Done(Next),
    /// A pooled connection the upstream had closed: send the (bodiless) request again on a new one.
    Retry,
}

/// Why a request body could not be forwarded.
enum BodyError {
    /// The chunked framing is broken: answer 400.
    Framing(Rejection),
    /// Writing to the upstream failed: answer 502.
    Upstream,
    /// The client left or was too slow: close without an answer.
    Client,
}

/// What the proxy remembers of a request head once its bytes are consumed.
struct Request {
    upstream: usize,
    is_head: bool,
    minor: u8,
    framing: Framing,
    close: bool,
    expects_continue: bool,
    has_body: bool,
}

/// What the proxy remembers of a final response head once it is written into `out`.
struct Response {
    framing: Framing,
    /// The client connection closes after this response.
    close: bool,
    /// The body is de-chunked for an HTTP/1.0 client.
    dechunk: bool,
    /// The upstream connection can go back to the pool once the body is through.
    reusable: bool,
}

/// A response head, once parsed: an interim one (forwarded, then the next is read) or the final one.
enum Head {
    Interim,
    SwitchingProtocols,
    Final(Response),
}

/// Serves `client` until it closes, breaks a rule, or stays idle too long.
pub async fn serve(client: TcpStream, peer: SocketAddr, worker: Rc<Worker>) {
    let _ = client.set_nodelay(true);
    let mut connection = Connection {
        client,
        client_ip: peer.ip().to_string(),
        buffers: Buffers::default(),
        worker,
    };
    connection.run().await;
}

struct Connection {
    client: TcpStream,
    client_ip: String,
    buffers: Buffers,
    worker: Rc<Worker>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.worker.give_buffers(std::mem::take(&mut self.buffers));
    }
}

impl Connection {
    async fn run(&mut self) {
        loop {
            if self.buffers.client_in.is_empty() && !self.wait_for_request().await {
                return;
            }
            // Boxed: the request path's state lives on the heap only while a request is served, so an idle
            // connection's task holds just the wait above.
            if Box::pin(self.serve_request()).await == Next::Close {
                return;
            }
        }
    }

    /// Waits, holding no buffer, for the first bytes of the next request. False when the client closed
    /// or stayed idle past the idle timeout (then the connection closes without a response).
    async fn wait_for_request(&mut self) -> bool {
        self.worker.give_buffers(std::mem::take(&mut self.buffers));
        let deadline = Instant::now() + self.worker.config.idle_timeout;
        if !matches!(
            timeout_at(deadline, self.client.readable()).await,
            Ok(Ok(()))
        ) {
            return false;
        }
        self.buffers = self.worker.take_buffers();
        let read = self.buffers.client_in.read_from(&mut self.client);
        matches!(timeout_at(deadline, read).await, Ok(Ok(n)) if n > 0)
    }

    /// Reads one request head (the header timeout runs from its first byte) and forwards the request.
    async fn serve_request(&mut self) -> Next {
        let deadline = Instant::now() + self.worker.config.header_timeout;
        let request = loop {
            match take_request_head(&mut self.buffers, &self.worker, &self.client_ip) {
                Ok(Some(request)) => break request,
                Ok(None) => {}
                Err(rejection) => {
                    return self
                        .respond_and_close(rejection.status, &rejection.to_string())
                        .await;
                }
            }
            let read = self.buffers.client_in.read_from(&mut self.client);
            match timeout_at(deadline, read).await {
                Ok(Ok(n)) if n > 0 => {}
                Ok(_) => return Next::Close,
                Err(_) => {
                    let why = "the request head took too long (RFC 9110 section 15.5.9)";
                    return self.respond_and_close(408, why).await;
                }
            }
        };
        self.forward(&request).await
    }

    /// Forwards one request (its head is in `upstream_head`) and its response.
    async fn forward(&mut self, request: &Request) -> Next {
        let config = self.worker.config.clone();
        let mut may_retry = !request.has_body;
        let mut expects_continue = request.expects_continue;
        loop {
            let (mut upstream, reused) = match self.connect(request.upstream).await {
                Ok(connected) => connected,
                Err((status, why)) => return self.respond_and_close(status, why).await,
            };
            let head = &self.buffers.upstream_head;
            if !matches!(
                timeout(config.upstream_read_timeout, upstream.write_all(head)).await,
                Ok(Ok(()))
            ) {
                if reused && may_retry {
                    may_retry = false;
                    continue;
                }
                let why = "the upstream connection failed while sending the request";
                return self.respond_and_close(502, why).await;
            }
            if request.has_body {
                // Expect: 100-continue (RFC 9110 section 10.1.1): answered here, when the body is wanted,
                // unless the client sent body bytes without waiting.
                if expects_continue && self.buffers.client_in.is_empty() {
                    expects_continue = false;
                    let sent = self.client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
                    if !matches!(timeout(config.body_timeout, sent).await, Ok(Ok(()))) {
                        return Next::Close;
                    }
                }
                match self
                    .forward_request_body(&mut upstream, request.framing)
                    .await
                {
                    Ok(()) => {}
                    Err(BodyError::Framing(rejection)) => {
                        return self.respond_and_close(400, &rejection.to_string()).await;
                    }
                    Err(BodyError::Upstream) => {
                        let why = "the upstream connection failed while sending the body";
                        return self.respond_and_close(502, why).await;
                    }
                    Err(BodyError::Client) => return Next::Close,
                }
            }
            match self
                .forward_response(upstream, request, reused && may_retry)
                .await
            {
                Forwarded::Done(next) => return next,
                Forwarded::Retry => may_retry = false,
            }
        }
    }

    /// A pooled connection to `host` (reused: true) or a new one; on failure the status and why.
    async fn connect(&self, host: usize) -> Result<(TcpStream, bool), (u16, &'static str)> {
        if let Some(pooled) = self.worker.take_upstream(host) {
            return Ok((pooled, true));
        }
        let config = &self.worker.config;
        let address = config.upstreams[host].address;
        match timeout(config.upstream_connect_timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Ok((stream, false))
            }
            Ok(Err(_)) => Err((502, "the upstream refused the connection")),
            Err(_) => Err((504, "the upstream did not accept the connection in time")),
        }
    }

    /// Streams the request body from the client to the upstream, verifying chunked framing as it passes.
    async fn forward_request_body(
        &mut self,
        upstream: &mut TcpStream,
        framing: Framing,
    ) -> Result<(), BodyError> {
        let config = self.worker.config.clone();
        let mut remaining = match framing {
            Framing::Length(length) => length,
            _ => 0,
        };
        let mut framer = ChunkedFramer::default();
        loop {
            if self.buffers.client_in.is_empty() {
                let read = self.buffers.client_in.read_from(&mut self.client);
                if !matches!(timeout(config.body_timeout, read).await, Ok(Ok(n)) if n > 0) {
                    return Err(BodyError::Client);
                }
            }
            let data = self.buffers.client_in.data();
            let (take, done) = if framing == Framing::Chunked {
                let progress = framer.consume(data, None).map_err(BodyError::Framing)?;
                (progress.consumed, progress.done)
            } else {
                let take = remaining.min(data.len() as u64) as usize;
                remaining -= take as u64;
                (take, remaining == 0)
            };
            let sent = upstream.write_all(&data[..take]);
            if !matches!(
                timeout(config.upstream_read_timeout, sent).await,
                Ok(Ok(()))
            ) {
                return Err(BodyError::Upstream);
            }
            self.buffers.client_in.consume(take);
            if done {
                return Ok(());
            }
        }
    }

    /// Reads the upstream's response head (forwarding interim 1xx ones) and streams the response to the
    /// client; the upstream connection goes back to the pool if its message ended cleanly.
    async fn forward_response(
        &mut self,
        mut upstream: TcpStream,
        request: &Request,
        may_retry: bool,
    ) -> Forwarded {
        let config = self.worker.config.clone();
        self.buffers.upstream_in.clear();
        let response = loop {
            self.buffers.out.clear();
            match take_response_head(&mut self.buffers, request) {
                Ok(Some(Head::Final(response))) => break response,
                Ok(Some(Head::Interim)) => {
                    if request.minor == 1 && !self.write_client(&config).await {
                        return Forwarded::Done(Next::Close);
                    }
                    continue;
                }
                Ok(Some(Head::SwitchingProtocols)) => {
                    let why = "the upstream switched protocols, which this proxy does not forward";
                    return Forwarded::Done(self.respond_and_close(502, why).await);
                }
                Ok(None) => {}
                Err(rejection) => {
                    let why = format!("the upstream's response is malformed: {rejection}");
                    return Forwarded::Done(self.respond_and_close(502, &why).await);
                }
            }
            let read = self.buffers.upstream_in.read_from(&mut upstream);
            match timeout(config.upstream_read_timeout, read).await {
                Ok(Ok(n)) if n > 0 => {}
                Err(_) => {
                    let why = "the upstream did not answer in time";
                    return Forwarded::Done(self.respond_and_close(504, why).await);
                }
                Ok(_) if may_retry && self.buffers.upstream_in.is_empty() => {
                    return Forwarded::Retry;
                }
                Ok(_) => {
                    let why = "the upstream closed the connection without a response";
                    return Forwarded::Done(self.respond_and_close(502, why).await);
                }
            }
        };
        if !self.stream_response_body(&mut upstream, &response).await {
            return Forwarded::Done(Next::Close); // the client sees a truncated body
        }
        if response.reusable && self.buffers.upstream_in.is_empty() {
            self.worker.give_upstream(request.upstream, upstream);
        }
        if response.close {
            let _ = timeout(LINGER, self.client.shutdown()).await;
            return Forwarded::Done(Next::Close);
        }
        Forwarded::Done(Next::KeepAlive)
    }

    /// Streams the body from `upstream_in` and the upstream to the client; `out` holds the head, which
    /// goes with the first body bytes. False when either side failed or the framing broke.
    async fn stream_response_body(
        &mut self,
        upstream: &mut TcpStream,
        response: &Response,
    ) -> bool {
        let config = self.worker.config.clone();
        let mut framer = ChunkedFramer::default();
        let (mut remaining, mut done) = match response.framing {
            Framing::Length(length) => (length, length == 0),
            Framing::None => (0, true),
            Framing::Chunked | Framing::UntilClose => (0, false),
        };
        loop {
            let Buffers {
                upstream_in, out, ..
            } = &mut self.buffers;
            if !done && !upstream_in.is_empty() {
                let data = upstream_in.data();
                let take = match response.framing {
                    Framing::Chunked => {
                        let decoded = response.dechunk.then_some(&mut *out);
                        let Ok(progress) = framer.consume(data, decoded) else {
                            return false;
                        };
                        done = progress.done;
                        progress.consumed
                    }
                    Framing::Length(_) => {
                        let take = remaining.min(data.len() as u64) as usize;
                        remaining -= take as u64;
                        done = remaining == 0;
                        take
                    }
                    _ => data.len(),
                };
                if !response.dechunk {
                    out.extend_from_slice(&data[..take]);
                }
                upstream_in.consume(take);
            }
            if !self.buffers.out.is_empty() && !self.write_client(&config).await {
                return false;
            }
            if done {
                return true;
            }
            let read = self.buffers.upstream_in.read_from(upstream);
            match timeout(config.upstream_read_timeout, read).await {
                Ok(Ok(n)) if n > 0 => {}
                Ok(Ok(_)) => return response.framing == Framing::UntilClose,
                _ => return false,
            }
        }
    }

    /// Writes `out` to the client and clears it. False when the client is gone or stops reading for the
    /// upstream read timeout.
    async fn write_client(&mut self, config: &crate::config::Config) -> bool {
        let sent = self.client.write_all(&self.buffers.out);
        let ok = matches!(
            timeout(config.upstream_read_timeout, sent).await,
            Ok(Ok(()))
        );
        self.buffers.out.clear();
        ok
    }

    /// Answers `status` with a text/plain body saying why, then closes gracefully: stop sending and drain
    /// what the client still sends for a moment, so that the kernel does not reset the connection and
    /// destroy the response in flight.
    async fn respond_and_close(&mut self, status: u16, why: &str) -> Next {
        let deadline = Instant::now() + LINGER;
        let body = format!("{why}\n");
        let response = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            status_text(status),
            body.len()
        );
        if !matches!(
            timeout_at(deadline, self.client.write_all(response.as_bytes())).await,
            Ok(Ok(()))
        ) {
            return Next::Close;
        }
        if !matches!(
            timeout_at(deadline, self.client.shutdown()).await,
            Ok(Ok(()))
        ) {
            return Next::Close;
        }
        loop {
            self.buffers.client_in.clear();
            let read = self.buffers.client_in.read_from(&mut self.client);
            if !matches!(timeout_at(deadline, read).await, Ok(Ok(n)) if n > 0) {
                return Next::Close;
            }
        }
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// Parses the request head at the front of `client_in`; when it is complete, picks its upstream, writes
/// the head the upstream gets into `upstream_head` and consumes it. Synchronous, so the parser's field slots live on
/// this stack frame and never in the connection's future.
fn take_request_head(
    buffers: &mut Buffers,
    worker: &Worker,
    client_ip: &str,
) -> Result<Option<Request>, Rejection> {
    read_higher_minor_as_1_1(buffers.client_in.data_mut(), true);
    let mut slots = field_slots();
    let Some(head) = parse_request(buffers.client_in.data(), &mut slots)? else {
        return Ok(None);
    };
    let upstream = worker.next_upstream();
    buffers.upstream_head.clear();
    head.write_upstream_head(
        &mut buffers.upstream_head,
        client_ip,
        &worker.config.upstreams[upstream].authority,
    );
    let request = Request {
        upstream,
        is_head: head.method == "HEAD",
        minor: head.minor,
        framing: head.framing,
        close: head.close,
        expects_continue: head.expects_continue(),
        has_body: head.has_body(),
    };
    let length = head.length;
    buffers.client_in.consume(length);
    Ok(Some(request))
}

/// Parses the response head at the front of `upstream_in`; when it is complete, writes the head the
/// client gets into `out` and consumes it.
fn take_response_head(buffers: &mut Buffers, request: &Request) -> Result<Option<Head>, Rejection> {
    let mut slots = field_slots();
    let Some(head) = parse_response(buffers.upstream_in.data(), request.is_head, &mut slots)?
    else {
        return Ok(None);
    };
    let length = head.length;
    let parsed = match head.status {
        101 => Head::SwitchingProtocols,
        100..=199 => {
            head.write_client_head(&mut buffers.out, false, false, 1);
            Head::Interim
        }
        _ => {
            let dechunk = request.minor == 0 && head.framing == Framing::Chunked;
            let close = request.close || head.framing == Framing::UntilClose || dechunk;
            head.write_client_head(&mut buffers.out, close, dechunk, request.minor);
            Head::Final(Response {
                framing: head.framing,
                close,
                dechunk,
                reusable: !head.close,
            })
        }
    };
    buffers.upstream_in.consume(length);
    Ok(Some(parsed))
}
