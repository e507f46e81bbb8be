//! `chunk --input FILE --mode chunk|hash|chunk+hash` (SPEC.md): the kernels alone. The file is mapped and
//! touched before `ready`; `done` is marked when the kernel is finished, before anything is printed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::chunk_hash::chunk_and_hash;
use crate::chunker::Chunker;
use crate::errors::{Error, Result};
use crate::hashing::HashKind;
use crate::marks::Marks;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Chunk,
    Hash,
    ChunkAndHash,
}

impl Mode {
    pub fn parse(text: &str) -> Result<Mode> {
        match text {
            "chunk" => Ok(Mode::Chunk),
            "hash" => Ok(Mode::Hash),
            "chunk+hash" => Ok(Mode::ChunkAndHash),
            _ => Err(Error::usage(format!(
                "--mode must be chunk, hash or chunk+hash, not '{text}'"
            ))),
        }
    }
}

pub fn run_chunk(
    input: &Path,
    mode: Mode,
    kind: HashKind,
    chunker: &Chunker,
    threads: usize,
    marks: &Marks,
) -> Result<()> {
    let file = File::open(input)
        .map_err(|e| Error::usage(format!("cannot read --input {}: {e}", input.display())))?;
    let len = file
        .metadata()
        .map_err(|e| Error::usage(format!("cannot read --input {}: {e}", input.display())))?
        .len();
    let mapped;
    let data: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: read-only map of an input file that the harness does not change while we run.
        mapped = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| Error::usage(format!("cannot map --input {}: {e}", input.display())))?;
        &mapped
    };
    // Touch every page, so that `ready` means the file is resident.
    let touched = data.iter().step_by(4096).fold(0u8, |acc, b| acc ^ b);
    std::hint::black_box(touched);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Failure(format!("cannot start {threads} threads: {e}")))?;
    marks.mark("ready");
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = match mode {
        Mode::Hash => {
            let hex = kind.hex(data);
            marks.mark("done");
            writeln!(out, "{hex}")
        }
        Mode::Chunk => {
            let chunks: Vec<(usize, usize)> = chunker.chunks(data).collect();
            marks.mark("done");
            chunks
                .iter()
                .try_for_each(|(offset, length)| writeln!(out, "{offset} {length}"))
        }
        Mode::ChunkAndHash => {
            let chunks =
                pool.install(|| chunk_and_hash(data, chunker, kind, threads > 1, &|_, _| Ok(())))?;
            marks.mark("done");
            chunks
                .iter()
                .try_for_each(|c| writeln!(out, "{} {} {}", c.offset, c.length, c.digest.hex()))
        }
    };
    result
        .and_then(|_| out.flush())
        .map_err(|e| Error::Failure(format!("cannot write the output: {e}")))
}
