//! Tree snapshots (SPEC.md, The remote store): nodes keyed by opaque ids, each with its parent's id and its
//! name, files with size, content hash and chunk list. Serialised as the SPEC's JSON, nodes sorted by id.
//! Also the SPEC's tree hash of a folder, which is how the harness compares trees.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::errors::{Error, Result};
use crate::hashing::HashKind;

/// One chunk of a file: its hex digest and length in bytes.
pub type ChunkRef = (String, u64);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    /// The parent dir's id; empty for the root's children.
    pub parent: String,
    pub name: String,
    pub is_dir: bool,
    /// Files only (zero and empty for dirs): bytes, content hash, chunks in order.
    pub size: u64,
    pub hash: String,
    pub chunks: Vec<ChunkRef>,
}

impl Node {
    pub fn same_content(&self, other: &Node) -> bool {
        self.is_dir == other.is_dir && self.hash == other.hash
    }

    pub fn same_place(&self, other: &Node) -> bool {
        self.parent == other.parent && self.name == other.name
    }
}

/// A tree: `parent` is the hex of the tree it was made from (empty for the first), nodes by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub parent: String,
    pub nodes: BTreeMap<String, Node>,
}

/// The JSON form of a node: `size`, `hash` and `chunks` only for files.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireNode {
    id: String,
    parent: String,
    name: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chunks: Option<Vec<ChunkRef>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireTree {
    parent: String,
    nodes: Vec<WireNode>,
}

impl Tree {
    pub fn to_wire(&self) -> WireTree {
        let nodes = self
            .nodes
            .values()
            .map(|n| WireNode {
                id: n.id.clone(),
                parent: n.parent.clone(),
                name: n.name.clone(),
                kind: if n.is_dir { "dir" } else { "file" }.to_string(),
                size: (!n.is_dir).then_some(n.size),
                hash: (!n.is_dir).then(|| n.hash.clone()),
                chunks: (!n.is_dir).then(|| n.chunks.clone()),
            })
            .collect();
        WireTree {
            parent: self.parent.clone(),
            nodes,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_wire()).expect("a tree always serialises")
    }

    /// A tree from its JSON form, checked whole (`validate`); the error says what is wrong.
    pub fn from_wire(wire: WireTree, kind: HashKind) -> std::result::Result<Tree, String> {
        let mut tree = Tree {
            parent: wire.parent,
            nodes: BTreeMap::new(),
        };
        for w in wire.nodes {
            let is_dir = match w.kind.as_str() {
                "dir" => true,
                "file" => false,
                other => return Err(format!("node {}: kind '{other}'", w.id)),
            };
            let node = match (is_dir, w.size, w.hash, w.chunks) {
                (true, None, None, None) => Node {
                    id: w.id,
                    parent: w.parent,
                    name: w.name,
                    is_dir,
                    size: 0,
                    hash: String::new(),
                    chunks: Vec::new(),
                },
                (false, Some(size), Some(hash), Some(chunks)) => Node {
                    id: w.id,
                    parent: w.parent,
                    name: w.name,
                    is_dir,
                    size,
                    hash,
                    chunks,
                },
                _ => {
                    return Err(format!(
                        "node {}: size, hash and chunks are for files only, and every file has them",
                        w.id
                    ));
                }
            };
            if tree.nodes.insert(node.id.clone(), node).is_some() {
                return Err("two nodes have one id".to_string());
            }
        }
        tree.validate(kind)?;
        Ok(tree)
    }

    /// Every rule a tree keeps: ids non-empty, parents existing dirs, no cycles, valid names, one node per
    /// place, files whose chunks add up to their size and give their content hash.
    pub fn validate(&self, kind: HashKind) -> std::result::Result<(), String> {
        let mut places = HashSet::new();
        for node in self.nodes.values() {
            if node.id.is_empty() {
                return Err("a node has an empty id".to_string());
            }
            if !valid_name(&node.name) || (node.parent.is_empty() && node.name == ".claimsync") {
                return Err(format!("node {}: bad name '{}'", node.id, node.name));
            }
            if !node.parent.is_empty() && !self.nodes.get(&node.parent).is_some_and(|p| p.is_dir) {
                return Err(format!(
                    "node {}: parent {} is not a dir of the tree",
                    node.id, node.parent
                ));
            }
            if !places.insert((node.parent.as_str(), node.name.as_str())) {
                return Err(format!("two nodes named '{}' in one dir", node.name));
            }
            if !node.is_dir {
                let total: u64 = node.chunks.iter().map(|(_, length)| length).sum();
                let hash = kind.content_hash(node.chunks.iter().map(|(hex, _)| hex.as_str()));
                if total != node.size || hash.as_deref() != Some(node.hash.as_str()) {
                    return Err(format!(
                        "file {}: its chunks do not give its size and content hash",
                        node.name
                    ));
                }
            }
        }
        if self.paths().len() != self.nodes.len() {
            return Err("the parents of some nodes make a cycle".to_string());
        }
        Ok(())
    }

    /// Relative path (`/`-separated) of every node that hangs from the root, by id. A node on a cycle has
    /// none.
    pub fn paths(&self) -> HashMap<String, String> {
        let mut paths: HashMap<String, String> = HashMap::with_capacity(self.nodes.len());
        let mut chain = Vec::new();
        for start in self.nodes.keys() {
            let mut at = start.as_str();
            chain.clear();
            let prefix = loop {
                if let Some(path) = paths.get(at) {
                    break Some(path.clone());
                }
                let Some(node) = self.nodes.get(at) else {
                    break None;
                };
                if chain.len() > self.nodes.len() {
                    break None;
                }
                chain.push(at);
                if node.parent.is_empty() {
                    break Some(String::new());
                }
                at = node.parent.as_str();
            };
            let Some(mut path) = prefix else { continue };
            for id in chain.iter().rev() {
                let name = &self.nodes[*id].name;
                path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}/{name}")
                };
                paths.insert(id.to_string(), path.clone());
            }
        }
        paths
    }
}

/// A file or dir name the store accepts: non-empty, no `/` or NUL, not `.` or `..`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0'])
}

/// SPEC.md's tree hash of `dir`: SHA-256 over `<path>\0<size>\0<sha256 hex>\n` of every regular file
/// except `.claimsync/`, sorted by relative path as bytes. Reads every file.
pub fn tree_hash_of_folder(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    collect_files(dir, "", &mut files)?;
    files.sort();
    let mut total = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    for path in files {
        let full = dir.join(&path);
        let mut file = File::open(&full).map_err(|e| Error::io("cannot read", &full, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = file
                .read(&mut buffer)
                .map_err(|e| Error::io("cannot read", &full, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            size += n as u64;
        }
        let digest: [u8; 32] = hasher.finalize().into();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        total.update(path.as_bytes());
        total.update(format!("\0{size}\0{hex}\n").as_bytes());
    }
    let digest: [u8; 32] = total.finalize().into();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn collect_files(dir: &Path, prefix: &str, files: &mut Vec<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir.join(prefix)).map_err(|e| Error::io("cannot list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot list", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == ".claimsync" {
            continue;
        }
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("cannot stat", &entry.path(), e))?;
        if kind.is_dir() {
            collect_files(dir, &path, files)?;
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parent: &str, name: &str, is_dir: bool) -> Node {
        let kind = HashKind::Sha256;
        Node {
            id: id.into(),
            parent: parent.into(),
            name: name.into(),
            is_dir,
            size: 0,
            hash: if is_dir {
                String::new()
            } else {
                kind.content_hash(std::iter::empty()).unwrap()
            },
            chunks: Vec::new(),
        }
    }

    #[test]
    fn json_round_trip_and_paths() {
        let mut tree = Tree::default();
        for n in [
            node("a", "", "docs", true),
            node("b", "a", "x.txt", false),
            node("c", "", "y", false),
        ] {
            tree.nodes.insert(n.id.clone(), n);
        }
        let json = tree.to_json();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(
            text.starts_with(
                r#"{"parent":"","nodes":[{"id":"a","parent":"","name":"docs","kind":"dir"}"#
            ),
            "{text}"
        );
        let wire: WireTree = serde_json::from_slice(&json).unwrap();
        let back = Tree::from_wire(wire, HashKind::Sha256).unwrap();
        assert_eq!(back, tree);
        assert_eq!(back.paths()["b"], "docs/x.txt");
    }

    #[test]
    fn cycles_missing_parents_and_bad_hashes_are_refused() {
        let kind = HashKind::Sha256;
        let mut cycle = Tree::default();
        for n in [node("a", "b", "a", true), node("b", "a", "b", true)] {
            cycle.nodes.insert(n.id.clone(), n);
        }
        assert!(cycle.validate(kind).unwrap_err().contains("cycle"));
        let mut orphan = Tree::default();
        orphan.nodes.insert("a".into(), node("a", "zz", "a", false));
        assert!(orphan.validate(kind).is_err());
        let mut bad = Tree::default();
        let mut file = node("a", "", "a", false);
        file.hash = kind.hex(b"not the content hash");
        bad.nodes.insert("a".into(), file);
        assert!(bad.validate(kind).unwrap_err().contains("content hash"));
    }
}
