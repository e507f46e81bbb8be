"""sync, restore and verify (SPEC.md). A sync, in order: take STORE/lock; remove temporaries and put back
what a killed sync left; ready; scan and hash the folder (new chunks go to the store's open pack); read
HEAD; adopt remote ids for equal new nodes; reconcile; write the last pack; stage every download
(hash-checked: a corrupt store stops here, before anything is committed); write the tree and HEAD
(skipped when nothing changed); apply locally; save the base; done; statistics."""

import os
import shutil
import threading

from . import local
from .errors import UsageError
from .reconcile import reconcile
from .store import Store
from .tree import tree_hash_of_folder, valid_name

STAT_KEYS = (
    "files_scanned",
    "bytes_scanned",
    "bytes_hashed",
    "chunks_total",
    "chunks_new",
    "chunks_deduplicated",
    "bytes_uploaded",
    "bytes_downloaded",
    "files_uploaded",
    "files_downloaded",
    "deleted_local",
    "deleted_remote",
    "moved",
    "conflicts",
    "skipped",
)


def new_id() -> str:
    """128 random bits in hex: node ids unique across replicas without coordination."""
    return os.urandom(16).hex()


def _inside(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


def run_sync(options, mark) -> dict:
    folder, remote = os.path.abspath(options.local), os.path.abspath(options.remote)
    replica = options.replica if options.replica is not None else os.path.basename(folder)
    if not valid_name(replica):
        raise UsageError(f"--replica names conflicted copies, so it cannot contain '/'; got '{replica}'")
    if _inside(folder, remote) or _inside(remote, folder):
        raise UsageError("--local and --remote must not be inside one another; put the store elsewhere")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"--local {folder} is not a directory")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create --local {folder}: {error}") from error
    store = Store(remote, True, options.hash, options.fsync)
    store.take_lock()
    store.remove_temporaries()
    local.recover(folder, replica)
    mark("ready")

    stats = dict.fromkeys(STAT_KEYS, 0)
    base, records, saved_ns = local.load_base(folder, store.kind)
    tree, scanned = local.scan_local(
        folder,
        base,
        records,
        saved_ns,
        store,
        options.chunker,
        options.threads,
        options.rehash,
        new_id,
        stats,
        threading.Lock(),
    )
    head = store.head()
    remote_tree = store.read_tree(head)
    tree, scanned = local.adopt_remote_ids(tree, scanned, base, remote_tree)
    merged = reconcile(base, tree, remote_tree, replica, new_id)
    store.flush()
    staged = local.stage_downloads(folder, tree, merged.tree, store, stats)
    if merged.tree.nodes != remote_tree.nodes or not head:
        merged.tree.parent = head
        store.set_head(store.put_tree(merged.tree))
    else:
        merged.tree.parent = remote_tree.parent
    try:
        new_records = local.apply_local(folder, tree, scanned, merged.tree, staged, stats)
    except BaseException:
        local.recover(folder, replica)  # put back what was moved aside; the store holds every version
        raise
    local.save_base(folder, merged.tree, new_records)
    mark("done")

    stats["chunks_deduplicated"] = stats["chunks_total"] - stats["chunks_new"]
    stats["deleted_remote"], stats["moved"], stats["conflicts"] = merged.deleted_remote, merged.moved, merged.conflicts
    stats["files_uploaded"] = sum(
        1
        for i, n in merged.tree.nodes.items()
        if not n.is_dir and (i not in remote_tree.nodes or remote_tree.nodes[i].hash != n.hash)
    )
    stats["tree_hash"] = tree_hash_of_folder(folder)  # content hashes are not SHA-256 of the bytes
    return stats


def run_restore(remote: str, out: str, mark) -> int:
    """Writes the store's tree into out (missing or empty), every chunk checked; nothing half-restored."""
    if os.path.exists(out) and not (os.path.isdir(out) and not os.listdir(out)):
        raise UsageError(f"--out {out} must not exist or be an empty folder")
    store = Store(remote, False, None, False)
    store.take_lock()
    tree = store.read_tree(store.head())
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create --out {out}: {error}") from error
    mark("ready")
    paths = tree.paths()
    files = 0
    try:
        for node_id in sorted(paths, key=lambda i: paths[i]):
            node, full = tree.nodes[node_id], os.path.join(out, paths[node_id])
            if node.is_dir:
                os.mkdir(full)
                continue
            data = b"".join(store.read_chunk(chunk, length) for chunk, length in node.chunks)
            with open(full, "wb") as f:
                f.write(data)
            files += 1
    except BaseException:
        for entry in os.listdir(out):
            path = os.path.join(out, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        raise
    mark("done")
    return files


def run_verify(remote: str):
    return Store(remote, False, None, False).verify()
