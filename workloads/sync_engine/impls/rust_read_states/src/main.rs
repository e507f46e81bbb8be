//! sync_engine's read-states service (SPEC.md, Service mode) in Rust: the packed cache of `store.rs`
//! (no per-entry heap node), tokio for the connections. Only `serve`: the batch commands exit 2 and say
//! so (impl.toml's `cases` keeps this program to the read_states case).

mod marks;
mod protocol;
mod server;
mod store;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::server::ServerOptions;
use crate::store::Store;
use crate::table::Table;

const USAGE: &str = "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] [--backing FILE]";
/// The cache's bytes per entry, about: a 24-byte entry, 4/3 of a 4-byte bucket, room for the dirty list.
const BYTES_PER_ENTRY: u64 = 24 + 6 + 4;

#[derive(Parser)]
#[command(
    name = "sync_engine",
    about = "sync_engine's read-states service (Rust)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Keep read states in memory and answer the SPEC's frames until SIGTERM or SIGINT.
    Serve {
        /// Address to listen on.
        #[arg(long, value_name = "HOST:PORT", value_parser = parse_listen)]
        listen: String,
        /// Read states held in memory, at most.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1 << 30))]
        entries: u64,
        /// The key space's size (default entries + entries / 4).
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..=1 << 40))]
        keys: Option<u64>,
        /// How often dirty states are written back, in ms.
        #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
        write_back_ms: u64,
        /// Threads serving connections (tokio workers).
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: u64,
        /// The backing table's file (default: anonymous, in memory).
        #[arg(long, value_name = "FILE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
        backing: Option<String>,
    },
    /// The batch commands belong to other implementations.
    #[command(external_subcommand)]
    Other(Vec<String>),
}

fn parse_listen(value: &str) -> Result<String, String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(value.to_string())
        }
        _ => Err("wants HOST:PORT (port 0..65535)".to_string()),
    }
}

fn fail(status: u8, message: &str) -> ExitCode {
    eprintln!("sync_engine: error: {message}");
    ExitCode::from(status)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            let _ = error.print(); // --help
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // clap's own message, first line, without its "error: ": the SPEC wants one line.
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or_default();
            return fail(
                2,
                &format!("{}; {USAGE}", first.trim_start_matches("error: ")),
            );
        }
    };
    match cli.command {
        Command::Other(args) => {
            let name = args.first().map(String::as_str).unwrap_or_default();
            let known = ["sync", "restore", "verify", "chunk"].contains(&name);
            let why = if known {
                "is not implemented here: this program is the read-states service only; use another sync_engine implementation for the batch side"
            } else {
                "is not a command"
            };
            fail(2, &format!("'{name}' {why}; {USAGE}"))
        }
        Command::Serve {
            listen,
            entries,
            keys,
            write_back_ms,
            threads,
            backing,
        } => {
            let keys = keys.unwrap_or(entries + entries / 4);
            if let Err(message) = check_memory(entries) {
                return fail(2, &message);
            }
            let table = match Table::open(backing.as_deref().map(PathBuf::from).as_deref(), keys) {
                Ok(table) => table,
                Err(message) => return fail(2, &message),
            };
            let store = Arc::new(Store::new(entries, table));
            let options = ServerOptions {
                listen,
                threads: threads as usize,
                write_back_period: Duration::from_millis(write_back_ms),
            };
            if let Err(message) = server::run(store.clone(), &options, || {
                store.preload();
                marks::mark_ready();
            }) {
                return fail(2, &message);
            }
            if let Err(error) = store.write_back() {
                return fail(1, &format!("backing table: {error}"));
            }
            let c = store.counters();
            println!(
                "{{\"entries\": {}, \"keys\": {keys}, \"requests\": {}, \"hits\": {}, \"misses\": {}, \"evictions\": {}, \"loaded_from_table\": {}, \"written_back\": {}}}",
                store.len(),
                c.requests,
                c.hits,
                c.misses,
                c.evictions,
                c.loaded_from_table,
                c.written_back
            );
            ExitCode::SUCCESS
        }
    }
}

/// Refuses a cache bigger than the machine's memory (sysinfo), with what to do.
fn check_memory(entries: u64) -> Result<(), String> {
    // SAFETY: sysinfo fills the zeroed struct it is given.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    if unsafe { libc::sysinfo(&mut info) } != 0 {
        return Ok(()); // cannot tell: let the allocation decide
    }
    let total = info.totalram as u64 * info.mem_unit as u64;
    let need = entries * BYTES_PER_ENTRY;
    if need > total {
        return Err(format!(
            "--entries {entries} needs about {} MiB, more than this machine's {} MiB; lower --entries",
            need >> 20,
            total >> 20
        ));
    }
    Ok(())
}
