"""The statistics line (SPEC.md, Batch sync) for the peers' wrappers, from restic's `--json` summary or
rsync's `--stats`, with the tree hash of the local folder (SPEC.md, Tree hash). Untimed: the wrappers call
it after their `done` mark. Standard library only (python3 from Debian).

    peer_stats.py restic SUMMARY_JSON_FILE LOCAL_DIR
    peer_stats.py rsync STATS_TEXT_FILE LOCAL_DIR
"""

import hashlib
import json
import os
import re
import sys

RESTIC_MAX_CHUNK = 8 << 20  # restic's chunker (Rabin): 512 KiB to 8 MiB, 1 MiB on average


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(root: str) -> str:
    entries = []
    for directory, dirs, files in os.walk(root):
        if directory == root and ".claimsync" in dirs:
            dirs.remove(".claimsync")
        for name in files:
            full = os.path.join(directory, name)
            if os.path.isfile(full) and not os.path.islink(full):
                relative = os.path.relpath(full, root).replace(os.sep, "/")
                entries.append((os.fsencode(relative), full))
    digest = hashlib.sha256()
    for relative, full in sorted(entries):
        size = str(os.path.getsize(full)).encode()
        digest.update(relative + b"\0" + size + b"\0" + file_sha256(full).encode() + b"\n")
    return digest.hexdigest()


def stats(**values: int) -> dict:
    keys = ["files_scanned", "bytes_scanned", "bytes_hashed", "chunks_total", "chunks_new", "chunks_deduplicated",
            "bytes_uploaded", "bytes_downloaded", "files_uploaded", "files_downloaded", "deleted_local",
            "deleted_remote", "moved", "conflicts", "skipped"]
    return {key: int(values.get(key, 0)) for key in keys}


def from_restic(path: str) -> dict:
    with open(path) as f:
        summary = json.load(f)
    out = stats(files_scanned=summary["total_files_processed"], bytes_scanned=summary["total_bytes_processed"],
                bytes_hashed=summary["total_bytes_processed"], chunks_new=summary["data_blobs"],
                bytes_uploaded=summary["data_added"], files_uploaded=summary["files_new"] + summary["files_changed"])
    out["chunk_max_bytes"] = RESTIC_MAX_CHUNK
    return out


def from_rsync(path: str) -> dict:
    with open(path) as f:
        text = f.read().replace(",", "")

    def number(pattern: str) -> int:
        match = re.search(pattern, text)
        if match is None:
            raise ValueError(f"rsync --stats has no '{pattern}'")
        return int(match.group(1))

    out = stats(files_scanned=number(r"Number of files: \d+ \(reg: (\d+)"),
                bytes_scanned=number(r"Total file size: (\d+)"),
                bytes_uploaded=number(r"Total transferred file size: (\d+)"),
                files_uploaded=number(r"Number of regular files transferred: (\d+)"),
                deleted_remote=number(r"Number of deleted files: (\d+)"))
    out["deduplicates"] = False  # rsync keeps one copy of the tree; it has no chunk store
    return out


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("restic", "rsync"):
        print("usage: peer_stats.py restic|rsync STATS_FILE LOCAL_DIR", file=sys.stderr)
        return 2
    try:
        out = from_restic(sys.argv[2]) if sys.argv[1] == "restic" else from_rsync(sys.argv[2])
    except (OSError, ValueError, KeyError) as error:
        print(f"sync_engine: error: cannot read the {sys.argv[1]} statistics: {error}", file=sys.stderr)
        return 1
    out["tree_hash"] = tree_hash(sys.argv[3])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
