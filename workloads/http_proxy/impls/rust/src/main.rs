//! The claimbench http_proxy workload in Rust (workloads/http_proxy/SPEC.md): a strict HTTP/1.1 reverse
//! proxy with keep-alive upstream pools and round-robin over the upstreams.
//!
//! Design: `--threads N` current_thread tokio runtimes, each on its own thread with its own listener
//! (SO_REUSEPORT), upstream pool and spare buffers, as the C++ reference keeps an io_context and a pool
//! per thread and nginx a pool per worker: a connection lives on one thread from accept to close, so
//! nothing is shared or locked on the request path. httparse tokenizes the heads; the SPEC's framing rules
//! and error table are written on top (head.rs, framing.rs, chunked.rs), and anything two parties could
//! read differently is refused with its RFC section, never forwarded.

mod buffer;
mod chunked;
mod config;
mod connection;
mod framing;
mod head;
mod marks;
mod server;
mod syntax;
mod worker;

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Cli, Command, Config};

fn main() -> ExitCode {
    // clap prints a usage error and exits with status 2, as the SPEC asks.
    let Cli {
        command: Command::Serve(args),
    } = Cli::parse();
    let setup = args
        .listen
        .resolve()
        .and_then(|listen_at| Ok((listen_at, Config::from_args(&args)?)));
    let (listen_at, config) = match setup {
        Ok(setup) => setup,
        Err(why) => {
            eprintln!("http_proxy: {why}");
            return ExitCode::from(2);
        }
    };
    server::run(listen_at, usize::from(args.threads), config)
}
