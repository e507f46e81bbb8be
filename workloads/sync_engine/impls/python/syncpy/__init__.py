"""sync_engine's batch side in plain Python (../../SPEC.md): FastCDC, hashlib SHA-256, a format 4 store,
three-tree sync. The typical Python baseline for claim S3, deliberately not tuned."""
