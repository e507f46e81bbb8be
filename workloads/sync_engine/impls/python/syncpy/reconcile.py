"""The three-tree merge of SPEC.md (Batch sync), pure: base, local and remote trees, nodes matched by id,
give the tree both sides adopt. Each node is decided by the SPEC's table; then the merged tree is
repaired until valid: dirs a delete removed come back when something inside was kept, a cycle from
crossed moves is broken in favour of the remote move, and two nodes at one place are resolved (equal
files merge, two dirs merge, anything else becomes a conflicted copy)."""

from collections import defaultdict
from dataclasses import dataclass

from .tree import Node, Tree


@dataclass
class Merge:
    tree: Tree
    conflicts: int = 0
    moved: int = 0  # nodes whose place differs from the base's
    deleted_remote: int = 0  # nodes of the remote tree the merged tree drops


def conflicted_name(name: str, replica: str, n: int) -> str:
    """report.txt -> "report (conflicted copy laptop).txt"; Makefile and .bashrc get it at the end."""
    dot = name.rfind(".")
    if dot <= 0:
        dot = len(name)
    number = f" {n}" if n > 1 else ""
    return f"{name[:dot]} (conflicted copy {replica}{number}){name[dot:]}"


def _changed(side: Node, base: Node) -> bool:
    return not side.same_content(base) or not side.same_place(base)


def reconcile(base: Tree, local: Tree, remote: Tree, replica: str, new_id) -> Merge:
    merged: dict[str, Node] = {}
    copies = []

    def copy_of(node: Node, at: Node) -> Node:
        c = node.copy()
        c.id, c.parent, c.name = new_id(), at.parent, at.name  # renamed by the collision repair
        return c

    for node_id in sorted(set(base.nodes) | set(local.nodes) | set(remote.nodes)):
        b, mine, r = base.nodes.get(node_id), local.nodes.get(node_id), remote.nodes.get(node_id)
        node = None
        if b is None:
            if mine is not None and r is not None:  # new on both: only after a killed sync uploaded it
                node = r.copy()
                if not mine.same_content(r):
                    copies.append(copy_of(mine, r))
            else:
                node = (mine or r).copy()
        elif mine is None and r is None:
            pass
        elif mine is None:  # deleted here: a change there wins over the delete
            node = r.copy() if _changed(r, b) else None
        elif r is None:
            node = mine.copy() if _changed(mine, b) else None
        else:
            node = r.copy()
            if not mine.same_place(b) and r.same_place(b):
                node.parent, node.name = mine.parent, mine.name
            if not node.is_dir and not mine.same_content(b):
                if r.same_content(b):
                    node.size, node.hash, node.chunks = mine.size, mine.hash, [list(c) for c in mine.chunks]
                elif not mine.same_content(r):
                    copies.append(copy_of(mine, node))
        if node is not None:
            merged[node_id] = node
    for c in copies:
        merged[c.id] = c
    result = Merge(Tree(nodes=merged))
    while True:
        again = _restore_missing_parents(merged, base, local, remote)
        again = _break_a_cycle(merged, base, remote) or again
        if not again:
            again = _resolve_a_collision(merged, remote, replica, result)
        if not again:
            break
    result.moved = sum(1 for i, n in merged.items() if i in base.nodes and not n.same_place(base.nodes[i]))
    result.deleted_remote = sum(1 for i in remote.nodes if i not in merged)
    return result


def _restore_missing_parents(merged, base, local, remote) -> bool:
    restored = False
    while True:
        missing = {n.parent for n in merged.values() if n.parent and n.parent not in merged}
        if not missing:
            return restored
        restored = True
        for node_id in missing:
            source = remote.nodes.get(node_id) or local.nodes.get(node_id) or base.nodes.get(node_id)
            if source is not None:
                merged[node_id] = source.copy()
            else:
                for n in merged.values():
                    if n.parent == node_id:
                        n.parent = ""


def _cycle_from(merged, start):
    chain, at = [], start
    while at in merged:
        if at in chain:
            return chain[chain.index(at) :]
        chain.append(at)
        at = merged[at].parent
    return None


def _break_a_cycle(merged, base, remote) -> bool:
    for start in sorted(merged):
        cycle = _cycle_from(merged, start)
        if cycle is None:
            continue
        for node_id in cycle:
            r = remote.nodes.get(node_id)
            if r is not None and not merged[node_id].same_place(r):
                merged[node_id].parent, merged[node_id].name = r.parent, r.name
                return True
        n = merged[cycle[0]]
        b = base.nodes.get(n.id)
        if b is not None and not n.same_place(b):
            n.parent, n.name = b.parent, b.name
        else:
            n.parent = ""
        return True
    return False


def _resolve_a_collision(merged, remote, replica, result) -> bool:
    places = defaultdict(list)
    for node_id in sorted(merged):
        n = merged[node_id]
        places[(n.parent, n.name)].append(node_id)
    crowded = sorted(p for p, ids in places.items() if len(ids) > 1)
    if not crowded:
        return False
    parent, name = crowded[0]
    ids = places[(parent, name)]
    winner = next(
        (i for i in ids if i in remote.nodes and remote.nodes[i].parent == parent and remote.nodes[i].name == name),
        None,
    )
    winner = winner or next((i for i in ids if i in remote.nodes), None) or ids[0]
    win = merged[winner]
    for node_id in ids:
        if node_id == winner:
            continue
        lose = merged[node_id]
        if win.is_dir and lose.is_dir:
            for n in merged.values():
                if n.parent == node_id:
                    n.parent = winner
            del merged[node_id]
        elif not win.is_dir and not lose.is_dir and win.hash == lose.hash:
            del merged[node_id]
        else:
            taken = {n.name for n in merged.values() if n.parent == parent}
            k = 1
            while conflicted_name(name, replica, k) in taken:
                k += 1
            lose.name = conflicted_name(name, replica, k)
            result.conflicts += 1
    return True
