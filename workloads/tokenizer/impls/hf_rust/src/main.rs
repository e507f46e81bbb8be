//! Peer for the tokenizer workload (../../SPEC.md): Hugging Face's `tokenizers` crate, HF's Rust core,
//! called from a small Rust program, so that claim S6 can be judged on HF's Rust without Python's object
//! conversion in the way (the `hf` peer calls the same core through its Python binding).
//!
//! Design: HF 1.0's API (`tokenizers` 1.0.0-rc.3). The suite's `tokenizer.json` files are HF's version
//! 1.0 format, which HF 1.0 reads after its own upgrade pass (`canonicalize_file`, then `from_json`), as
//! its Python binding does. What HF's users call for throughput is `PipelineTokenizer::encode` on the
//! whole batch (the documents made into HF's `Inputs` before `ready`), which HF spreads over its own
//! rayon pool of `set_num_threads(--threads)` workers; with `--threads 1` it runs on the main thread.
//! HF starts that pool on the first batch big enough to split (there is no call to start it sooner), so
//! its threads start inside the timed part: tens of microseconds. `--latency-out` encodes one document
//! at a time, on one thread. The corpus is read, split and checked for UTF-8 before `ready`; anything HF
//! refuses to load, and bad arguments, exit 2 with one line.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use tokenizers::parallelism::set_num_threads;
use tokenizers::pipeline::{EncodeOptions, Inputs, PipelineToken, PipelineTokenizer};

#[derive(Parser)]
#[command(
    name = "hf_rust",
    about = "Hugging Face tokenizers (Rust crate) for claimbench"
)]
struct Cli {
    /// encode or decode.
    #[arg(value_parser = ["encode", "decode"])]
    command: String,
    #[arg(long, value_name = "FILE")]
    tokenizer: PathBuf,
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Worker threads for encode_batch (encode only).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Encode one document at a time and write each one's nanoseconds here (encode only).
    #[arg(long, value_name = "FILE")]
    latency_out: Option<PathBuf>,
}

/// One line for stderr; every failure before `ready` is bad input or arguments (exit 2).
type Failure = String;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            let text = error.render().to_string();
            let reason: Vec<&str> = text
                .lines()
                .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
                .map(str::trim)
                .collect();
            eprintln!(
                "hf_rust: {}; usage: hf_rust encode|decode --tokenizer FILE --input FILE [--threads N] [--latency-out FILE]",
                reason.join(" ").trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err((message, status)) => {
            eprintln!("hf_rust: {message}");
            ExitCode::from(status)
        }
    }
}

fn run(cli: &Cli) -> Result<(), (Failure, u8)> {
    let decode = cli.command == "decode";
    if decode && (cli.threads.is_some() || cli.latency_out.is_some()) {
        return Err(("decode takes only --tokenizer and --input".into(), 2));
    }
    let tokenizer = load(&cli.tokenizer).map_err(|error| {
        let message = format!("cannot load {}: {error}", cli.tokenizer.display());
        (message.replace('\n', " "), 2)
    })?;
    let text = std::fs::read(&cli.input).map_err(|error| {
        let message = format!(
            "cannot read {}: {error}; check --input",
            cli.input.display()
        );
        (message, 2)
    })?;
    let lines = documents(&text, &cli.input).map_err(|message| (message, 2))?;
    let output = if decode {
        decode_lines(&tokenizer, &lines)
    } else {
        let threads = cli.threads.unwrap_or(1) as usize;
        encode(&tokenizer, lines, threads, cli.latency_out.as_deref())
    }
    .map_err(|message| (message, 1))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    out.write_all(output.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| (format!("cannot write to stdout: {error}"), 1))
}

/// HF 1.0 reads its canonical format (version 2.0): an older `tokenizer.json` goes through HF's upgrade
/// pass first, as `Tokenizer.from_file` does in HF 1.0's Python binding.
fn load(path: &Path) -> Result<PipelineTokenizer, String> {
    let canonical = tokenizers::canonicalize_file(path).map_err(|error| error.to_string())?;
    tokenizers::from_json(&canonical).map_err(|error| error.to_string())
}

/// SPEC.md's documents: lines split on `\n` only; a last line without `\n` counts when not empty.
fn documents<'a>(text: &'a [u8], path: &Path) -> Result<Vec<&'a str>, Failure> {
    let text = std::str::from_utf8(text).map_err(|error| {
        let line = text[..error.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!(
            "{} line {line}: invalid UTF-8; the input must be UTF-8 text",
            path.display()
        )
    })?;
    let body = text.strip_suffix('\n').unwrap_or(text);
    Ok(if text.is_empty() {
        Vec::new()
    } else {
        body.split('\n').collect()
    })
}

fn encode(
    tokenizer: &PipelineTokenizer,
    documents: Vec<&str>,
    threads: usize,
    latency_out: Option<&Path>,
) -> Result<String, Failure> {
    let failed = |error| format!("encoding failed: {error}");
    // As `encode_batch(documents, add_special_tokens=False)` in HF's Python API.
    let options = EncodeOptions::no_specials();
    // HF's pool size; 1 makes every encode serial, on this thread.
    set_num_threads(if latency_out.is_none() { threads } else { 1 });
    let mut latencies = String::new();
    let encodings = match latency_out {
        None => {
            let batch = Inputs::from(documents);
            mark("ready");
            tokenizer.encode(batch, &options).wait().map_err(failed)?
        }
        Some(_) => {
            mark("ready");
            let mut encodings = Vec::with_capacity(documents.len());
            for document in documents {
                let start = Instant::now();
                encodings.extend(
                    tokenizer
                        .encode(document, &options)
                        .wait()
                        .map_err(failed)?,
                );
                latencies.push_str(&format!("{}\n", start.elapsed().as_nanos()));
            }
            encodings
        }
    };
    mark("done");
    if let Some(path) = latency_out {
        std::fs::write(path, latencies)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    let mut out = String::new();
    for encoding in &encodings {
        let ids: Vec<String> = PipelineToken::cast_slice(encoding.ids())
            .iter()
            .map(u32::to_string)
            .collect();
        out.push_str(&ids.join(" "));
        out.push('\n');
    }
    Ok(out)
}

fn decode_lines(tokenizer: &PipelineTokenizer, lines: &[&str]) -> Result<String, Failure> {
    let ids: Vec<Vec<u32>> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            line.split_whitespace()
                .map(|id| {
                    id.parse()
                        .map_err(|_| format!("line {}: '{id}' is not an id", index + 1))
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    mark("ready");
    let mut out = String::new();
    for line in &ids {
        out.push_str(
            &tokenizer
                .decode(line, false)
                .map_err(|e| format!("decoding failed: {e}"))?,
        );
        out.push('\n');
    }
    mark("done");
    Ok(out)
}

/// Writes `<name> <CLOCK_MONOTONIC ns>` to the harness's mark pipe (docs/implementation_protocol.md),
/// when CLAIMBENCH_MARK_FD names one.
fn mark(name: &str) {
    let Some(fd) = std::env::var("CLAIMBENCH_MARK_FD")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write; CLOCK_MONOTONIC exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    let ns = now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64;
    // SAFETY: the descriptor is the harness's, for marks only; ManuallyDrop leaves it open.
    let mut pipe = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
    let _ = pipe.write_all(format!("{name} {ns}\n").as_bytes());
}
