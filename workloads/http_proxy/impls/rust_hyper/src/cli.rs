//! SPEC.md's command line, parsed by clap into typed values (a socket address, milliseconds in range).
//! A usage error is one line on stderr and exit status 2.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

/// `http_proxy serve ...`: the only command.
#[derive(Parser, Debug)]
#[command(
    name = "http_proxy",
    about = "The claimbench HTTP/1.1 reverse proxy on hyper"
)]
pub enum Command {
    /// Listen and forward every request to the upstreams, round-robin, until SIGTERM or SIGINT.
    Serve(Options),
}

/// The options of `serve`. Times are in milliseconds on the command line.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Address to listen on (numeric).
    #[arg(long, value_name = "IP:PORT")]
    pub listen: SocketAddr,
    /// An origin server (numeric); repeat for several: requests go round-robin.
    #[arg(long = "upstream", value_name = "IP:PORT", required = true)]
    pub upstreams: Vec<SocketAddr>,
    /// Worker threads of the tokio runtime.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// hyper's header read timeout: a request head not complete in this long closes the connection.
    #[arg(long = "header-timeout-ms", value_name = "MS", default_value_t = 10_000, value_parser = millis())]
    pub header_timeout_ms: u64,
    /// How long idle upstream connections stay in the pool.
    #[arg(long = "idle-timeout-ms", value_name = "MS", default_value_t = 60_000, value_parser = millis())]
    pub idle_timeout_ms: u64,
    /// Accepted for SPEC.md's command line; hyper has no timeout between body reads (README).
    #[arg(long = "body-timeout-ms", value_name = "MS", default_value_t = 10_000, value_parser = millis())]
    pub body_timeout_ms: u64,
    /// An upstream that does not accept a connection in this long: 504.
    #[arg(long = "upstream-connect-timeout-ms", value_name = "MS", default_value_t = 3_000, value_parser = millis())]
    pub upstream_connect_timeout_ms: u64,
    /// An upstream whose response head has not come in this long: 504.
    #[arg(long = "upstream-read-timeout-ms", value_name = "MS", default_value_t = 30_000, value_parser = millis())]
    pub upstream_read_timeout_ms: u64,
}

fn millis() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..=86_400_000)
}

impl Options {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }
    pub fn upstream_connect_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_connect_timeout_ms)
    }
    pub fn upstream_read_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_read_timeout_ms)
    }
}

/// Parses the process's arguments. `--help` prints and exits 0; an error prints
/// `http_proxy: <what>` on one line and exits 2.
pub fn parse_or_exit() -> Options {
    match Command::try_parse() {
        Ok(Command::Serve(options)) => options,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            // clap's message spans lines (the error, the usage, a hint): keep the error's own lines.
            let message = error.to_string();
            let what: Vec<&str> = message
                .split("\n\n")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            eprintln!(
                "http_proxy: {}",
                what.join(" ").trim_start_matches("error: ")
            );
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(line: &str) -> Result<Options, clap::Error> {
        let argv = format!("http_proxy serve {line}");
        Command::try_parse_from(argv.split(' ')).map(|Command::Serve(options)| options)
    }

    #[test]
    fn defaults_are_the_specs() {
        let options = serve("--listen 127.0.0.1:8080 --upstream 127.0.0.1:9000").unwrap();
        assert_eq!(options.threads, 1);
        assert_eq!(options.header_timeout(), Duration::from_secs(10));
        assert_eq!(options.idle_timeout(), Duration::from_secs(60));
        assert_eq!(options.upstream_connect_timeout(), Duration::from_secs(3));
        assert_eq!(options.upstream_read_timeout(), Duration::from_secs(30));
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for line in [
            "--listen 127.0.0.1 --upstream 127.0.0.1:9000",
            "--listen 127.0.0.1:0",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9000 --threads 0",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9000 --header-timeout-ms 0",
            "--listen 127.0.0.1:0 --upstream 127.0.0.1:9000 --colour red",
        ] {
            assert!(serve(line).is_err(), "accepted: {line}");
        }
    }
}
