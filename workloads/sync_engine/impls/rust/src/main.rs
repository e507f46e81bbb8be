//! sync_engine in Rust (workloads/sync_engine/SPEC.md): the batch side (`sync`, `restore`, `verify` and
//! `chunk`) and the read-states service (`serve`, module `read_states`). `main` parses the command line and
//! turns every error into one stderr line and the SPEC's exit status: 2 usage or unreadable input, 3
//! corrupt store or local state, 4 local folder changed.
//!
//! The batch command lines are parsed by hand: the SPEC wants one `sync_engine: error:` line for every
//! mistake, `--key value` and `--key=value`, and sizes with K/M suffixes, which a derive parser's
//! multi-line usage errors would have to be rewritten into anyway. `serve`'s plain flags go through clap.

mod chunk_command;
mod chunk_hash;
mod chunker;
mod errors;
mod hashing;
mod local_apply;
mod local_scan;
mod local_state;
mod marks;
mod read_states;
mod reconcile;
mod store;
mod sync;
mod tree;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::chunk_command::{Mode, run_chunk};
use crate::chunker::{ChunkSizes, Chunker};
use crate::errors::{Error, Result};
use crate::hashing::HashKind;
use crate::marks::Marks;
use crate::sync::{SyncOptions, run_restore, run_sync, run_verify};

const USAGE: &str = "usage: sync_engine sync --local DIR --remote STORE [--hash sha256|fast] [--min BYTES] [--avg BYTES] \
[--max BYTES] [--threads N] [--replica NAME] [--rehash] [--fsync] | restore --remote STORE --out DIR | verify --remote STORE | \
chunk --input FILE [--mode chunk|hash|chunk+hash] [--hash sha256|fast] [--min BYTES] [--avg BYTES] [--max BYTES] [--threads N] | \
serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] [--backing FILE]";

/// `--key value` / `--key=value` pairs and bare `--flag`s, each at most once; anything else is an error.
struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String], valued: &[&str], flags: &[&str]) -> Result<Options> {
        let mut options = HashMap::new();
        let mut words = args.iter();
        while let Some(word) = words.next() {
            let Some(key) = word.strip_prefix("--") else {
                return Err(Error::usage(format!(
                    "unexpected argument '{word}'; {USAGE}"
                )));
            };
            let (key, inline) = match key.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (key, None),
            };
            let value = if flags.contains(&key) {
                if inline.is_some() {
                    return Err(Error::usage(format!("--{key} takes no value")));
                }
                String::new()
            } else if valued.contains(&key) {
                match inline.or_else(|| words.next().cloned()) {
                    Some(v) => v,
                    None => return Err(Error::usage(format!("--{key} needs a value"))),
                }
            } else {
                return Err(Error::usage(format!("unknown option --{key}; {USAGE}")));
            };
            if options.insert(key.to_string(), value).is_some() {
                return Err(Error::usage(format!("--{key} given twice")));
            }
        }
        Ok(Options(options))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn required(&self, key: &str) -> Result<&str> {
        self.get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::usage(format!("--{key} is required; {USAGE}")))
    }

    fn flag(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    fn hash(&self) -> Result<Option<HashKind>> {
        self.get("hash").map(HashKind::parse).transpose()
    }

    fn threads(&self) -> Result<usize> {
        let text = self.get("threads").unwrap_or("1");
        match text.parse::<usize>() {
            Ok(n) if (1..=1024).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(Error::usage(format!(
                "--threads must be a whole number from 1 to 1024, not '{text}'"
            ))),
        }
    }

    fn chunker(&self) -> Result<Chunker> {
        let mut sizes = ChunkSizes::default();
        for (key, field) in [
            ("min", &mut sizes.min),
            ("avg", &mut sizes.avg),
            ("max", &mut sizes.max),
        ] {
            if let Some(text) = self.get(key) {
                *field = parse_size(text, key)?;
            }
        }
        sizes.validate()?;
        Ok(Chunker::new(sizes))
    }
}

/// A byte count, plain or with a K or M suffix (powers of 1024).
fn parse_size(text: &str, key: &str) -> Result<usize> {
    let (digits, unit) = match text.strip_suffix(['K', 'k']) {
        Some(d) => (d, 1 << 10),
        None => match text.strip_suffix(['M', 'm']) {
            Some(d) => (d, 1 << 20),
            None => (text, 1),
        },
    };
    digits
        .parse::<usize>()
        .ok()
        .filter(|_| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| {
            Error::usage(format!(
                "--{key} must be a byte count such as 65536, 64K or 1M, not '{text}'"
            ))
        })
}

fn run(args: &[String], marks: &Marks) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        return Err(Error::usage(format!("no command given; {USAGE}")));
    };
    match command.as_str() {
        "sync" => {
            let o = Options::parse(
                rest,
                &[
                    "local", "remote", "hash", "min", "avg", "max", "threads", "replica",
                ],
                &["rehash", "fsync"],
            )?;
            let options = SyncOptions {
                local: PathBuf::from(o.required("local")?),
                remote: PathBuf::from(o.required("remote")?),
                hash: o.hash()?,
                chunker: o.chunker()?,
                threads: o.threads()?,
                replica: o.get("replica").map(str::to_string),
                rehash: o.flag("rehash"),
                fsync: o.flag("fsync"),
            };
            let stats = run_sync(&options, marks)?;
            println!(
                "{}",
                serde_json::to_string(&stats).expect("statistics serialise")
            );
        }
        "restore" => {
            let o = Options::parse(rest, &["remote", "out"], &[])?;
            let files = run_restore(
                o.required("remote")?.as_ref(),
                o.required("out")?.as_ref(),
                marks,
            )?;
            println!("{{\"files\": {files}}}");
        }
        "verify" => {
            let o = Options::parse(rest, &["remote"], &[])?;
            let report = run_verify(o.required("remote")?.as_ref())?;
            if !report.problems.is_empty() {
                for problem in &report.problems {
                    eprintln!("sync_engine: corrupt: {problem}");
                }
                return Err(Error::Corrupt {
                    object: String::new(),
                    what: String::new(),
                });
            }
            println!(
                "{{\"ok\": true, \"chunks\": {}, \"manifests\": {}, \"bytes\": {}}}",
                report.chunks, report.manifests, report.bytes
            );
        }
        "chunk" => {
            let o = Options::parse(
                rest,
                &["input", "mode", "hash", "min", "avg", "max", "threads"],
                &[],
            )?;
            let mode = Mode::parse(o.get("mode").unwrap_or("chunk"))?;
            let threads = o.threads()?;
            if threads > 1 && mode != Mode::ChunkAndHash {
                return Err(Error::usage(
                    "--threads above 1 is for --mode chunk+hash only",
                ));
            }
            let kind = o.hash()?.unwrap_or(HashKind::Sha256);
            run_chunk(
                o.required("input")?.as_ref(),
                mode,
                kind,
                &o.chunker()?,
                threads,
                marks,
            )?;
        }
        "serve" => read_states::serve(rest, marks)?,
        other => return Err(Error::usage(format!("unknown command '{other}'; {USAGE}"))),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let marks = Marks::from_env();
    match run(&args, &marks) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // verify has printed its problems already; every other error is one line here.
            if !matches!(&error, Error::Corrupt { object, .. } if object.is_empty()) {
                eprintln!("{error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
