//! The three-tree merge of SPEC.md (Batch sync): base, local and remote trees, nodes matched by id, give
//! the tree both sides adopt. Pure (no I/O), so every row of the SPEC's table is tested directly.
//!
//! First each node is decided on its own by the table; then the merged tree is repaired until it is
//! valid: parents a delete removed come back when something inside them was kept, a cycle made by two
//! crossed moves is broken in favour of the remote move, and two nodes at one place are resolved (equal
//! files merge, two dirs merge, anything else becomes a conflicted copy).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::tree::{Node, Tree};

#[derive(Debug, Default)]
pub struct Merge {
    pub tree: Tree,
    pub conflicts: u64,
    /// Nodes whose place differs from the base's.
    pub moved: u64,
    /// Nodes of the remote tree that the merged tree drops.
    pub deleted_remote: u64,
}

fn changed(side: &Node, base: &Node) -> bool {
    !side.same_content(base) || !side.same_place(base)
}

/// `report.txt` -> `report (conflicted copy laptop).txt`; `Makefile` and `.bashrc` get the suffix at the
/// end; `n` > 1 adds ` n` after the replica.
pub fn conflicted_name(name: &str, replica: &str, n: u32) -> String {
    let dot = match name.rfind('.') {
        Some(0) | None => name.len(),
        Some(dot) => dot,
    };
    let number = if n > 1 {
        format!(" {n}")
    } else {
        String::new()
    };
    format!(
        "{} (conflicted copy {replica}{number}){}",
        &name[..dot],
        &name[dot..]
    )
}

/// Merges the trees. `new_id` makes ids for conflicted copies.
pub fn reconcile(
    base: &Tree,
    local: &Tree,
    remote: &Tree,
    replica: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Merge {
    let mut merged: BTreeMap<String, Node> = BTreeMap::new();
    let mut copies = Vec::new();
    let ids: BTreeSet<&String> = base
        .nodes
        .keys()
        .chain(local.nodes.keys())
        .chain(remote.nodes.keys())
        .collect();
    let mut copy_of = |l: &Node, at: &Node| {
        let mut copy = l.clone();
        copy.id = new_id();
        copy.parent = at.parent.clone();
        copy.name = at.name.clone(); // renamed to a conflicted copy by the collision repair
        copy
    };
    for id in ids {
        let (b, l, r) = (
            base.nodes.get(id),
            local.nodes.get(id),
            remote.nodes.get(id),
        );
        let node = match (b, l, r) {
            // New on both sides only when a killed sync uploaded it: the remote keeps it, the local
            // content, if different, survives as a copy.
            (None, Some(l), Some(r)) => {
                if !l.same_content(r) {
                    copies.push(copy_of(l, r));
                }
                Some(r.clone())
            }
            (None, l, r) => l.or(r).cloned(),
            (Some(_), None, None) => None,
            // Deleted on one side: a change on the other wins over the delete (never lose data).
            (Some(b), None, Some(r)) => changed(r, b).then(|| r.clone()),
            (Some(b), Some(l), None) => changed(l, b).then(|| l.clone()),
            (Some(b), Some(l), Some(r)) => {
                let mut node = r.clone();
                if !l.same_place(b) && r.same_place(b) {
                    node.parent = l.parent.clone();
                    node.name = l.name.clone();
                }
                if !node.is_dir && !l.same_content(b) {
                    if r.same_content(b) {
                        node.size = l.size;
                        node.hash = l.hash.clone();
                        node.chunks = l.chunks.clone();
                    } else if !l.same_content(r) {
                        copies.push(copy_of(l, &node));
                    }
                }
                Some(node)
            }
        };
        if let Some(node) = node {
            merged.insert(id.clone(), node);
        }
    }
    for copy in copies {
        merged.insert(copy.id.clone(), copy);
    }
    let mut conflicts = 0;
    loop {
        let mut again = restore_missing_parents(&mut merged, base, local, remote);
        again |= break_a_cycle(&mut merged, base, remote);
        if !again {
            again = resolve_a_collision(&mut merged, remote, replica, &mut conflicts);
        }
        if !again {
            break;
        }
    }
    let moved = merged
        .values()
        .filter(|n| base.nodes.get(&n.id).is_some_and(|b| !n.same_place(b)))
        .count() as u64;
    let deleted_remote = remote
        .nodes
        .keys()
        .filter(|id| !merged.contains_key(*id))
        .count() as u64;
    Merge {
        tree: Tree {
            parent: String::new(),
            nodes: merged,
        },
        conflicts,
        moved,
        deleted_remote,
    }
}

/// Brings back a dir deleted on one side when something inside it was kept: from the remote tree, else
/// the local one, else the base.
fn restore_missing_parents(
    merged: &mut BTreeMap<String, Node>,
    base: &Tree,
    local: &Tree,
    remote: &Tree,
) -> bool {
    let mut changed = false;
    loop {
        let missing: BTreeSet<String> = merged
            .values()
            .filter(|n| !n.parent.is_empty() && !merged.contains_key(&n.parent))
            .map(|n| n.parent.clone())
            .collect();
        if missing.is_empty() {
            return changed;
        }
        changed = true;
        for id in missing {
            let from = remote
                .nodes
                .get(&id)
                .or(local.nodes.get(&id))
                .or(base.nodes.get(&id));
            match from {
                Some(node) => {
                    merged.insert(id, node.clone());
                }
                None => merged
                    .values_mut()
                    .filter(|n| n.parent == id)
                    .for_each(|n| n.parent.clear()),
            }
        }
    }
}

/// Two moves on different sides can make a cycle (a into b here, b into a there): a node of the cycle
/// the local side moved goes back to its remote place. Breaks one cycle per call.
fn break_a_cycle(merged: &mut BTreeMap<String, Node>, base: &Tree, remote: &Tree) -> bool {
    let Some(cycle) = merged.keys().find_map(|start| cycle_from(merged, start)) else {
        return false;
    };
    let fix = cycle.iter().find_map(|id| {
        let r = remote.nodes.get(id)?;
        (!merged[id].same_place(r)).then(|| (id.clone(), r.parent.clone(), r.name.clone()))
    });
    let (id, parent, name) = fix.unwrap_or_else(|| {
        let id = cycle[0].clone();
        match base.nodes.get(&id).filter(|b| !merged[&id].same_place(b)) {
            Some(b) => (id, b.parent.clone(), b.name.clone()),
            None => (id.clone(), String::new(), merged[&id].name.clone()),
        }
    });
    let node = merged.get_mut(&id).expect("on the cycle");
    node.parent = parent;
    node.name = name;
    true
}

/// The ids of the cycle the parent chain from `start` runs into, if it runs into one.
fn cycle_from(merged: &BTreeMap<String, Node>, start: &str) -> Option<Vec<String>> {
    let mut chain: Vec<&str> = Vec::new();
    let mut at = start;
    loop {
        let node = merged.get(at)?;
        if let Some(first) = chain.iter().position(|id| *id == at) {
            return Some(chain[first..].iter().map(|id| id.to_string()).collect());
        }
        chain.push(at);
        if node.parent.is_empty() {
            return None;
        }
        at = &node.parent;
    }
}

/// Two nodes at one place: the one the remote tree has there keeps it; equal files become one; two dirs
/// merge; anything else is renamed to a conflicted copy. Resolves one place per call.
fn resolve_a_collision(
    merged: &mut BTreeMap<String, Node>,
    remote: &Tree,
    replica: &str,
    conflicts: &mut u64,
) -> bool {
    let mut places: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for node in merged.values() {
        places
            .entry((&node.parent, &node.name))
            .or_default()
            .push(&node.id);
    }
    let Some(((parent, name), ids)) = places.into_iter().find(|(_, ids)| ids.len() > 1) else {
        return false;
    };
    let (parent, name) = (parent.to_string(), name.to_string());
    let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
    let at_remote_place = ids.iter().find(|id| {
        remote
            .nodes
            .get(*id)
            .is_some_and(|r| r.parent == parent && r.name == name)
    });
    let winner = at_remote_place
        .or_else(|| ids.iter().find(|id| remote.nodes.contains_key(*id)))
        .unwrap_or(&ids[0])
        .clone();
    for id in ids.iter().filter(|id| **id != winner) {
        let (win, lose) = (&merged[&winner], &merged[id]);
        if win.is_dir && lose.is_dir {
            merged
                .values_mut()
                .filter(|n| n.parent == *id)
                .for_each(|n| n.parent = winner.clone());
            merged.remove(id);
        } else if !win.is_dir && !lose.is_dir && win.hash == lose.hash {
            merged.remove(id);
        } else {
            let taken: HashSet<String> = merged
                .values()
                .filter(|n| n.parent == parent)
                .map(|n| n.name.clone())
                .collect();
            let fresh = (1..)
                .map(|n| conflicted_name(&name, replica, n))
                .find(|c| !taken.contains(c))
                .expect("unbounded");
            merged.get_mut(id).expect("present").name = fresh;
            *conflicts += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::HashKind;

    fn file(id: &str, parent: &str, name: &str, content: &[u8]) -> Node {
        let kind = HashKind::Sha256;
        let chunk = kind.hex(content);
        Node {
            id: id.into(),
            parent: parent.into(),
            name: name.into(),
            is_dir: false,
            size: content.len() as u64,
            hash: kind.content_hash([chunk.as_str()].into_iter()).unwrap(),
            chunks: vec![(chunk, content.len() as u64)],
        }
    }

    fn dir(id: &str, parent: &str, name: &str) -> Node {
        Node {
            id: id.into(),
            parent: parent.into(),
            name: name.into(),
            is_dir: true,
            size: 0,
            hash: String::new(),
            chunks: Vec::new(),
        }
    }

    fn tree(nodes: &[Node]) -> Tree {
        Tree {
            parent: String::new(),
            nodes: nodes.iter().map(|n| (n.id.clone(), n.clone())).collect(),
        }
    }

    fn merge(base: &[Node], local: &[Node], remote: &[Node]) -> Merge {
        let mut next = 0;
        let mut new_id = || {
            next += 1;
            format!("new{next}")
        };
        let merged = reconcile(
            &tree(base),
            &tree(local),
            &tree(remote),
            "laptop",
            &mut new_id,
        );
        merged
            .tree
            .validate(HashKind::Sha256)
            .expect("a valid tree");
        merged
    }

    /// (path, content hash or "dir") of every merged node, sorted.
    fn listing(merged: &Merge) -> Vec<(String, String)> {
        let paths = merged.tree.paths();
        let mut list: Vec<(String, String)> = merged
            .tree
            .nodes
            .values()
            .map(|n| {
                (
                    paths[&n.id].clone(),
                    if n.is_dir {
                        "dir".into()
                    } else {
                        n.hash.clone()
                    },
                )
            })
            .collect();
        list.sort();
        list
    }

    fn hash_of(content: &[u8]) -> String {
        file("x", "", "x", content).hash
    }

    #[test]
    fn one_sided_changes_are_applied() {
        let base = [file("f", "", "f", b"old")];
        let edited = [file("f", "", "f", b"new")];
        for (local, remote) in [(&base, &edited), (&edited, &base)] {
            let m = merge(&base, local, remote);
            assert_eq!(listing(&m), [("f".into(), hash_of(b"new"))]);
            assert_eq!(m.conflicts, 0);
        }
        let m = merge(&base, &base, &[]);
        assert!(m.tree.nodes.is_empty(), "a remote delete is applied");
    }

    #[test]
    fn both_edited_differently_keeps_both_equal_edits_do_not_conflict() {
        let base = [file("f", "", "notes.txt", b"old")];
        let m = merge(
            &base,
            &[file("f", "", "notes.txt", b"mine")],
            &[file("f", "", "notes.txt", b"theirs")],
        );
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            listing(&m),
            [
                (
                    "notes (conflicted copy laptop).txt".into(),
                    hash_of(b"mine")
                ),
                ("notes.txt".into(), hash_of(b"theirs")),
            ]
        );
        let same = [file("f", "", "notes.txt", b"same")];
        assert_eq!(merge(&base, &same, &same).conflicts, 0);
    }

    #[test]
    fn an_edit_wins_over_a_delete_on_either_side() {
        let base = [file("f", "", "f", b"old")];
        let edited = [file("f", "", "f", b"new")];
        assert_eq!(
            listing(&merge(&base, &edited, &[])),
            [("f".into(), hash_of(b"new"))]
        );
        assert_eq!(
            listing(&merge(&base, &[], &edited)),
            [("f".into(), hash_of(b"new"))]
        );
    }

    #[test]
    fn the_remote_move_wins_and_crossed_dir_moves_make_no_cycle() {
        let base = [
            dir("a", "", "a"),
            dir("b", "", "b"),
            file("f", "", "f", b"x"),
        ];
        let local = [
            dir("a", "", "a"),
            dir("b", "", "b"),
            file("f", "a", "f", b"x"),
        ];
        let remote = [
            dir("a", "", "a"),
            dir("b", "", "b"),
            file("f", "b", "f", b"x"),
        ];
        let m = merge(&base, &local, &remote);
        assert_eq!(m.tree.paths()["f"], "b/f");
        // a into b here, b into a there.
        let local = [dir("a", "b", "a"), dir("b", "", "b")];
        let remote = [dir("a", "", "a"), dir("b", "a", "b")];
        let m = merge(&base[..2], &local, &remote);
        assert_eq!(m.tree.paths()["b"], "a/b");
        assert_eq!(m.tree.paths()["a"], "a");
    }

    #[test]
    fn creates_at_one_path_conflict_unless_equal() {
        let m = merge(
            &[],
            &[file("l", "", "new.txt", b"mine")],
            &[file("r", "", "new.txt", b"theirs")],
        );
        assert_eq!(m.conflicts, 1);
        assert_eq!(m.tree.nodes["r"].name, "new.txt");
        assert_eq!(m.tree.nodes["l"].name, "new (conflicted copy laptop).txt");
        let m = merge(
            &[],
            &[file("l", "", "new.txt", b"same")],
            &[file("r", "", "new.txt", b"same")],
        );
        assert_eq!((m.conflicts, m.tree.nodes.len()), (0, 1));
    }

    #[test]
    fn a_deleted_dir_is_kept_with_what_was_created_inside_it() {
        let base = [dir("d", "", "d")];
        let m = merge(
            &base,
            &[],
            &[dir("d", "", "d"), file("f", "d", "f", b"new")],
        );
        assert_eq!(
            listing(&m),
            [("d".into(), "dir".into()), ("d/f".into(), hash_of(b"new"))]
        );
    }

    #[test]
    fn conflicted_names() {
        assert_eq!(
            conflicted_name("report.txt", "laptop", 1),
            "report (conflicted copy laptop).txt"
        );
        assert_eq!(
            conflicted_name("Makefile", "laptop", 1),
            "Makefile (conflicted copy laptop)"
        );
        assert_eq!(
            conflicted_name(".bashrc", "laptop", 2),
            ".bashrc (conflicted copy laptop 2)"
        );
    }
}
