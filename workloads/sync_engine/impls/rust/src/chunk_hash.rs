//! Boundaries and chunk digests in one pass over a buffer: on one thread a plain loop; on N threads the
//! boundary finder runs on one and the chunks it finds are hashed on the others, in batches, with the
//! output in file order either way (SPEC.md, `chunk --threads`).

use std::sync::mpsc;

use crate::chunker::Chunker;
use crate::errors::Result;
use crate::hashing::{Digest, HashKind};

/// One chunk of a buffer: where it lies and its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashedChunk {
    pub offset: usize,
    pub length: usize,
    pub digest: Digest,
}

/// Chunks handed to one hashing task: about 1 MiB at the default sizes, so a task is long enough to be
/// worth a hand-off and short enough that the finder stays ahead.
const BATCH_CHUNKS: usize = 16;

/// Every chunk of `data` with its digest, in order. `on_chunk` sees each chunk's bytes and digest once
/// (from any thread: the sync stores chunks there) and may fail, which stops the work with that error.
/// `parallel` true overlaps boundary finding with hashing on the current rayon pool (the caller's
/// `--threads`); false runs on this thread alone.
pub fn chunk_and_hash<F>(
    data: &[u8],
    chunker: &Chunker,
    kind: HashKind,
    parallel: bool,
    on_chunk: &F,
) -> Result<Vec<HashedChunk>>
where
    F: Fn(&[u8], &Digest) -> Result<()> + Sync,
{
    let hash_one = |(offset, length): (usize, usize)| -> Result<HashedChunk> {
        let bytes = &data[offset..offset + length];
        let digest = kind.digest(bytes);
        on_chunk(bytes, &digest)?;
        Ok(HashedChunk {
            offset,
            length,
            digest,
        })
    };
    if !parallel || rayon::current_num_threads() < 2 {
        return chunker.chunks(data).map(hash_one).collect();
    }
    let (sender, receiver) = mpsc::channel();
    rayon::scope(|scope| {
        let mut batch = Vec::with_capacity(BATCH_CHUNKS);
        let mut batches = 0usize;
        let mut hand_off = |batch: Vec<(usize, usize)>| {
            let sender = sender.clone();
            let index = batches;
            batches += 1;
            let hash_one = &hash_one;
            scope.spawn(move |_| {
                let hashed: Result<Vec<HashedChunk>> = batch.into_iter().map(hash_one).collect();
                // The receiver outlives the scope, so the send cannot fail.
                let _ = sender.send((index, hashed));
            });
        };
        for chunk in chunker.chunks(data) {
            batch.push(chunk);
            if batch.len() == BATCH_CHUNKS {
                hand_off(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(BATCH_CHUNKS),
                ));
            }
        }
        if !batch.is_empty() {
            hand_off(batch);
        }
    });
    drop(sender);
    let mut batches: Vec<(usize, Result<Vec<HashedChunk>>)> = receiver.into_iter().collect();
    batches.sort_unstable_by_key(|(index, _)| *index);
    let mut chunks = Vec::new();
    for (_, hashed) in batches {
        chunks.extend(hashed?);
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunker::{ChunkSizes, splitmix64};

    #[test]
    fn threads_give_what_one_thread_gives() {
        let chunker = Chunker::new(ChunkSizes {
            min: 256,
            avg: 1024,
            max: 4096,
        });
        let mut state = 3;
        let data: Vec<u8> = (0..300_000).map(|_| splitmix64(&mut state) as u8).collect();
        for kind in [HashKind::Sha256, HashKind::Fast] {
            let one = chunk_and_hash(&data, &chunker, kind, false, &|_, _| Ok(())).unwrap();
            assert!(one.len() > 100);
            for threads in [2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let many = pool
                    .install(|| chunk_and_hash(&data, &chunker, kind, true, &|_, _| Ok(())))
                    .unwrap();
                assert_eq!(one, many);
            }
        }
    }
}
