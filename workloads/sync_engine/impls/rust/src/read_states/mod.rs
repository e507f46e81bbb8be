//! `serve`: the read-states service (SPEC.md, Service mode). The packed cache of `store.rs` (no per-entry
//! heap node) and tokio for the connections; `serve` parses its own flags with clap, reduced to the SPEC's
//! one `sync_engine: error:` line (exit 2).

mod protocol;
mod server;
mod store;
mod table;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

use crate::errors::{Error, Result};
use crate::marks::Marks;
use server::ServerOptions;
use store::Store;
use table::Table;

const USAGE: &str = "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] [--backing FILE]";
/// The cache's bytes per entry, about: a 24-byte entry, 4/3 of a 4-byte bucket, room for the dirty list.
const BYTES_PER_ENTRY: u64 = 24 + 6 + 4;

/// Keep read states in memory and answer the SPEC's frames until SIGTERM or SIGINT.
#[derive(Parser)]
#[command(name = "sync_engine serve")]
struct ServeArgs {
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
}

fn parse_listen(value: &str) -> std::result::Result<String, String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(value.to_string())
        }
        _ => Err("wants HOST:PORT (port 0..65535)".to_string()),
    }
}

/// Runs `serve` with its arguments (after the word `serve`) until SIGTERM or SIGINT, marks `ready` once
/// the cache is loaded and listening, and prints the exit report (one JSON line) on stdout. Errors: usage,
/// an unusable address or backing file, or a cache bigger than the machine (exit 2); a failed final
/// write-back (exit 1).
pub fn serve(args: &[String], marks: &Marks) -> Result<()> {
    let words = std::iter::once("sync_engine serve").chain(args.iter().map(String::as_str));
    let a = match ServeArgs::try_parse_from(words) {
        Ok(a) => a,
        Err(error) if !error.use_stderr() => {
            let _ = error.print(); // --help
            return Ok(());
        }
        Err(error) => {
            // clap's own message, first line, without its "error: ": the SPEC wants one line.
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or_default();
            return Err(Error::usage(format!(
                "{}; {USAGE}",
                first.trim_start_matches("error: ")
            )));
        }
    };
    let keys = a.keys.unwrap_or(a.entries + a.entries / 4);
    check_memory(a.entries)?;
    let table = Table::open(a.backing.as_deref().map(PathBuf::from).as_deref(), keys)
        .map_err(Error::usage)?;
    let store = Arc::new(Store::new(a.entries, table));
    let options = ServerOptions {
        listen: a.listen,
        threads: a.threads as usize,
        write_back_period: Duration::from_millis(a.write_back_ms),
    };
    server::run(store.clone(), &options, || {
        store.preload();
        marks.mark("ready");
    })
    .map_err(Error::usage)?;
    store
        .write_back()
        .map_err(|error| Error::Failure(format!("backing table: {error}")))?;
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
    Ok(())
}

/// Refuses a cache bigger than the machine's memory (sysinfo), with what to do.
fn check_memory(entries: u64) -> Result<()> {
    // SAFETY: sysinfo fills the zeroed struct it is given.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    if unsafe { libc::sysinfo(&mut info) } != 0 {
        return Ok(()); // cannot tell: let the allocation decide
    }
    let total = info.totalram as u64 * info.mem_unit as u64;
    let need = entries * BYTES_PER_ENTRY;
    if need > total {
        return Err(Error::usage(format!(
            "--entries {entries} needs about {} MiB, more than this machine's {} MiB; lower --entries",
            need >> 20,
            total >> 20
        )));
    }
    Ok(())
}
