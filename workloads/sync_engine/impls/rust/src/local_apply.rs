//! Making the local folder equal to the merged tree (SPEC.md, Batch sync and Crash safety). Downloads are
//! staged whole in `.claimsync/tmp/` before the sync commits (so a corrupt store stops it before any user
//! file is touched) and renamed into place after; a file that changed since the scan is never replaced,
//! moved or removed (exit 4); moves go through `tmp/` under a journal that `local_state::recover` replays.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::errors::{Error, Result};
use crate::local_scan::LocalScan;
use crate::local_state::{DiskRecord, tmp_dir, write_journal};
use crate::store::Store;
use crate::tree::Tree;

#[derive(Default)]
pub struct ApplyStats {
    pub files_downloaded: u64,
    pub bytes_downloaded: u64,
    pub deleted_local: u64,
}

/// Writes every file whose content the merged tree has and the folder lacks into tmp/, each chunk
/// hash-checked. Returns the staged path by node id. Touches no user file.
pub fn stage_downloads(
    dir: &Path,
    scan: &LocalScan,
    merged: &Tree,
    store: &Store,
    stats: &mut ApplyStats,
) -> Result<HashMap<String, PathBuf>> {
    let mut staged = HashMap::new();
    for node in merged.nodes.values().filter(|n| !n.is_dir) {
        if scan
            .tree
            .nodes
            .get(&node.id)
            .is_some_and(|l| l.hash == node.hash)
        {
            continue;
        }
        let path = tmp_dir(dir).join(format!("dl-{}", node.id));
        let mut file = File::create(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        for (chunk, length) in &node.chunks {
            let bytes = store.read_chunk(chunk, *length)?;
            file.write_all(&bytes)
                .map_err(|e| Error::io("cannot write", &path, e))?;
        }
        stats.files_downloaded += 1;
        stats.bytes_downloaded += node.size;
        staged.insert(node.id.clone(), path);
    }
    Ok(staged)
}

fn changed_error(path: &Path) -> Error {
    Error::LocalChanged(format!(
        "{} changed during the sync; local folder changed during sync; run sync again",
        path.display()
    ))
}

/// Fails with exit 4 unless the file at `path` still has the record the scan saw.
fn check_unchanged(path: &Path, record: Option<&DiskRecord>) -> Result<()> {
    let now = fs::symlink_metadata(path).map(|m| DiskRecord::of(&m)).ok();
    if now.as_ref() != record {
        return Err(changed_error(path));
    }
    Ok(())
}

/// Renames `from` to `to` unless something is at `to` already (something the user made since the scan).
fn place(from: &Path, to: &Path) -> Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(changed_error(to));
    }
    fs::rename(from, to).map_err(|e| Error::io("cannot rename", from, e))
}

fn depth(path: &str) -> usize {
    path.bytes().filter(|b| *b == b'/').count()
}

/// Makes `dir` equal to `merged`, from the state `scan` saw, and returns each merged node's new record.
pub fn apply_local(
    dir: &Path,
    scan: &LocalScan,
    merged: &Tree,
    staged: &HashMap<String, PathBuf>,
    stats: &mut ApplyStats,
) -> Result<HashMap<String, DiskRecord>> {
    let local_paths = scan.tree.paths();
    let merged_paths = merged.paths();
    let tmp = tmp_dir(dir);

    // Out first, deepest first: deletes, and moves into tmp/ (a moved dir takes its unmoved children).
    let mut out: Vec<(&String, &String)> = scan
        .tree
        .nodes
        .keys()
        .filter(|id| {
            merged
                .nodes
                .get(*id)
                .is_none_or(|m| !m.same_place(&scan.tree.nodes[*id]))
        })
        .map(|id| (id, &local_paths[id]))
        .collect();
    out.sort_by_key(|(_, path)| std::cmp::Reverse(depth(path)));
    let moves: Vec<(String, String)> = out
        .iter()
        .filter(|(id, _)| merged.nodes.contains_key(*id))
        .map(|(id, path)| (format!("mv-{id}"), path.to_string()))
        .collect();
    if !moves.is_empty() {
        write_journal(dir, &moves)?;
    }
    for (id, path) in &out {
        let full = dir.join(path);
        let node = &scan.tree.nodes[*id];
        if !node.is_dir {
            check_unchanged(&full, scan.records.get(*id))?;
        }
        if merged.nodes.contains_key(*id) {
            fs::rename(&full, tmp.join(format!("mv-{id}")))
                .map_err(|e| Error::io("cannot move", &full, e))?;
        } else if node.is_dir {
            fs::remove_dir(&full).map_err(|e| match e.kind() {
                ErrorKind::DirectoryNotEmpty => changed_error(&full),
                _ => Error::io("cannot remove", &full, e),
            })?;
            stats.deleted_local += 1;
        } else {
            fs::remove_file(&full).map_err(|e| Error::io("cannot remove", &full, e))?;
            stats.deleted_local += 1;
        }
    }

    // Then in, shallowest first: moved nodes back from tmp/, new dirs, staged files.
    let mut order: Vec<&String> = merged.nodes.keys().collect();
    order.sort_by_key(|id| depth(&merged_paths[*id]));
    for id in order {
        let node = &merged.nodes[id];
        let target = dir.join(&merged_paths[id]);
        let local = scan.tree.nodes.get(id);
        match local {
            Some(l) if !l.same_place(node) => place(&tmp.join(format!("mv-{id}")), &target)?,
            Some(_) => {}
            None if node.is_dir => {
                if fs::symlink_metadata(&target).is_ok() {
                    return Err(changed_error(&target));
                }
                fs::create_dir(&target).map_err(|e| Error::io("cannot create", &target, e))?;
            }
            None => {}
        }
        if let Some(staged) = staged.get(id) {
            if local.is_some() {
                check_unchanged(&target, scan.records.get(id))?;
                fs::rename(staged, &target).map_err(|e| Error::io("cannot rename", staged, e))?;
            } else {
                place(staged, &target)?;
            }
        }
    }
    let journal = dir.join(".claimsync/journal.json");
    if !moves.is_empty() {
        fs::remove_file(&journal).map_err(|e| Error::io("cannot remove", &journal, e))?;
    }

    merged_paths
        .iter()
        .map(|(id, path)| {
            let full = dir.join(path);
            let meta =
                fs::symlink_metadata(&full).map_err(|e| Error::io("cannot stat", &full, e))?;
            Ok((id.clone(), DiskRecord::of(&meta)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Node;

    fn file_node(content: &str) -> Node {
        Node {
            id: "f".into(),
            parent: String::new(),
            name: "notes.txt".into(),
            is_dir: false,
            size: content.len() as u64,
            hash: format!("hash of {content}"),
            chunks: Vec::new(),
        }
    }

    /// A file saved between the scan and its replacement stops the sync (exit 4) and keeps the user's bytes.
    #[test]
    fn a_file_changed_since_the_scan_is_not_replaced() {
        let dir =
            std::env::temp_dir().join(format!("sync-engine-rust-apply-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(tmp_dir(&dir)).unwrap();
        let path = dir.join("notes.txt");
        fs::write(&path, "scanned").unwrap();
        let mut scan = LocalScan {
            tree: Tree::default(),
            records: HashMap::new(),
        };
        scan.tree.nodes.insert("f".into(), file_node("scanned"));
        scan.records
            .insert("f".into(), DiskRecord::of(&fs::metadata(&path).unwrap()));
        let mut merged = Tree::default();
        merged.nodes.insert("f".into(), file_node("remote"));
        let staged_path = tmp_dir(&dir).join("dl-f");
        fs::write(&staged_path, "remote").unwrap();
        let staged = HashMap::from([("f".to_string(), staged_path)]);

        fs::write(&path, "saved by the user after the scan").unwrap();
        let result = apply_local(&dir, &scan, &merged, &staged, &mut ApplyStats::default());
        assert!(matches!(result, Err(Error::LocalChanged(_))));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "saved by the user after the scan"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
