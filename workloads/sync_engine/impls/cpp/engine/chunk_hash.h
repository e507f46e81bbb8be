// Chunk and hash one buffer (SPEC.md, Chunking and hashing): every chunk's length and digest, and the
// content hash of the whole, each byte hashed once. With `threads` >= 2 the work is pipelined: one
// thread at a time finds the next boundary (the chunker is sequential) while the others hash the chunks
// already found; the result is the same as with one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "chunker.h"
#include "hasher.h"

namespace claimbench::sync {

struct HashedChunk {
  std::uint32_t length = 0;
  std::string hex;  // the chunk's digest, lowercase
};

// Called once per chunk with its bytes and digest. With threads >= 2 it runs on the pipeline's threads,
// several at once and in any order, so it must be thread-safe; an exception it throws stops the work and
// is rethrown by ChunkAndHash.
using ChunkSink = std::function<void(std::span<const std::uint8_t> piece, const std::string& hex)>;

// threads <= 1: a plain loop on the calling thread (no task scheduler involved). threads >= 2: a oneTBB
// parallel_pipeline with 2 * threads chunks in flight; it runs on the calling thread's task arena, so call
// it inside a tbb::task_arena of `threads` threads (as `chunk` and `sync` do).
std::vector<HashedChunk> ChunkAndHash(const Chunker& chunker, HashKind kind,
                                      std::span<const std::uint8_t> data, int threads,
                                      const ChunkSink& sink = {});

}  // namespace claimbench::sync
