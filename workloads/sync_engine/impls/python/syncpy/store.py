"""The remote store, format 4 (SPEC.md, The remote store): packs of chunks named by the hash of their
index, one index per pack, tree snapshots, HEAD and lock. Every object goes to a temporary name in its
folder and is renamed into place (a pack, its index, then the tree, then HEAD); with --fsync each is
synced before its rename and its folder after. put_chunk and read_chunk are thread-safe (one lock)."""

import errno
import fcntl
import itertools
import json
import os
import threading

from .errors import CorruptError, UsageError
from .hashing import HashKind, is_lower_hex
from .tree import Tree, tree_from_wire

FORMAT_PREFIX = "claimbench-sync 4 "
PACK_TARGET_BYTES = 16 << 20  # a pack is written out once it holds this much or more
TEMP_PREFIX = ".tmp-"
_counter = itertools.count()


def temp_name() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{next(_counter)}"


def sync_dir(path: str) -> None:
    """fsyncs a folder; a file system that cannot (EINVAL, ENOTSUP) is not an error."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def parse_index(text: bytes, digits: int) -> list[tuple[str, int, int]]:
    """The lines "<chunk hex> <offset> <length>" of an index; ValueError when malformed."""
    if text and not text.endswith(b"\n"):
        raise ValueError("the last line has no newline")
    entries = []
    for number, line in enumerate(text.decode("ascii", "replace").splitlines(), 1):
        fields = line.split(" ")
        if (
            len(fields) != 3
            or not is_lower_hex(fields[0], digits)
            or not all(f.isdigit() and f.isascii() for f in fields[1:])
        ):
            raise ValueError(f"line {number} is malformed: expected '<chunk hex> <offset> <length>'")
        entries.append((fields[0], int(fields[1]), int(fields[2])))
    return entries


class Store:
    def __init__(self, folder: str, create: bool, kind: HashKind | None, durable: bool):
        """Opens (or, when create, makes) the store; kind is the --hash given, if any."""
        self.dir = folder
        self.kind = kind or HashKind("sha256")
        self.durable = durable
        self.target = int(os.environ.get("CLAIMBENCH_SYNC_PACK_BYTES") or PACK_TARGET_BYTES)
        self.index: dict[str, tuple[str, int, int]] = {}
        self.unindexed: set[str] = set()
        self.open_pack = None  # [file, temp path, entries, size]
        self.mutex = threading.Lock()
        self.lock_file = None
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise UsageError(f"--remote {folder} is not a directory")
        try:
            with open(os.path.join(folder, "format"), "rb") as f:
                fmt = f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            self._create(create)
            return
        except OSError as error:
            raise UsageError(f"cannot read {folder}/format: {error}") from error
        if fmt in (FORMAT_PREFIX + "sha256\n", FORMAT_PREFIX + "fast\n"):
            found = HashKind(fmt[len(FORMAT_PREFIX) : -1])
        else:
            for version, what in (
                ("3", "packs named by the hash of their bytes"),
                ("2", "one file per chunk"),
                ("1", "content hashes of whole files"),
            ):
                if fmt.startswith(f"claimbench-sync {version} "):
                    raise UsageError(
                        f"the store {folder} is in format {version} ({what}), which this sync_engine does not "
                        "read; restore it with the sync_engine that wrote it and sync the folder into a new store "
                        "(format 4)"
                    )
            raise CorruptError(
                "format", "expected 'claimbench-sync 4 sha256' or 'claimbench-sync 4 fast' and a newline"
            )
        if kind is not None and kind != found:
            raise UsageError(f"the store {folder} uses --hash {found.name}; sync it with that")
        self.kind = found
        self._load_indexes()

    def _create(self, create: bool) -> None:
        # A creation killed before format leaves only empty subfolders and temporaries: that is empty.
        names = os.listdir(self.dir) if os.path.isdir(self.dir) else []
        empty = all(
            n.startswith(TEMP_PREFIX)
            or (n in ("packs", "index", "trees") and not os.listdir(os.path.join(self.dir, n)))
            for n in names
        )
        if not create:
            raise UsageError(
                f"--remote {self.dir} is not a sync store (no format file); give the folder a sync created"
            )
        if not empty:
            raise UsageError(
                f"--remote {self.dir} is neither empty nor a sync store (no format file); give a new or empty folder"
            )
        try:
            for sub in ("packs", "index", "trees"):
                os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot create --remote {self.dir}: {error}") from error
        self._write_atomically(self.dir, "format", (FORMAT_PREFIX + self.kind.name + "\n").encode())

    def take_lock(self) -> None:
        """flock(LOCK_EX) on STORE/lock until the process exits: syncs of one store run one at a time."""
        self.lock_file = open(os.path.join(self.dir, "lock"), "a")  # noqa: SIM115 (held for the process)
        fcntl.flock(self.lock_file, fcntl.LOCK_EX)

    def remove_temporaries(self) -> None:
        for sub in ("", "packs", "index", "trees"):
            folder = os.path.join(self.dir, sub)
            for name in os.listdir(folder) if os.path.isdir(folder) else []:
                if name.startswith(TEMP_PREFIX):
                    os.remove(os.path.join(folder, name))

    def _commit(self, f, temp: str, target: str) -> None:
        if self.durable:
            f.flush()
            os.fsync(f.fileno())
        f.close()
        os.rename(temp, target)
        if self.durable:
            sync_dir(os.path.dirname(target))

    def _write_atomically(self, folder: str, name: str, data: bytes) -> None:
        temp = os.path.join(folder, temp_name())
        f = open(temp, "wb")  # noqa: SIM115 (closed by _commit)
        f.write(data)
        self._commit(f, temp, os.path.join(folder, name))

    def _load_indexes(self) -> None:
        digits = 2 * self.kind.digest_len
        for name in sorted(os.listdir(os.path.join(self.dir, "index"))):
            if name.startswith(TEMP_PREFIX):
                continue
            obj = f"index/{name}"
            if not is_lower_hex(name, digits):
                raise CorruptError(obj, "not an index name (the hash of its pack's index)")
            with open(os.path.join(self.dir, obj), "rb") as f:
                text = f.read()
            try:
                pack_size = os.path.getsize(os.path.join(self.dir, "packs", name))
            except OSError as error:
                raise CorruptError(f"packs/{name}", f"missing ({obj} names it)") from error
            try:
                entries = parse_index(text, digits)
            except ValueError as error:
                raise CorruptError(obj, str(error)) from error
            for chunk, offset, length in entries:
                if offset + length > pack_size:
                    raise CorruptError(
                        f"packs/{name}",
                        f"chunk {chunk} (offset {offset}, length {length}) lies outside the pack ({pack_size} bytes)",
                    )
                self.index[chunk] = (name, offset, length)

    def put_chunk(self, digest: bytes, data) -> bool:
        """Stores a chunk unless the store has it; True when it was new."""
        hex_digest = digest.hex()
        with self.mutex:
            if hex_digest in self.index or hex_digest in self.unindexed:
                return False
            self.unindexed.add(hex_digest)
            if self.open_pack is None:
                temp = os.path.join(self.dir, "packs", temp_name())
                self.open_pack = [open(temp, "wb"), temp, [], 0]  # noqa: SIM115 (closed by _finish_pack)
            pack = self.open_pack
            pack[0].write(data)
            pack[2].append((hex_digest, pack[3], len(data)))
            pack[3] += len(data)
            full = None
            if pack[3] >= self.target:
                full, self.open_pack = pack, None
        if full is not None:
            self._finish_pack(full)
        return True

    def flush(self) -> None:
        with self.mutex:
            pack, self.open_pack = self.open_pack, None
        if pack is not None:
            self._finish_pack(pack)

    def _finish_pack(self, pack) -> None:
        f, temp, entries, _ = pack
        index = "".join(f"{c} {o} {n}\n" for c, o, n in entries).encode()
        name = self.kind.hex(index)
        self._commit(f, temp, os.path.join(self.dir, "packs", name))
        self._write_atomically(os.path.join(self.dir, "index"), name, index)
        with self.mutex:
            for chunk, offset, length in entries:
                self.unindexed.discard(chunk)
                self.index[chunk] = (name, offset, length)

    def read_chunk(self, hex_digest: str, length: int) -> bytes:
        """An indexed chunk's bytes, checked against its hash and length."""
        with self.mutex:
            where = self.index.get(hex_digest)
        if where is None:
            raise CorruptError("index", f"no index names chunk {hex_digest}, which a tree needs")
        pack, offset, indexed = where
        obj = f"packs/{pack}"
        if indexed != length:
            raise CorruptError(f"index/{pack}", f"chunk {hex_digest} has length {indexed}, a tree says {length}")
        try:
            with open(os.path.join(self.dir, obj), "rb") as f:
                data = os.pread(f.fileno(), length, offset)
        except OSError as error:
            raise CorruptError(obj, f"missing: {error}") from error
        if len(data) != length or self.kind.hex(data) != hex_digest:
            raise CorruptError(obj, f"chunk {hex_digest}: hash mismatch")
        return data

    def put_tree(self, tree: Tree) -> str:
        """Writes the last pack, then the tree; returns the tree's hex."""
        self.flush()
        data = tree.to_json()
        hex_digest = self.kind.hex(data)
        self._write_atomically(os.path.join(self.dir, "trees"), hex_digest, data)
        return hex_digest

    def set_head(self, hex_digest: str) -> None:
        self._write_atomically(self.dir, "HEAD", f"{hex_digest}\n".encode())

    def head(self) -> str:
        """The hex HEAD names; "" for a store no sync has committed to."""
        try:
            with open(os.path.join(self.dir, "HEAD"), "rb") as f:
                text = f.read().decode("ascii", "replace")
        except FileNotFoundError:
            return ""
        if not text.endswith("\n") or not is_lower_hex(text[:-1], 2 * self.kind.digest_len):
            raise CorruptError("HEAD", "expected a tree hash and a newline")
        return text[:-1]

    def read_tree(self, hex_digest: str) -> Tree:
        """The tree at hex_digest ("" is the empty tree), hash-checked, validated, every chunk indexed."""
        if not hex_digest:
            return Tree()
        obj = f"trees/{hex_digest}"
        try:
            with open(os.path.join(self.dir, obj), "rb") as f:
                data = f.read()
        except OSError as error:
            raise CorruptError(obj, "missing (HEAD or a tree names it)") from error
        if self.kind.hex(data) != hex_digest:
            raise CorruptError(obj, "hash mismatch")
        try:
            tree = tree_from_wire(json.loads(data), self.kind)
        except (ValueError, KeyError, TypeError) as error:
            raise CorruptError(obj, f"not a valid tree: {error}") from error
        for node in tree.nodes.values():
            for chunk, _ in node.chunks:
                if chunk not in self.index:
                    raise CorruptError("index", f"no index names chunk {chunk}, which {obj} needs")
        return tree

    def verify(self) -> tuple[dict, list[str]]:
        """Reads the whole store; returns the counts and every problem ("object: what")."""
        counts = {"chunks": 0, "manifests": 0, "bytes": 0}
        problems = []
        digits = 2 * self.kind.digest_len
        for name in sorted(n for n in os.listdir(os.path.join(self.dir, "index")) if not n.startswith(TEMP_PREFIX)):
            obj = f"packs/{name}"
            with open(os.path.join(self.dir, "index", name), "rb") as f:
                text = f.read()
            if self.kind.hex(text) != name:
                problems.append(f"index/{name}: hash mismatch (a pack's name is the hash of its index)")
            try:
                entries = parse_index(text, digits)
            except ValueError as error:
                problems.append(f"index/{name}: {error}")
                continue
            try:
                with open(os.path.join(self.dir, obj), "rb") as f:
                    data = f.read()
            except OSError:
                problems.append(f"{obj}: missing (index/{name} names it)")
                continue
            counts["chunks"] += len(entries)
            covered = 0
            for chunk, offset, length in entries:
                if offset + length > len(data):
                    problems.append(
                        f"{obj}: chunk {chunk} (offset {offset}, length {length}) lies outside the pack "
                        f"({len(data)} bytes)"
                    )
                    continue
                if self.kind.hex(data[offset : offset + length]) != chunk:
                    problems.append(f"{obj}: chunk {chunk}: hash mismatch")
                if offset == covered:
                    covered += length
                counts["bytes"] += length
            if covered != len(data):
                problems.append(f"{obj}: {len(data)} bytes, its index accounts for {covered}")
        for name in sorted(n for n in os.listdir(os.path.join(self.dir, "trees")) if not n.startswith(TEMP_PREFIX)):
            counts["manifests"] += 1
            try:
                self.read_tree(name)
            except CorruptError as error:
                problems.append(str(error))
        try:
            self.read_tree(self.head())
        except CorruptError as error:
            if str(error) not in problems:
                problems.append(str(error))
        return counts, problems
