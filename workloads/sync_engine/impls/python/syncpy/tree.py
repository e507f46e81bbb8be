"""Tree snapshots (SPEC.md, The remote store): nodes by opaque id, each with its parent dir's id and its
name; files with size, content hash and chunks ([hex, length] pairs). JSON with nodes sorted by id; and
the SPEC's tree hash of a folder."""

import hashlib
import json
import os
from dataclasses import dataclass, field

from .hashing import HashKind

STATE_DIR = ".claimsync"


@dataclass
class Node:
    id: str
    parent: str  # "" for the root's children
    name: str
    is_dir: bool
    size: int = 0  # files only, as hash and chunks
    hash: str = ""
    chunks: list = field(default_factory=list)  # [[hex, length], ...]

    def same_content(self, other: "Node") -> bool:
        return self.is_dir == other.is_dir and self.hash == other.hash

    def same_place(self, other: "Node") -> bool:
        return self.parent == other.parent and self.name == other.name

    def copy(self) -> "Node":
        return Node(self.id, self.parent, self.name, self.is_dir, self.size, self.hash, [list(c) for c in self.chunks])


@dataclass
class Tree:
    parent: str = ""
    nodes: dict = field(default_factory=dict)  # id -> Node

    def to_wire(self) -> dict:
        nodes = []
        for node_id in sorted(self.nodes):
            n = self.nodes[node_id]
            wire = {"id": n.id, "parent": n.parent, "name": n.name, "kind": "dir" if n.is_dir else "file"}
            if not n.is_dir:
                wire.update(size=n.size, hash=n.hash, chunks=n.chunks)
            nodes.append(wire)
        return {"parent": self.parent, "nodes": nodes}

    def to_json(self) -> bytes:
        return json.dumps(self.to_wire(), separators=(",", ":")).encode()

    def paths(self) -> dict:
        """The relative path of every node that hangs from the root, by id."""
        paths = {}
        for start in self.nodes:
            chain, at = [], start
            while at not in paths and at in self.nodes and at not in chain:
                chain.append(at)
                at = self.nodes[at].parent
                if at == "":
                    break
            if at in paths:
                prefix = paths[at]
            elif at == "":
                prefix = None
            else:
                continue  # a cycle or a missing parent
            for node_id in reversed(chain):
                name = self.nodes[node_id].name
                prefix = name if prefix is None else f"{prefix}/{name}"
                paths[node_id] = prefix
        return paths

    def validate(self, kind: HashKind) -> None:
        """Raises ValueError naming the broken rule (ids, parents, names, places, content hashes, cycles)."""
        places = set()
        for n in self.nodes.values():
            if not n.id:
                raise ValueError("a node has an empty id")
            if not valid_name(n.name) or (n.parent == "" and n.name == STATE_DIR):
                raise ValueError(f"node {n.id}: bad name {n.name!r}")
            if n.parent and not (n.parent in self.nodes and self.nodes[n.parent].is_dir):
                raise ValueError(f"node {n.id}: parent {n.parent} is not a dir of the tree")
            if (n.parent, n.name) in places:
                raise ValueError(f"two nodes named {n.name!r} in one dir")
            places.add((n.parent, n.name))
            if not n.is_dir:
                total = sum(length for _, length in n.chunks)
                if total != n.size or kind.content_hash(h for h, _ in n.chunks) != n.hash:
                    raise ValueError(f"file {n.name}: its chunks do not give its size and content hash")
        if len(self.paths()) != len(self.nodes):
            raise ValueError("the parents of some nodes make a cycle")


def tree_from_wire(wire, kind: HashKind) -> Tree:
    """A validated tree from its JSON form; ValueError says what is wrong."""
    if not isinstance(wire, dict) or set(wire) != {"parent", "nodes"}:
        raise ValueError("expected {parent, nodes}")
    tree = Tree(parent=wire["parent"])
    for w in wire["nodes"]:
        keys = set(w)
        if w.get("kind") == "dir" and keys == {"id", "parent", "name", "kind"}:
            node = Node(w["id"], w["parent"], w["name"], True)
        elif w.get("kind") == "file" and keys == {"id", "parent", "name", "kind", "size", "hash", "chunks"}:
            node = Node(w["id"], w["parent"], w["name"], False, w["size"], w["hash"], [list(c) for c in w["chunks"]])
        else:
            raise ValueError(f"node {w.get('id')}: a dir has no size, hash or chunks, and a file has all three")
        if node.id in tree.nodes:
            raise ValueError(f"two nodes have the id {node.id}")
        tree.nodes[node.id] = node
    tree.validate(kind)
    return tree


def valid_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\0" not in name


def regular_files(folder: str) -> list[str]:
    """Every regular file under folder except .claimsync/, as relative paths sorted as bytes."""
    files = []
    for root, dirs, names in os.walk(folder):
        rel = os.path.relpath(root, folder)
        if rel == ".":
            dirs[:] = [d for d in dirs if d != STATE_DIR]
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files.append(name if rel == "." else f"{rel}/{name}")
    return sorted(files, key=os.fsencode)


def tree_hash_of_folder(folder: str) -> str:
    """SPEC.md's tree hash: SHA-256 over "<path>\\0<size>\\0<sha256 hex>\\n" of every regular file."""
    total = hashlib.sha256()
    for rel in regular_files(folder):
        with open(os.path.join(folder, rel), "rb") as f:
            digest = hashlib.file_digest(f, "sha256")
        size = os.path.getsize(os.path.join(folder, rel))
        total.update(os.fsencode(rel) + f"\0{size}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()
