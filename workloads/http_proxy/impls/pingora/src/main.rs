//! The http_proxy workload's Pingora peer (workloads/http_proxy/SPEC.md's command line): Cloudflare's
//! pingora proxy framework with a minimal `ProxyHttp` (proxy.rs), configured by a YAML file written into
//! the working directory (conf.rs) and run as any Pingora server is: `Server::new` with `-c` semantics,
//! `bootstrap`, `add_service`, `run_forever`. SIGTERM is Pingora's graceful shutdown, with the grace
//! periods set to zero in the YAML; SIGINT its fast shutdown. Both exit 0.
//!
//! It is a peer, not a conformance port: HTTP parsing, framing, error answers and upstream pooling are
//! Pingora's own, and README.md lists where they differ from SPEC.md.

mod cli;
mod conf;
mod proxy;
mod ready;

use std::process::ExitCode;

use pingora::prelude::*;

use crate::cli::ServeArgs;
use crate::proxy::{RoundRobinProxy, Timeouts};

fn main() -> ExitCode {
    let args = ServeArgs::parse_or_exit(std::env::args());
    match start(&args) {
        Ok(server) => {
            ready::mark_when_listening(args.listen);
            server.run_forever()
        }
        Err(why) => {
            eprintln!("pingora_proxy: {why}");
            ExitCode::from(2)
        }
    }
}

/// Everything up to the listen: the configuration file, the server and its one proxy service. Errors are
/// set-up errors, one line each.
fn start(args: &ServeArgs) -> Result<Server, String> {
    // Pingora binds inside run_forever and only panics a worker when it cannot: try the address first,
    // so that a port in use is one clear line and exit 2, not a process that never gets ready.
    std::net::TcpListener::bind(args.listen)
        .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
    let dir = std::env::current_dir()
        .map_err(|error| format!("cannot read the working directory: {error}"))?;
    let path = conf::write(args.threads, &dir)?;
    conf::check(&std::fs::read_to_string(&path).unwrap_or_default())?;
    let options = Opt {
        conf: Some(path.display().to_string()),
        ..Opt::default()
    };
    let mut server = Server::new(Some(options)).map_err(|error| error.to_string())?;
    server.bootstrap();

    let proxy = RoundRobinProxy::new(&args.upstreams, Timeouts::from_args(args))?;
    let mut service = http_proxy_service(&server.configuration, proxy);
    service.add_tcp(&args.listen.to_string());
    server.add_service(service);
    Ok(server)
}
