//! The command line of SPEC.md, parsed by clap: a malformed or unknown option is a usage error (exit 2).

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "http_proxy",
    about = "The claimbench HTTP/1.1 reverse proxy (Rust)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Listen and forward every request to the upstreams, round-robin, until SIGTERM or SIGINT.
    Serve(ServeArgs),
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_listen)]
    pub listen: HostPort,
    /// An origin server; repeat for several (requests go round-robin).
    #[arg(long = "upstream", value_name = "HOST:PORT", required = true, value_parser = parse_upstream)]
    pub upstreams: Vec<HostPort>,
    /// Threads that serve connections, each with its own runtime and upstream pool.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// A request head must be complete this long after its first byte (then 408 and close).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = parse_millis)]
    pub header_timeout_ms: u64,
    /// A keep-alive connection with no request for this long is closed.
    #[arg(long, value_name = "MS", default_value_t = 60_000, value_parser = parse_millis)]
    pub idle_timeout_ms: u64,
    /// The longest gap inside a request body (then the connection is closed).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = parse_millis)]
    pub body_timeout_ms: u64,
    /// An upstream that does not accept a connection in this long: 504.
    #[arg(long, value_name = "MS", default_value_t = 3_000, value_parser = parse_millis)]
    pub upstream_connect_timeout_ms: u64,
    /// An upstream that sends nothing for this long: 504.
    #[arg(long, value_name = "MS", default_value_t = 30_000, value_parser = parse_millis)]
    pub upstream_read_timeout_ms: u64,
}

/// `HOST:PORT` as given (IPv6 as `[::1]:8080`), split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    /// The host without brackets: a numeric address or a name.
    pub host: String,
    pub port: u16,
    /// As given on the command line: the Host an HTTP/1.0 request without one gets upstream.
    pub text: String,
}

impl HostPort {
    /// The first address `host` resolves to; an error line saying what to fix otherwise.
    pub fn resolve(&self) -> Result<SocketAddr, String> {
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|error| error.to_string())?
            .next()
            .ok_or_else(|| "no address".to_string())
            .map_err(|why| {
                format!(
                    "cannot resolve '{}': {why}; give a numeric address",
                    self.host
                )
            })
    }
}

fn parse_host_port(text: &str) -> Option<HostPort> {
    let (host, port) = text.rsplit_once(':')?;
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.strip_suffix(']')?,
        None => host,
    };
    let digits_only = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    (!host.is_empty() && digits_only).then_some(())?;
    Some(HostPort {
        host: host.to_string(),
        port: port.parse().ok()?,
        text: text.to_string(),
    })
}

fn parse_listen(text: &str) -> Result<HostPort, String> {
    parse_host_port(text).ok_or_else(|| format!("expected HOST:PORT, got '{text}'"))
}

fn parse_upstream(text: &str) -> Result<HostPort, String> {
    parse_host_port(text)
        .filter(|upstream| upstream.port != 0)
        .ok_or_else(|| format!("expected HOST:PORT with a port in 1..65535, got '{text}'"))
}

fn parse_millis(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(ms) if (1..=86_400_000).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "expected milliseconds in 1..86400000, got '{text}'"
        )),
    }
}

/// What every connection needs to know, shared read-only by all threads.
#[derive(Debug)]
pub struct Config {
    pub upstreams: Vec<Upstream>,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub upstream_connect_timeout: Duration,
    pub upstream_read_timeout: Duration,
    /// Idle connections kept per upstream host in each thread's pool.
    pub max_idle_per_upstream: usize,
}

#[derive(Debug)]
pub struct Upstream {
    pub address: SocketAddr,
    /// `HOST:PORT` as given, for the Host field of an HTTP/1.0 request without one.
    pub authority: String,
}

impl Config {
    /// Resolves the upstreams; the error is one line saying what to fix.
    pub fn from_args(args: &ServeArgs) -> Result<Config, String> {
        let upstreams = args
            .upstreams
            .iter()
            .map(|upstream| {
                Ok(Upstream {
                    address: upstream.resolve()?,
                    authority: upstream.text.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Config {
            upstreams,
            header_timeout: Duration::from_millis(args.header_timeout_ms),
            idle_timeout: Duration::from_millis(args.idle_timeout_ms),
            body_timeout: Duration::from_millis(args.body_timeout_ms),
            upstream_connect_timeout: Duration::from_millis(args.upstream_connect_timeout_ms),
            upstream_read_timeout: Duration::from_millis(args.upstream_read_timeout_ms),
            max_idle_per_upstream: 1024,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        let v6 = parse_host_port("[::1]:8080").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 8080));
        assert_eq!(parse_host_port("127.0.0.1:0").unwrap().port, 0);
        for bad in [
            "nohostport",
            ":80",
            "a:",
            "a:-1",
            "a:65536",
            "[::1:80",
            "a:8x",
        ] {
            assert!(parse_host_port(bad).is_none(), "{bad}");
        }
        assert!(parse_upstream("127.0.0.1:0").is_err());
        assert!(parse_millis("0").is_err() && parse_millis("10").is_ok());
    }
}
