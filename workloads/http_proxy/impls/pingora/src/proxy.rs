//! The proxy logic: a `ProxyHttp` that picks the upstream round-robin with Pingora's `LoadBalancer`,
//! sets the SPEC's timeouts on the client session and the upstream peer, and adds `X-Forwarded-For`
//! (and `Host` for a request without one). Framing, parsing, pooling and error answers are Pingora's.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use pingora::http::{RequestHeader, Version};
use pingora::prelude::*;

use crate::cli::ServeArgs;

/// The SPEC's timeouts as Pingora takes them.
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// Keep-alive: how long a client connection may wait for its next request (whole seconds in Pingora).
    pub idle_secs: u64,
    /// The downstream read timeout: one read of a request body.
    pub body: Duration,
    pub upstream_connect: Duration,
    pub upstream_read: Duration,
    /// How long an idle pooled upstream connection is kept (the idle timeout, as nginx's
    /// `keepalive_timeout` applies to its upstream keep-alive connections).
    pub upstream_idle: Duration,
}

impl Timeouts {
    pub fn from_args(args: &ServeArgs) -> Timeouts {
        Timeouts {
            idle_secs: args.idle_timeout.as_millis().div_ceil(1000) as u64,
            body: args.body_timeout,
            upstream_connect: args.upstream_connect_timeout,
            upstream_read: args.upstream_read_timeout,
            upstream_idle: args.idle_timeout,
        }
    }
}

/// Immutable after start-up and shared by every worker thread (the load balancer's round-robin counter
/// is atomic).
pub struct RoundRobinProxy {
    upstreams: LoadBalancer<RoundRobin>,
    timeouts: Timeouts,
}

impl RoundRobinProxy {
    /// A proxy over `upstreams` (at least one, distinct addresses; a repeated one counts once, as
    /// Pingora's static discovery keeps a set).
    pub fn new(upstreams: &[SocketAddr], timeouts: Timeouts) -> Result<RoundRobinProxy, String> {
        let upstreams = LoadBalancer::try_from_iter(upstreams)
            .map_err(|error| format!("cannot use the upstreams: {error}"))?;
        Ok(RoundRobinProxy {
            upstreams,
            timeouts,
        })
    }
}

/// Per request: the upstream the load balancer picked, for the `Host` of a request that has none.
#[derive(Default)]
pub struct RequestContext {
    upstream: Option<SocketAddr>,
}

#[async_trait]
impl ProxyHttp for RoundRobinProxy {
    type CTX = RequestContext;

    fn new_ctx(&self) -> RequestContext {
        RequestContext::default()
    }

    async fn early_request_filter(
        &self,
        session: &mut Session,
        _ctx: &mut RequestContext,
    ) -> Result<()> {
        session.set_keepalive(Some(self.timeouts.idle_secs));
        session.set_read_timeout(Some(self.timeouts.body));
        Ok(())
    }

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        ctx: &mut RequestContext,
    ) -> Result<Box<HttpPeer>> {
        // The key only matters to hashing selectors; RoundRobin ignores it.
        let backend = self
            .upstreams
            .select(b"", 256)
            .ok_or_else(|| Error::explain(ErrorType::ConnectNoRoute, "no upstream to select"))?;
        let address = backend.addr.as_inet().copied();
        ctx.upstream = address;
        let mut peer = Box::new(HttpPeer::new(backend, false, String::new()));
        peer.options.connection_timeout = Some(self.timeouts.upstream_connect);
        peer.options.read_timeout = Some(self.timeouts.upstream_read);
        peer.options.idle_timeout = Some(self.timeouts.upstream_idle);
        Ok(peer)
    }

    async fn upstream_request_filter(
        &self,
        session: &mut Session,
        upstream_request: &mut RequestHeader,
        ctx: &mut RequestContext,
    ) -> Result<()> {
        if let Some(client) = session.client_addr().and_then(|address| address.as_inet()) {
            let forwarded = forwarded_for(
                upstream_request
                    .headers
                    .get("X-Forwarded-For")
                    .map(|v| v.as_bytes()),
                client,
            );
            upstream_request.insert_header("X-Forwarded-For", forwarded)?;
        }
        // SPEC.md: an HTTP/1.0 request without Host gets the upstream's HOST:PORT. An HTTP/1.1 one without
        // Host goes as Pingora forwards it (README, "Deviations").
        let http_1_0 = session.req_header().version == Version::HTTP_10;
        if http_1_0 && upstream_request.headers.get("Host").is_none() {
            if let Some(upstream) = ctx.upstream {
                upstream_request.insert_header("Host", upstream.to_string())?;
            }
        }
        Ok(())
    }
}

/// The `X-Forwarded-For` value to send upstream: the client's list (when it sent one) with its own
/// address appended.
fn forwarded_for(existing: Option<&[u8]>, client: &SocketAddr) -> Vec<u8> {
    let client = client.ip().to_string();
    match existing {
        Some(list) if !list.is_empty() => [list, b", ", client.as_bytes()].concat(),
        _ => client.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_forwarded_for_is_created_or_appended_to() {
        let client: SocketAddr = "10.1.2.3:4567".parse().unwrap();
        assert_eq!(forwarded_for(None, &client), b"10.1.2.3");
        assert_eq!(forwarded_for(Some(b""), &client), b"10.1.2.3");
        assert_eq!(
            forwarded_for(Some(b"192.0.2.1"), &client),
            b"192.0.2.1, 10.1.2.3"
        );
    }

    #[test]
    fn the_idle_timeout_rounds_up_to_whole_seconds() {
        let args = crate::cli::ServeArgs {
            listen: "127.0.0.1:0".parse().unwrap(),
            upstreams: vec!["127.0.0.1:9".parse().unwrap()],
            threads: 1,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_millis(1500),
            body_timeout: Duration::from_secs(10),
            upstream_connect_timeout: Duration::from_secs(3),
            upstream_read_timeout: Duration::from_secs(30),
        };
        assert_eq!(Timeouts::from_args(&args).idle_secs, 2);
    }

    #[test]
    fn upstreams_are_taken_in_turn() {
        let upstreams: Vec<SocketAddr> = vec![
            "127.0.0.1:9001".parse().unwrap(),
            "127.0.0.1:9002".parse().unwrap(),
        ];
        let timeouts = Timeouts {
            idle_secs: 60,
            body: Duration::from_secs(10),
            upstream_connect: Duration::from_secs(3),
            upstream_read: Duration::from_secs(30),
            upstream_idle: Duration::from_secs(60),
        };
        let proxy = RoundRobinProxy::new(&upstreams, timeouts).unwrap();
        let picked: Vec<_> = (0..4)
            .map(|_| {
                proxy
                    .upstreams
                    .select(b"", 256)
                    .unwrap()
                    .addr
                    .as_inet()
                    .copied()
                    .unwrap()
            })
            .collect();
        assert_ne!(picked[0], picked[1]);
        assert_eq!(picked[0], picked[2]);
        assert_eq!(picked[1], picked[3]);
    }
}
