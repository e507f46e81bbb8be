"""The Read States service of sync_engine (SPEC.md, "Service mode") in Python: asyncio (uvloop) serving the
32-byte frame protocol from an LRU of read states, written back to a backing table outside the heap."""
