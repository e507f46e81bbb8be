//! The proxy's request handler: the next upstream round-robin, the request rewritten as a proxy must
//! (hop-by-hop fields out, `X-Forwarded-For`, HTTP/1.1 upstream), sent over hyper-util's pooled client,
//! and the response streamed back. Framing, parsing and the pool are hyper's.

use std::convert::Infallible;
use std::error::Error as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::cli::Options;
use crate::headers::{append_forwarded_for, remove_hop_by_hop};

/// What the client gets: the upstream's streamed body, or one of ours.
pub type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// Most idle connections the pool keeps per upstream: far above any case's connection count, so the
/// pool never closes a connection it will want again (hyper-util's default keeps unlimited idle ones).
const MAX_IDLE_PER_UPSTREAM: usize = 1024;

/// Shared by every connection task (clone it: the client and the counter are reference-counted).
#[derive(Clone)]
pub struct Proxy {
    client: Client<HttpConnector, Incoming>,
    upstreams: std::sync::Arc<[SocketAddr]>,
    next: std::sync::Arc<AtomicUsize>,
    read_timeout: Duration,
}

impl Proxy {
    pub fn new(options: &Options) -> Proxy {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(options.upstream_connect_timeout()));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(options.idle_timeout())
            .pool_max_idle_per_host(MAX_IDLE_PER_UPSTREAM)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Proxy {
            client,
            upstreams: options.upstreams.clone().into(),
            next: Default::default(),
            read_timeout: options.upstream_read_timeout(),
        }
    }

    /// Forwards `request` from `client` and answers with the upstream's response; 502 or 504 (text/plain)
    /// when the upstream cannot be reached or is too slow to answer. Never fails: the error is the answer.
    pub async fn forward(
        &self,
        mut request: Request<Incoming>,
        client: SocketAddr,
    ) -> Result<Response<ProxyBody>, Infallible> {
        // A reverse proxy, not a tunnel: hyper would otherwise send CONNECT upstream and expect an upgrade.
        if request.method() == Method::CONNECT {
            return Ok(answer(
                StatusCode::NOT_IMPLEMENTED,
                "CONNECT is not supported",
            ));
        }
        let upstream =
            self.upstreams[self.next.fetch_add(1, Ordering::Relaxed) % self.upstreams.len()];
        let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let Ok(uri) = format!("http://{upstream}{path}").parse::<Uri>() else {
            return Ok(answer(
                StatusCode::BAD_REQUEST,
                "the request target is not a path",
            ));
        };
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        remove_hop_by_hop(headers);
        // hyper answers `100 Continue` itself when the body is first read: the upstream must not.
        headers.remove(header::EXPECT);
        append_forwarded_for(headers, client.ip());
        if request.version() == Version::HTTP_10 && !request.headers().contains_key(header::HOST) {
            let host =
                HeaderValue::from_str(&upstream.to_string()).expect("an address is a valid value");
            request.headers_mut().insert(header::HOST, host);
        }
        *request.version_mut() = Version::HTTP_11;

        let response =
            match tokio::time::timeout(self.read_timeout, self.client.request(request)).await {
                Ok(Ok(response)) => response,
                Ok(Err(error)) if timed_out(&error) => {
                    return Ok(answer(
                        StatusCode::GATEWAY_TIMEOUT,
                        "the upstream did not accept the connection in time",
                    ));
                }
                Ok(Err(_)) => {
                    return Ok(answer(
                        StatusCode::BAD_GATEWAY,
                        "the upstream could not be reached",
                    ));
                }
                Err(_) => {
                    return Ok(answer(
                        StatusCode::GATEWAY_TIMEOUT,
                        "the upstream sent no response in time",
                    ));
                }
            };
        let (mut parts, body) = response.into_parts();
        remove_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, body.boxed()))
    }
}

/// True when the client's error comes from a timed-out connect (HttpConnector's connect timeout).
fn timed_out(error: &hyper_util::client::legacy::Error) -> bool {
    let mut cause = error.source();
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::TimedOut;
        }
        cause = error.source();
    }
    false
}

/// A short `text/plain` answer of the proxy's own.
pub fn answer(status: StatusCode, why: &'static str) -> Response<ProxyBody> {
    let body = Full::new(Bytes::from_static(why.as_bytes())).map_err(|never| match never {});
    let mut response = Response::new(body.boxed());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}
