"""The local side of a sync (SPEC.md, Batch sync): the engine's state in DIR/.claimsync/ (base.json,
journal.json while moving, tmp/), the scan (nodes recognised by inode then path; a file is hashed again
only when size, mtime or inode changed, or its mtime is not older than the base, or --rehash), staged
downloads, and making the folder equal to the merged tree: never replacing, moving or removing a file
that changed since the scan (exit 4), moves through tmp/ under a journal."""

import json
import mmap
import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor

from .chunk_hash import chunk_and_hash
from .errors import CorruptError, LocalChangedError
from .reconcile import conflicted_name
from .tree import STATE_DIR, Node, Tree, tree_from_wire

BASE_OBJECT = ".claimsync/base.json"
PIPELINE_MAX_CHUNKS = 4  # files of at least this many max-size chunks go through the chunk pipeline


def record_of(st) -> list[int]:
    """What the base remembers of a node on disk: [size, mtime in ns, inode]."""
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def tmp_dir(folder: str) -> str:
    return os.path.join(folder, STATE_DIR, "tmp")


def load_base(folder: str, kind):
    """(tree, records by id, base.json's mtime in ns); an empty base when there is none."""
    path = os.path.join(folder, BASE_OBJECT)
    try:
        with open(path, "rb") as f:
            wire = json.load(f)
        saved = os.stat(path).st_mtime_ns
        return tree_from_wire(wire["tree"], kind), wire["records"], saved
    except FileNotFoundError:
        return Tree(), {}, 0
    except (ValueError, KeyError, TypeError) as error:
        raise CorruptError(BASE_OBJECT, f"{error}; remove .claimsync/ to sync this folder afresh") from error


def save_base(folder: str, tree: Tree, records: dict) -> None:
    temp = os.path.join(tmp_dir(folder), "base.json")
    with open(temp, "w") as f:
        json.dump({"tree": tree.to_wire(), "records": records}, f)
    os.rename(temp, os.path.join(folder, BASE_OBJECT))


def recover(folder: str, replica: str) -> None:
    """Puts back what a killed or stopped apply left in tmp/ (at its old path, or beside it as a conflicted
    copy when that is taken), then empties tmp/."""
    journal = os.path.join(folder, STATE_DIR, "journal.json")
    if os.path.exists(journal):
        with open(journal) as f:
            moves = json.load(f)
        for temp, path in moves:
            staged = os.path.join(tmp_dir(folder), temp)
            if not os.path.lexists(staged):
                continue
            target = os.path.join(folder, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            name, k = os.path.basename(target), 1
            while os.path.lexists(target):
                target = os.path.join(os.path.dirname(target), conflicted_name(name, replica, k))
                k += 1
            os.rename(staged, target)
        os.remove(journal)
    if os.path.isdir(tmp_dir(folder)):
        for entry in os.scandir(tmp_dir(folder)):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.remove(entry.path)
    os.makedirs(tmp_dir(folder), exist_ok=True)


def _walk(folder: str, prefix: str, parent: int, entries: list, stats: dict) -> None:
    for name in sorted(os.listdir(os.path.join(folder, prefix) if prefix else folder)):
        if not prefix and name == STATE_DIR:
            continue
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:  # not UTF-8 on disk: a tree cannot name it
            stats["skipped"] += 1
            continue
        path = f"{prefix}/{name}" if prefix else name
        st = os.lstat(os.path.join(folder, path))
        if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
            stats["skipped"] += 1
            continue
        entries.append((path, name, parent, stat.S_ISDIR(st.st_mode), record_of(st)))
        if stat.S_ISDIR(st.st_mode):
            _walk(folder, path, len(entries) - 1, entries, stats)


def hash_file(path: str, store, chunker, threads: int, stats: dict, lock):
    """(size, content hash, chunks, record) of one file, its chunks stored; exit 4 if it changed."""
    with open(path, "rb") as f:
        before = os.fstat(f.fileno())
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if before.st_size else b""
        try:
            view = memoryview(data)

            def store_chunk(piece, digest):
                new = store.put_chunk(digest, piece)
                with lock:
                    stats["chunks_total"] += 1
                    if new:
                        stats["chunks_new"] += 1
                        stats["bytes_uploaded"] += len(piece)

            pipeline = threads if len(view) >= PIPELINE_MAX_CHUNKS * chunker.sizes.max else 1
            chunks = chunk_and_hash(view, chunker, store.kind, pipeline, store_chunk)
            view.release()
        finally:
            if before.st_size:
                data.close()
        after = os.fstat(f.fileno())
    if record_of(after) != record_of(before):
        raise LocalChangedError(path)
    with lock:
        stats["bytes_hashed"] += before.st_size
    refs = [[digest.hex(), length] for _, length, digest in chunks]
    content = store.kind.hex(b"".join(digest for _, _, digest in chunks))
    return before.st_size, content, refs, record_of(before)


def scan_local(
    folder: str, base: Tree, records: dict, saved_ns: int, store, chunker, threads, rehash, new_id, stats, lock
):
    """The local tree (ids from the base where recognised) and each node's record."""
    entries = []
    _walk(folder, "", -1, entries, stats)
    base_paths = base.paths()
    id_by_path = {p: i for i, p in base_paths.items()}
    id_by_inode = {r[2]: i for i, r in records.items() if i in base.nodes}
    claimed, ids = set(), []
    for _, _, _, is_dir, record in entries:
        node_id = id_by_inode.get(record[2])
        ok = node_id is not None and base.nodes[node_id].is_dir == is_dir and node_id not in claimed
        ids.append(node_id if ok else None)
        if ok:
            claimed.add(node_id)
    for k, (path, _, _, is_dir, _) in enumerate(entries):
        if ids[k] is None:
            node_id = id_by_path.get(path)
            if node_id is not None and base.nodes[node_id].is_dir == is_dir and node_id not in claimed:
                claimed.add(node_id)
                ids[k] = node_id
            else:
                ids[k] = new_id()
    tree, scanned, to_hash = Tree(), {}, []
    for k, (_, name, parent, is_dir, record) in enumerate(entries):
        node = Node(ids[k], ids[parent] if parent >= 0 else "", name, is_dir)
        if not is_dir:
            stats["files_scanned"] += 1
            stats["bytes_scanned"] += record[0]
            known = base.nodes.get(node.id)
            if known is not None and not rehash and records.get(node.id) == record and record[1] < saved_ns:
                node.size, node.hash, node.chunks = known.size, known.hash, [list(c) for c in known.chunks]
            else:
                to_hash.append(k)
        scanned[node.id] = record
        tree.nodes[node.id] = node
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(
            pool.map(
                lambda k: hash_file(os.path.join(folder, entries[k][0]), store, chunker, threads, stats, lock), to_hash
            )
        )
    for k, (size, content, refs, record) in zip(to_hash, results, strict=True):
        node = tree.nodes[ids[k]]
        node.size, node.hash, node.chunks = size, content, refs
        scanned[node.id] = record
    return tree, scanned


def adopt_remote_ids(tree: Tree, scanned: dict, base: Tree, remote: Tree) -> tuple[Tree, dict]:
    """Gives a new local node the id of an equal new remote node at the same path."""
    remote_by_path = {p: i for i, p in remote.paths().items() if i not in base.nodes and i not in tree.nodes}
    renamed = {}
    for node_id, path in tree.paths().items():
        theirs = remote_by_path.get(path)
        if theirs is None or node_id in base.nodes:
            continue
        mine, other = tree.nodes[node_id], remote.nodes[theirs]
        if mine.is_dir == other.is_dir and (mine.is_dir or mine.hash == other.hash):
            renamed[node_id] = theirs
    if not renamed:
        return tree, scanned
    adopted, records = Tree(), {}
    for node_id, node in tree.nodes.items():
        node.id = renamed.get(node_id, node_id)
        node.parent = renamed.get(node.parent, node.parent)
        adopted.nodes[node.id] = node
        records[node.id] = scanned[node_id]
    return adopted, records


def stage_downloads(folder: str, local: Tree, merged: Tree, store, stats: dict) -> dict:
    """Every file whose content merged has and the folder lacks, written into tmp/ (each chunk checked)."""
    staged = {}
    for node_id in sorted(merged.nodes):
        node = merged.nodes[node_id]
        mine = local.nodes.get(node_id)
        if node.is_dir or (mine is not None and mine.hash == node.hash):
            continue
        path = os.path.join(tmp_dir(folder), f"dl-{node_id}")
        with open(path, "wb") as f:
            for chunk, length in node.chunks:
                f.write(store.read_chunk(chunk, length))
        stats["files_downloaded"] += 1
        stats["bytes_downloaded"] += node.size
        staged[node_id] = path
    return staged


def _check_unchanged(path: str, record) -> None:
    try:
        now = record_of(os.lstat(path))
    except OSError:
        now = None
    if now != record:
        raise LocalChangedError(path)


def _place(source: str, target: str) -> None:
    if os.path.lexists(target):
        raise LocalChangedError(target)
    os.rename(source, target)


def apply_local(folder: str, local: Tree, scanned: dict, merged: Tree, staged: dict, stats: dict) -> dict:
    """Makes folder equal to merged; returns each merged node's new record."""
    local_paths, merged_paths = local.paths(), merged.paths()
    tmp = tmp_dir(folder)
    out = [i for i, n in local.nodes.items() if i not in merged.nodes or not merged.nodes[i].same_place(n)]
    out.sort(key=lambda i: (-local_paths[i].count("/"), i))
    moves = [[f"mv-{i}", local_paths[i]] for i in out if i in merged.nodes]
    if moves:
        temp = os.path.join(tmp, "journal.json")
        with open(temp, "w") as f:
            json.dump(moves, f)
        os.rename(temp, os.path.join(folder, STATE_DIR, "journal.json"))
    for node_id in out:  # deepest first: deletes, and moves aside (a dir takes its unmoved children)
        full = os.path.join(folder, local_paths[node_id])
        is_dir = local.nodes[node_id].is_dir
        if not is_dir:
            _check_unchanged(full, scanned[node_id])
        if node_id in merged.nodes:
            os.rename(full, os.path.join(tmp, f"mv-{node_id}"))
        elif is_dir:
            try:
                os.rmdir(full)
            except OSError as error:
                raise LocalChangedError(full) from error
            stats["deleted_local"] += 1
        else:
            os.remove(full)
            stats["deleted_local"] += 1
    for node_id in sorted(merged.nodes, key=lambda i: (merged_paths[i].count("/"), i)):  # shallowest first
        node = merged.nodes[node_id]
        target = os.path.join(folder, merged_paths[node_id])
        mine = local.nodes.get(node_id)
        if mine is not None and not mine.same_place(node):
            _place(os.path.join(tmp, f"mv-{node_id}"), target)
        elif mine is None and node.is_dir:
            if os.path.lexists(target):
                raise LocalChangedError(target)
            os.mkdir(target)
        if node_id in staged:
            if mine is not None:
                _check_unchanged(target, scanned[node_id])
                os.rename(staged[node_id], target)
            else:
                _place(staged[node_id], target)
    if moves:
        os.remove(os.path.join(folder, STATE_DIR, "journal.json"))
    return {i: record_of(os.lstat(os.path.join(folder, p))) for i, p in merged_paths.items()}
