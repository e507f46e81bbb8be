//! columnar_scan in Rust (workloads/columnar_scan/SPEC.md): `query` maps a data directory's columns,
//! checks them, runs one TPC-H query on `--threads` threads and prints the answer as CSV. main only
//! parses the command line and turns every error into one line on stderr and exit status 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use claimbench_columnar_scan::data_dir::DataDir;
use claimbench_columnar_scan::marks::Marks;
use claimbench_columnar_scan::query::{self, QueryName};

#[derive(Parser)]
#[command(
    name = "columnar_scan",
    about = "TPC-H scans over claimbench column files (Rust)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one query on a data directory and print its answer as CSV.
    Query {
        /// A data directory made by the C++ reference's `generate`.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Which query.
        #[arg(long, value_name = "NAME", value_enum)]
        query: QueryName,
        /// How many threads do the query's work.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: u16,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help: clap prints it on stdout.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("columnar_scan: error: {}", usage_error_line(&error));
            return ExitCode::from(2);
        }
    };
    let Command::Query {
        data,
        query,
        threads,
    } = cli.command;
    let answer = match run_query(&data, query, threads.into(), &Marks::from_env()) {
        Ok(answer) => answer,
        Err(error) => {
            eprintln!("columnar_scan: error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(answer.as_bytes())
        .and_then(|()| stdout.flush())
    {
        eprintln!("columnar_scan: error: cannot write the answer to stdout ({error})");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Start-up (the data mapped and checked, the pool's threads started), `ready`, the query, `done`.
fn run_query(
    data: &std::path::Path,
    name: QueryName,
    threads: usize,
    marks: &Marks,
) -> Result<String> {
    let data = DataDir::open(data)?;
    let query = query::load(name, &data)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("query-{index}"))
        .build()
        .context("cannot start the query's threads")?;
    marks.mark("ready");
    let answer = pool.install(|| query.run())?;
    marks.mark("done");
    Ok(answer)
}

/// clap's message without its usage block, on one line: "invalid value 'q2' for '--query <NAME>'
/// [possible values: q1, q6, q3, q18]; see --help".
fn usage_error_line(error: &clap::Error) -> String {
    if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return "missing subcommand: query --data DIR --query NAME [--threads N]; see --help"
            .into();
    }
    let text = error.render().to_string();
    let first_paragraph = text.split("\n\n").next().unwrap_or_default();
    let message = first_paragraph
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{}; see --help", message.trim_start_matches("error: "))
}
