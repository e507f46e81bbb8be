//! `sync`, `restore` and `verify` (SPEC.md). A sync, in order: take `STORE/lock`; remove temporaries and
//! put back what a killed sync left; `ready`; scan and hash the folder (new chunks go to the store's open
//! pack); read HEAD; adopt remote ids for equal new nodes; reconcile; flush the last pack; stage every
//! download (hash-checked: a corrupt store stops here, before anything is committed); write the tree and
//! HEAD (skipped when nothing changed); apply locally; save the base; `done`; statistics.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::chunker::Chunker;
use crate::errors::{Error, Result};
use crate::hashing::HashKind;
use crate::local_apply::{ApplyStats, apply_local, stage_downloads};
use crate::local_scan::{ScanStats, adopt_remote_ids, scan_local};
use crate::local_state::{load_base, recover, save_base};
use crate::marks::Marks;
use crate::reconcile::reconcile;
use crate::store::Store;
use crate::tree::{tree_hash_of_folder, valid_name};

pub struct SyncOptions {
    pub local: PathBuf,
    pub remote: PathBuf,
    /// The `--hash` given, if any.
    pub hash: Option<HashKind>,
    pub chunker: Chunker,
    pub threads: usize,
    pub replica: Option<String>,
    pub rehash: bool,
    pub fsync: bool,
}

/// The statistics line of SPEC.md, in its key order.
#[derive(Serialize, Default)]
pub struct SyncStats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub bytes_hashed: u64,
    pub chunks_total: u64,
    pub chunks_new: u64,
    pub chunks_deduplicated: u64,
    pub bytes_uploaded: u64,
    pub bytes_downloaded: u64,
    pub files_uploaded: u64,
    pub files_downloaded: u64,
    pub deleted_local: u64,
    pub deleted_remote: u64,
    pub moved: u64,
    pub conflicts: u64,
    pub skipped: u64,
    pub tree_hash: String,
}

/// 128 random bits in hex: node ids unique across replicas without coordination.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    let mut got = 0;
    while got < bytes.len() {
        // SAFETY: the pointer and length describe the unfilled tail of `bytes`.
        let n = unsafe { libc::getrandom(bytes[got..].as_mut_ptr().cast(), bytes.len() - got, 0) };
        if n > 0 {
            got += n as usize;
        } else if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            panic!("getrandom failed: {}", std::io::Error::last_os_error());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

pub fn run_sync(options: &SyncOptions, marks: &Marks) -> Result<SyncStats> {
    let local = absolute(&options.local);
    let remote = absolute(&options.remote);
    let replica = match &options.replica {
        Some(name) => name.clone(),
        None => local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or("root".into()),
    };
    if !valid_name(&replica) {
        return Err(Error::usage(format!(
            "--replica names conflicted copies, so it cannot contain '/'; got '{replica}'"
        )));
    }
    if local.starts_with(&remote) || remote.starts_with(&local) {
        return Err(Error::usage(
            "--local and --remote must not be inside one another; put the store elsewhere",
        ));
    }
    match std::fs::metadata(&local) {
        Ok(m) if !m.is_dir() => {
            return Err(Error::usage(format!(
                "--local {} is not a directory",
                local.display()
            )));
        }
        Ok(_) => {}
        Err(_) => std::fs::create_dir_all(&local)
            .map_err(|e| Error::usage(format!("cannot create --local {}: {e}", local.display())))?,
    }
    let mut store = Store::open(&remote, true, options.hash, options.fsync)?;
    store.lock()?;
    store.remove_temporaries()?;
    recover(&local, &replica)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| Error::Failure(format!("cannot start {} threads: {e}", options.threads)))?;
    marks.mark("ready");

    let kind = store.kind();
    let base = load_base(&local, kind)?;
    let mut scan_stats = ScanStats::default();
    let mut make_id = new_id;
    let mut scan = pool.install(|| {
        scan_local(
            &local,
            &base,
            &store,
            &options.chunker,
            options.rehash,
            &mut make_id,
            &mut scan_stats,
        )
    })?;
    let head = store.head()?;
    let remote_tree = store.read_tree(&head)?;
    adopt_remote_ids(&mut scan, &base.tree, &remote_tree);
    let mut merge = reconcile(&base.tree, &scan.tree, &remote_tree, &replica, &mut make_id);
    store.flush()?;
    let mut apply_stats = ApplyStats::default();
    let staged = stage_downloads(&local, &scan, &merge.tree, &store, &mut apply_stats)?;
    if merge.tree.nodes != remote_tree.nodes || head.is_empty() {
        merge.tree.parent = head;
        let hex = store.put_tree(&merge.tree)?;
        store.set_head(&hex)?;
    } else {
        merge.tree.parent = remote_tree.parent.clone();
    }
    let records = match apply_local(&local, &scan, &merge.tree, &staged, &mut apply_stats) {
        Ok(records) => records,
        Err(e) => {
            // Put back whatever the apply had moved aside; the store already holds every version.
            let _ = recover(&local, &replica);
            return Err(e);
        }
    };
    save_base(&local, &merge.tree, records)?;
    marks.mark("done");

    let files_uploaded = merge
        .tree
        .nodes
        .values()
        .filter(|n| {
            !n.is_dir
                && remote_tree
                    .nodes
                    .get(&n.id)
                    .is_none_or(|r| r.hash != n.hash)
        })
        .count() as u64;
    Ok(SyncStats {
        files_scanned: scan_stats.files_scanned,
        bytes_scanned: scan_stats.bytes_scanned,
        bytes_hashed: scan_stats.bytes_hashed,
        chunks_total: scan_stats.chunks_total,
        chunks_new: scan_stats.chunks_new,
        chunks_deduplicated: scan_stats.chunks_total - scan_stats.chunks_new,
        bytes_uploaded: scan_stats.bytes_uploaded,
        bytes_downloaded: apply_stats.bytes_downloaded,
        files_uploaded,
        files_downloaded: apply_stats.files_downloaded,
        deleted_local: apply_stats.deleted_local,
        deleted_remote: merge.deleted_remote,
        moved: merge.moved,
        conflicts: merge.conflicts,
        skipped: scan_stats.skipped,
        // Content hashes are not SHA-256 of the bytes, so the tree hash reads the folder (after `done`).
        tree_hash: tree_hash_of_folder(&local)?,
    })
}

/// Writes the store's current tree into `out` (missing or empty), every chunk hash-checked. Nothing is
/// left half-restored: on an error `out` is emptied again. Returns the number of files.
pub fn run_restore(remote: &Path, out: &Path, marks: &Marks) -> Result<u64> {
    if let Ok(meta) = std::fs::metadata(out) {
        let empty = meta.is_dir() && std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
        if !empty {
            return Err(Error::usage(format!(
                "--out {} must not exist or be an empty folder",
                out.display()
            )));
        }
    }
    let mut store = Store::open(remote, false, None, false)?;
    store.lock()?;
    let tree = store.read_tree(&store.head()?)?;
    std::fs::create_dir_all(out)
        .map_err(|e| Error::usage(format!("cannot create --out {}: {e}", out.display())))?;
    marks.mark("ready");
    let mut paths: Vec<(String, &String)> = tree
        .paths()
        .into_iter()
        .map(|(id, p)| (p, tree.nodes.get_key_value(&id).expect("node").0))
        .collect();
    paths.sort();
    let write_all = || -> Result<u64> {
        let mut files = 0;
        for (path, id) in &paths {
            let node = &tree.nodes[*id];
            let full = out.join(path);
            if node.is_dir {
                std::fs::create_dir(&full).map_err(|e| Error::io("cannot create", &full, e))?;
                continue;
            }
            let mut data = Vec::with_capacity(node.size as usize);
            for (chunk, length) in &node.chunks {
                data.extend_from_slice(&store.read_chunk(chunk, *length)?);
            }
            std::fs::write(&full, data).map_err(|e| Error::io("cannot write", &full, e))?;
            files += 1;
        }
        Ok(files)
    };
    match write_all() {
        Ok(files) => {
            marks.mark("done");
            Ok(files)
        }
        Err(e) => {
            for entry in std::fs::read_dir(out).into_iter().flatten().flatten() {
                let _ = std::fs::remove_dir_all(entry.path())
                    .or_else(|_| std::fs::remove_file(entry.path()));
            }
            Err(e)
        }
    }
}

/// Reads the store whole; prints its counts or exits 3 naming every bad object.
pub fn run_verify(remote: &Path) -> Result<crate::store::VerifyReport> {
    let store = Store::open(remote, false, None, false)?;
    store.verify()
}
