//! The engine's own state in `DIR/.claimsync/` (SPEC.md, Batch sync): `base.json` (the tree both sides
//! agreed on at the last sync, and per node what it looked like on disk), `journal.json` (only while a
//! local apply moves things through `tmp/`), and `tmp/` (staged downloads and moves).

use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::errors::{Error, Result};
use crate::hashing::HashKind;
use crate::reconcile::conflicted_name;
use crate::tree::{Tree, WireTree};

pub const STATE_DIR: &str = ".claimsync";
const BASE_OBJECT: &str = ".claimsync/base.json";

/// What the base remembers of a node as it was on disk after the last sync: size, mtime in ns, inode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskRecord {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
}

impl DiskRecord {
    pub fn of(meta: &Metadata) -> Self {
        DiskRecord {
            size: meta.len(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            inode: meta.ino(),
        }
    }
}

#[derive(Default)]
pub struct BaseState {
    pub tree: Tree,
    pub records: HashMap<String, DiskRecord>,
    /// mtime of base.json itself: a record whose mtime is not older may hide a later edit of the same
    /// size in the same clock tick ("racy" as in git), so its file is hashed again.
    pub saved_mtime_ns: i64,
}

#[derive(Serialize, Deserialize)]
struct WireBase {
    tree: WireTree,
    records: HashMap<String, DiskRecord>,
}

pub fn state_dir(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR)
}

pub fn tmp_dir(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR).join("tmp")
}

/// The base of `dir`; empty when there is none; a corrupt error when base.json cannot be read.
pub fn load_base(dir: &Path, kind: HashKind) -> Result<BaseState> {
    let path = dir.join(BASE_OBJECT);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BaseState::default()),
        Err(e) => return Err(Error::corrupt(BASE_OBJECT, format!("cannot read: {e}"))),
    };
    let saved_mtime_ns = fs::metadata(&path)
        .map(|m| DiskRecord::of(&m).mtime_ns)
        .unwrap_or(i64::MAX);
    let wire: WireBase = serde_json::from_slice(&bytes).map_err(|e| {
        Error::corrupt(
            BASE_OBJECT,
            format!("{e}; remove .claimsync/ to sync this folder afresh"),
        )
    })?;
    let tree = Tree::from_wire(wire.tree, kind).map_err(|e| {
        Error::corrupt(
            BASE_OBJECT,
            format!("{e}; remove .claimsync/ to sync this folder afresh"),
        )
    })?;
    Ok(BaseState {
        tree,
        records: wire.records,
        saved_mtime_ns,
    })
}

/// Writes base.json by temporary file and rename.
pub fn save_base(dir: &Path, tree: &Tree, records: HashMap<String, DiskRecord>) -> Result<()> {
    let wire = WireBase {
        tree: tree.to_wire(),
        records,
    };
    let bytes = serde_json::to_vec(&wire).expect("a base always serialises");
    let temp = tmp_dir(dir).join("base.json");
    fs::write(&temp, bytes).map_err(|e| Error::io("cannot write", &temp, e))?;
    fs::rename(&temp, dir.join(BASE_OBJECT)).map_err(|e| Error::io("cannot rename", &temp, e))
}

/// Before a local apply moves anything into tmp/: where each staged move came from (tmp name, path).
pub fn write_journal(dir: &Path, moves: &[(String, String)]) -> Result<()> {
    let temp = tmp_dir(dir).join("journal.json");
    let bytes = serde_json::to_vec(moves).expect("a journal always serialises");
    fs::write(&temp, bytes).map_err(|e| Error::io("cannot write", &temp, e))?;
    fs::rename(&temp, state_dir(dir).join("journal.json"))
        .map_err(|e| Error::io("cannot rename", &temp, e))
}

/// Puts back what a killed or stopped apply left in tmp/ (at its old path, or beside it as a conflicted
/// copy when that is taken), then empties tmp/. Creates `.claimsync/tmp/` when missing.
pub fn recover(dir: &Path, replica: &str) -> Result<()> {
    let tmp = tmp_dir(dir);
    let journal = state_dir(dir).join("journal.json");
    if let Ok(bytes) = fs::read(&journal) {
        let moves: Vec<(String, String)> = serde_json::from_slice(&bytes)
            .map_err(|e| Error::corrupt(".claimsync/journal.json", e.to_string()))?;
        for (name, path) in moves {
            let staged = tmp.join(&name);
            if fs::symlink_metadata(&staged).is_err() {
                continue;
            }
            let mut target = dir.join(&path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
            }
            let file_name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut n = 1;
            while fs::symlink_metadata(&target).is_ok() {
                target.set_file_name(conflicted_name(&file_name, replica, n));
                n += 1;
            }
            fs::rename(&staged, &target).map_err(|e| Error::io("cannot put back", &staged, e))?;
        }
        fs::remove_file(&journal).map_err(|e| Error::io("cannot remove", &journal, e))?;
    }
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::io("cannot empty", &tmp, e))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| Error::io("cannot create", &tmp, e))
}
