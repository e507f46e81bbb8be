//! The claimbench null workload in Rust (workloads/null/SPEC.md): a checksum batch job and a line-echo
//! service.
//!
//! Design: `batch` is plain synchronous code that starts no runtime, so its start-up is the process's own;
//! `serve` runs on tokio's default multi-threaded runtime with one task per connection, which is what a
//! Rust network service ships with, and which gives SIGTERM/SIGINT handling and per-request timers without
//! threads blocked in `sleep`. The runtime is built only for `serve`.

mod batch;
mod checksum;
mod marks;
mod serve;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::batch::Fault;
use crate::marks::Marks;

#[derive(Parser)]
#[command(name = "null", about = "The claimbench null workload (Rust)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute the checksum of N work units and print it.
    Batch {
        /// How many SplitMix64 work units to fold into the checksum.
        #[arg(long, value_name = "N")]
        work_units: u64,
        /// Sleep this long after the work (the deliberately slowed implementation).
        #[arg(long, value_name = "D", default_value_t = 0)]
        delay_ms: u64,
        /// Misbehave this way (for testing the harness).
        #[arg(long, value_enum)]
        fault: Option<Fault>,
    },
    /// Echo every line back on each connection until SIGTERM or SIGINT.
    Serve {
        /// Address to listen on.
        #[arg(long, value_name = "HOST:PORT", value_parser = serve::parse_listen)]
        listen: String,
        /// Send each response this long after its request arrived.
        #[arg(long, value_name = "D", default_value_t = 0)]
        delay_ms: u64,
    },
}

fn main() -> ExitCode {
    // clap prints a usage error and exits with status 2, as the SPEC asks.
    let cli = Cli::parse();
    let marks = Marks::from_env();
    match cli.command {
        Command::Batch {
            work_units,
            delay_ms,
            fault,
        } => batch::run(work_units, Duration::from_millis(delay_ms), fault, &marks),
        Command::Serve { listen, delay_ms } => {
            serve::run(&listen, Duration::from_millis(delay_ms), &marks)
        }
    }
}
