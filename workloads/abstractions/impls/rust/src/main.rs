//! The claimbench abstractions workload in Rust (workloads/abstractions/SPEC.md): each kernel written as
//! indexed loops (`--style loops`) and as iterator chains (`--style iter`); `--style dyn`, the same chains
//! behind trait objects, is the contrast.
//!
//! Design: one program for both styles, so that the command line, the input, the marks and the pass loop
//! are the same code whichever style runs, and the paired ratio of the two styles (claim S2) measures the
//! kernels alone.

mod input;
mod kernels;
mod marks;

use std::hint::black_box;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use crate::input::SplitMix64;
use crate::kernels::KernelSet;
use crate::marks::Marks;

/// SPEC.md's largest input: no pass's result overflows below it.
const MAX_ELEMENTS: u64 = 1 << 22;

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Kernel {
    SumEvenSquares,
    DotProduct,
    FilterMapCollect,
    Matvec,
    WordLengths,
}

#[derive(Clone, Copy, ValueEnum)]
enum Style {
    Loops,
    Iter,
    /// The contrast: the iterator pipelines behind trait objects.
    Dyn,
}

#[derive(Parser)]
// args_override_self: the last --style wins, so that `claimbench exec` can run another style than the one
// the implementation's manifest passes first.
#[command(
    name = "abstractions",
    about = "The claimbench abstractions workload (Rust)",
    args_override_self = true
)]
struct Cli {
    /// The kernel to run.
    #[arg(value_enum)]
    kernel: Kernel,
    /// Input size: values per array, matrix entries or text bytes.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_ELEMENTS))]
    elements: u64,
    /// How many times the kernel runs over the input.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    passes: u64,
    /// The input's seed.
    #[arg(long)]
    seed: u64,
    /// matvec's columns; elements must be a multiple of it.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=MAX_ELEMENTS))]
    columns: u64,
    /// Which kernels run.
    #[arg(long, value_enum, default_value_t = Style::Loops)]
    style: Style,
}

/// Marks `ready`, runs `pass` `passes` times, marks `done`; the answer wraps at 64 bits.
fn run_passes(marks: &Marks, passes: u64, mut pass: impl FnMut() -> u64) -> u64 {
    marks.mark("ready");
    let answer = (0..passes).fold(0u64, |answer, _| answer.wrapping_add(pass()));
    marks.mark("done");
    answer
}

/// Builds the kernel's input (start-up), then runs the passes. `black_box` hides the input from the
/// optimiser before every pass (SPEC.md, step 2).
fn run(cli: &Cli, k: &KernelSet, marks: &Marks) -> u64 {
    let mut draws = SplitMix64::new(cli.seed);
    let n = cli.elements as usize;
    match cli.kernel {
        Kernel::SumEvenSquares => {
            let values = draws.values(n);
            run_passes(marks, cli.passes, || {
                (k.sum_even_squares)(black_box(&values))
            })
        }
        Kernel::FilterMapCollect => {
            let values = draws.values(n);
            run_passes(marks, cli.passes, || {
                (k.filter_map_collect)(black_box(&values))
            })
        }
        Kernel::DotProduct => {
            let (a, b) = (draws.values(n), draws.values(n));
            run_passes(marks, cli.passes, || {
                (k.dot_product)(black_box(&a), black_box(&b))
            })
        }
        Kernel::Matvec => {
            let (matrix, x) = (draws.values(n), draws.values(cli.columns as usize));
            run_passes(marks, cli.passes, || {
                (k.matvec)(black_box(&matrix), black_box(&x))
            })
        }
        Kernel::WordLengths => {
            let text = draws.text(n);
            run_passes(marks, cli.passes, || (k.word_lengths)(black_box(&text)))
        }
    }
}

/// One line on stderr and exit status 2, as the SPEC asks of every usage error.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("abstractions: {message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help, --version
        Err(error) => {
            // clap's first paragraph on one line: what is wrong, without the usage text below it.
            let rendered = error.render().to_string();
            let paragraph: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            return usage_error(paragraph.join(" ").trim_start_matches("error: "));
        }
    };
    if matches!(cli.kernel, Kernel::Matvec) && cli.elements % cli.columns != 0 {
        return usage_error("--elements must be a multiple of --columns for matvec");
    }
    let kernels = match cli.style {
        Style::Loops => &kernels::LOOPS,
        Style::Iter => &kernels::ITER,
        Style::Dyn => &kernels::DYNAMIC,
    };
    let answer = run(&cli, kernels, &Marks::from_env());
    let name = cli
        .kernel
        .to_possible_value()
        .expect("every kernel has a name");
    println!("{} {answer}", name.get_name());
    ExitCode::SUCCESS
}
