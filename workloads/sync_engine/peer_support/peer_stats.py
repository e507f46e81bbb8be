"""The statistics line (SPEC.md, Batch sync) for the peers' wrappers, from restic's `--json` summary,
rustic's `--json-progress` summary (restic's fields, same meaning), rsync's `--stats` or borg's `create
--json`, with the tree hash of the local folder (SPEC.md, Tree hash). Untimed: the wrappers call it after
their `done` mark. Standard library only (python3 from Debian).

    peer_stats.py restic|rustic SUMMARY_JSON_FILE LOCAL_DIR
    peer_stats.py rsync STATS_TEXT_FILE LOCAL_DIR
    peer_stats.py borg CREATE_JSON_FILE LOCAL_DIR TOTALS_BEFORE TOTALS_AFTER
    peer_stats.py borg-totals INFO_JSON_FILE      (prints the repository's totals for the line above)
"""

import hashlib
import json
import os
import re
import sys

RESTIC_MAX_CHUNK = 8 << 20  # restic's chunker (Rabin): 512 KiB to 8 MiB, 1 MiB on average; rustic's is the same
BORG_MAX_CHUNK = 8 << 20  # borg 1.2's default chunker (buzhash,19,23,21,4095): 512 KiB to 8 MiB, 2 MiB on average


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
    """restic's `backup --json` summary line, or rustic's `backup --json-progress` one (the same fields)."""
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


def borg_totals(path: str) -> dict:
    """The repository's unique chunks and their uncompressed bytes, and the files' bytes of all its archives,
    from `borg info --json REPO`."""
    with open(path) as f:
        cache = json.load(f)["cache"]["stats"]
    return {"unique_chunks": int(cache["total_unique_chunks"]), "unique_bytes": int(cache["unique_size"]),
            "total_bytes": int(cache["total_size"])}


def from_borg(path: str, before_path: str, after_path: str) -> dict:
    """What one `borg create` added: the repository's totals after it, less before it (uncompressed, like the
    engine's bytes_uploaded; borg's own deduplicated_size is compressed, and its original_size counts the
    archive's own metadata stream too)."""
    with open(path) as f:
        archive = json.load(f)["archive"]["stats"]
    totals = []
    for totals_path in (before_path, after_path):
        with open(totals_path) as f:
            totals.append(json.load(f))
    before, after = totals
    scanned = after["total_bytes"] - before["total_bytes"]
    out = stats(files_scanned=archive["nfiles"], bytes_scanned=scanned, bytes_hashed=scanned,
                chunks_new=after["unique_chunks"] - before["unique_chunks"],
                bytes_uploaded=after["unique_bytes"] - before["unique_bytes"])
    out["chunk_max_bytes"] = BORG_MAX_CHUNK
    return out


USAGE = {"restic": 4, "rustic": 4, "rsync": 4, "borg": 6, "borg-totals": 3}


def main() -> int:
    if len(sys.argv) < 2 or USAGE.get(sys.argv[1]) != len(sys.argv):
        print("usage: peer_stats.py restic|rustic|rsync STATS_FILE LOCAL_DIR | "
              "borg CREATE_JSON LOCAL_DIR BEFORE AFTER | borg-totals INFO_JSON", file=sys.stderr)
        return 2
    tool = sys.argv[1]
    try:
        if tool == "borg-totals":
            print(json.dumps(borg_totals(sys.argv[2])))
            return 0
        if tool == "borg":
            out = from_borg(sys.argv[2], sys.argv[4], sys.argv[5])
        else:
            out = from_rsync(sys.argv[2]) if tool == "rsync" else from_restic(sys.argv[2])
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"sync_engine: error: cannot read the {tool} statistics: {error}", file=sys.stderr)
        return 1
    out["tree_hash"] = tree_hash(sys.argv[3])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
