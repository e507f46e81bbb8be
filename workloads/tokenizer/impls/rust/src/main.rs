//! The claimbench tokenizer workload in Rust (workloads/tokenizer/SPEC.md): encode documents to Hugging
//! Face's ids, or decode ids to text, from a byte-level BPE `tokenizer.json`.
//!
//! Design: loading, reading the corpus and checking it is UTF-8 come before the `ready` mark, and so does
//! the rayon pool of `--threads` workers; encoding is timed to `done`, writing the ids is not. With
//! `--threads 1` (and with `--latency-out`) everything runs on the main thread. Bad input exits 2 with
//! one line on stderr.

mod added;
mod bpe;
mod byte_level;
mod config;
mod corpus;
#[path = "../../../../../tools/rust/hot_index.rs"]
mod hot_index;
mod marks;
mod pre_tokenizer;
mod scanner;
mod tokenizer;
mod unicode;

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use thread_local::ThreadLocal;

use crate::marks::Marks;
use crate::tokenizer::{Tokenizer, Workspace};

const USAGE: &str = "usage: tokenizer encode --tokenizer FILE --input FILE [--threads N] [--latency-out FILE] | tokenizer decode --tokenizer FILE --input FILE";

#[derive(Parser)]
#[command(
    name = "tokenizer",
    about = "Byte-level BPE with Hugging Face's ids (claimbench)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write each document's (line's) token ids, space-separated, one line per document.
    Encode {
        #[arg(long, value_name = "FILE")]
        tokenizer: PathBuf,
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        /// Worker threads for the documents.
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: u16,
        /// Encode one document at a time on one thread and write each one's nanoseconds here.
        #[arg(long, value_name = "FILE")]
        latency_out: Option<PathBuf>,
    },
    /// Decode each line of space-separated ids to text.
    Decode {
        #[arg(long, value_name = "FILE")]
        tokenizer: PathBuf,
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
    },
}

/// What went wrong, in one line for stderr, and the exit status it gives.
struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// Bad input or arguments: nothing was measured (exit 2).
    fn input(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: 2,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help: print it and exit 0
        Err(error) => {
            eprintln!("tokenizer: {} ({USAGE})", one_line(&error));
            return ExitCode::from(2);
        }
    };
    let marks = Marks::from_env();
    let result = match cli.command {
        Command::Encode {
            tokenizer,
            input,
            threads,
            latency_out,
        } => encode(
            &tokenizer,
            &input,
            threads.into(),
            latency_out.as_deref(),
            &marks,
        ),
        Command::Decode { tokenizer, input } => decode(&tokenizer, &input, &marks),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("tokenizer: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// clap's message for a usage error in one line: what is wrong, without its usage block.
fn one_line(error: &clap::Error) -> String {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return "missing command (encode or decode)".to_string();
    }
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
        .map(str::trim)
        .collect();
    message.join(" ").trim_start_matches("error: ").to_string()
}

fn load(tokenizer: &Path, input: &Path) -> Result<(Tokenizer, Vec<u8>), Failure> {
    let tokenizer = Tokenizer::from_file(tokenizer).map_err(|e| Failure::input(e.to_string()))?;
    let text = std::fs::read(input).map_err(|error| {
        Failure::input(format!(
            "cannot read {}: {error}; check the path given to --input",
            input.display()
        ))
    })?;
    Ok((tokenizer, text))
}

fn encode(
    tokenizer_path: &Path,
    input: &Path,
    threads: usize,
    latency_out: Option<&Path>,
    marks: &Marks,
) -> Result<(), Failure> {
    let (tokenizer, text) = load(tokenizer_path, input)?;
    let documents = corpus::documents(&text)
        .map_err(|error| Failure::input(format!("{} {error}", input.display())))?;
    // The pool is start-up, not encoding (SPEC.md): its threads exist before `ready`.
    let pool = if threads > 1 && latency_out.is_none() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|error| Failure {
                message: format!("cannot start {threads} threads: {error}"),
                status: 1,
            })?;
        Some(pool)
    } else {
        None
    };
    marks.mark("ready");

    let mut latencies_ns = Vec::new();
    let ids: Vec<Vec<u32>> = match &pool {
        Some(pool) => {
            // One workspace (word cache) per worker thread, empty at `ready`.
            let workspaces: ThreadLocal<RefCell<Workspace>> = ThreadLocal::new();
            pool.install(|| {
                documents
                    .par_iter()
                    .map(|document| {
                        let workspace = workspaces.get_or_default();
                        tokenizer.encode(document, &mut workspace.borrow_mut())
                    })
                    .collect()
            })
        }
        None => {
            let mut workspace = Workspace::default();
            let timed = latency_out.is_some();
            documents
                .iter()
                .map(|document| {
                    let start = timed.then(Instant::now);
                    let ids = tokenizer.encode(document, &mut workspace);
                    if let Some(start) = start {
                        latencies_ns.push(start.elapsed().as_nanos());
                    }
                    ids
                })
                .collect()
        }
    };
    marks.mark("done");

    if let Some(path) = latency_out {
        let lines: String = latencies_ns.iter().map(|ns| format!("{ns}\n")).collect();
        std::fs::write(path, lines).map_err(|error| {
            Failure::input(format!(
                "cannot write {}: {error}; check the path given to --latency-out",
                path.display()
            ))
        })?;
    }
    write_stdout(|out| {
        for line in &ids {
            write_ids(out, line)?;
        }
        Ok(())
    })
}

fn write_ids(out: &mut impl Write, ids: &[u32]) -> std::io::Result<()> {
    if let Some((first, rest)) = ids.split_first() {
        write!(out, "{first}")?;
        for id in rest {
            write!(out, " {id}")?;
        }
    }
    out.write_all(b"\n")
}

fn decode(tokenizer_path: &Path, input: &Path, marks: &Marks) -> Result<(), Failure> {
    let (tokenizer, text) = load(tokenizer_path, input)?;
    let lines = corpus::id_lines(&text)
        .map_err(|error| Failure::input(format!("{} {error}", input.display())))?;
    marks.mark("ready");
    let decoded = lines
        .iter()
        .map(|ids| tokenizer.decode(ids))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| Failure::input(error.to_string()))?;
    marks.mark("done");
    write_stdout(|out| {
        for line in &decoded {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Writes through one buffer and flushes; a failed write (a closed pipe) is exit 1.
fn write_stdout(
    body: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock>) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    body(&mut out)
        .and_then(|()| out.flush())
        .map_err(|error| Failure {
            message: format!("cannot write the output to stdout: {error}"),
            status: 1,
        })
}
