"""Boundaries and chunk digests in one pass: on one thread a plain loop; with --threads N this thread
finds boundaries and N-1 worker threads hash batches of chunks (hashlib releases the GIL on large
buffers), output in file order either way."""

from concurrent.futures import ThreadPoolExecutor

BATCH_CHUNKS = 16


def chunk_and_hash(view, chunker, kind, threads: int, on_chunk=None) -> list[tuple[int, int, bytes]]:
    """(offset, length, digest) of every chunk of view; on_chunk(bytes, digest) sees each once."""

    def hash_batch(spans):
        out = []
        for offset, length in spans:
            piece = view[offset : offset + length]
            digest = kind.digest(piece)
            if on_chunk is not None:
                on_chunk(piece, digest)
            out.append((offset, length, digest))
        return out

    if threads <= 1:
        return hash_batch(chunker.chunks(view))
    futures, batch, offset = [], [], 0
    with ThreadPoolExecutor(max_workers=threads - 1) as pool:
        while offset < len(view):
            length = chunker.cut(view, offset)
            batch.append((offset, length))
            offset += length
            if len(batch) == BATCH_CHUNKS:
                futures.append(pool.submit(hash_batch, batch))
                batch = []
        if batch:
            futures.append(pool.submit(hash_batch, batch))
        return [chunk for future in futures for chunk in future.result()]
