//! The command line of SPEC.md, parsed by clap. A malformed or unknown option is a usage error: one line
//! on stderr and exit status 2 (`parse_or_exit`).

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;

use clap::{Args, Parser};

/// The whole command line: SPEC.md has one command.
#[derive(Parser, Debug)]
#[command(
    name = "pingora_proxy",
    about = "The http_proxy workload's Pingora peer"
)]
pub enum Cli {
    /// Listen and forward every request to the upstreams, round-robin, until SIGTERM or SIGINT.
    Serve(ServeArgs),
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on (a numeric address or a name that resolves).
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_address)]
    pub listen: SocketAddr,
    /// An origin server; repeat for several (requests go round-robin).
    #[arg(long = "upstream", value_name = "HOST:PORT", required = true, value_parser = parse_upstream)]
    pub upstreams: Vec<SocketAddr>,
    /// Worker threads of Pingora's proxy service (its YAML `threads`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// Accepted for the SPEC's command line; Pingora has no whole-head deadline (README, "Deviations").
    #[arg(long = "header-timeout-ms", value_name = "MS", default_value = "10000", value_parser = parse_millis)]
    pub header_timeout: Duration,
    /// A keep-alive client connection with no request for this long is closed (rounded up to seconds:
    /// Pingora's keep-alive timeout is in whole seconds).
    #[arg(long = "idle-timeout-ms", value_name = "MS", default_value = "60000", value_parser = parse_millis)]
    pub idle_timeout: Duration,
    /// The longest wait for one read of a request body (Pingora's downstream read timeout).
    #[arg(long = "body-timeout-ms", value_name = "MS", default_value = "10000", value_parser = parse_millis)]
    pub body_timeout: Duration,
    /// An upstream that does not accept a connection in this long fails the request.
    #[arg(long = "upstream-connect-timeout-ms", value_name = "MS", default_value = "3000", value_parser = parse_millis)]
    pub upstream_connect_timeout: Duration,
    /// An upstream that sends nothing for this long fails the request.
    #[arg(long = "upstream-read-timeout-ms", value_name = "MS", default_value = "30000", value_parser = parse_millis)]
    pub upstream_read_timeout: Duration,
}

impl ServeArgs {
    /// Parses `args` (the program name first). Help prints and exits 0; any other error prints one line,
    /// `pingora_proxy: <what is wrong>`, and exits 2, as SPEC.md asks.
    pub fn parse_or_exit<I: IntoIterator<Item = String>>(args: I) -> ServeArgs {
        match Cli::try_parse_from(args) {
            Ok(Cli::Serve(serve)) => serve,
            Err(error) if !error.use_stderr() => error.exit(), // --help: printed on stdout, exit 0
            Err(error) => {
                eprintln!(
                    "pingora_proxy: {}; see --help",
                    one_line(&error.to_string())
                );
                exit(2);
            }
        }
    }
}

/// clap's message up to its usage part, on one line ("error: the following required arguments were not
/// provided:\n  --upstream <HOST:PORT>\n\nUsage: ..." becomes "the following ... provided: --upstream ...").
fn one_line(message: &str) -> String {
    let words: Vec<&str> = message
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    words.join(" ").trim_start_matches("error: ").to_string()
}

fn parse_address(text: &str) -> Result<SocketAddr, String> {
    let bad = || format!("expected HOST:PORT, got '{text}'");
    let (_, port) = text.rsplit_once(':').ok_or_else(bad)?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.to_socket_addrs()
        .map_err(|error| format!("cannot resolve '{text}': {error}"))?
        .next()
        .ok_or_else(|| format!("'{text}' resolves to no address"))
}

fn parse_upstream(text: &str) -> Result<SocketAddr, String> {
    parse_address(text).and_then(|address| match address.port() {
        0 => Err(format!("expected a port in 1..65535, got '{text}'")),
        _ => Ok(address),
    })
}

fn parse_millis(text: &str) -> Result<Duration, String> {
    match text.parse::<u64>() {
        Ok(ms) if (1..=86_400_000).contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "expected milliseconds in 1..86400000, got '{text}'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `serve` followed by `args`, given as one space-separated string.
    fn parse(args: &str) -> Result<ServeArgs, clap::Error> {
        let argv = ["pingora_proxy", "serve"]
            .into_iter()
            .chain(args.split(' '));
        Cli::try_parse_from(argv).map(|Cli::Serve(serve)| serve)
    }

    #[test]
    fn the_spec_command_line_with_its_defaults() {
        let args =
            parse("--listen 127.0.0.1:8080 --upstream 127.0.0.1:9000 --upstream 127.0.0.1:9001")
                .unwrap();
        assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(args.upstreams.len(), 2);
        assert_eq!(args.threads, 1);
        assert_eq!(args.idle_timeout, Duration::from_secs(60));
        assert_eq!(args.upstream_connect_timeout, Duration::from_secs(3));
    }

    #[test]
    fn timeouts_and_threads_are_read() {
        let args = parse(
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9 --threads 4 --upstream-read-timeout-ms 250",
        )
        .unwrap();
        assert_eq!(args.threads, 4);
        assert_eq!(args.upstream_read_timeout, Duration::from_millis(250));
    }

    #[test]
    fn a_usage_error_is_one_line() {
        let error = parse("--listen 127.0.0.1:0").unwrap_err();
        assert_eq!(
            one_line(&error.to_string()),
            "the following required arguments were not provided: --upstream <HOST:PORT>"
        );
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "--listen 127.0.0.1 --upstream 127.0.0.1:9",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:0",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9 --threads 0",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9 --idle-timeout-ms -1",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9 --body-timeout-ms 0",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
