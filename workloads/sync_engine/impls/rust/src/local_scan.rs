//! The scan of the local folder (SPEC.md, Batch sync): every regular file and dir except `.claimsync/`,
//! recognised as base nodes by inode (a rename or move keeps it) and then by path; a file is hashed again
//! only when its size, mtime or inode differ from the base's record, or its mtime is not older than the
//! base itself, or `--rehash`. Files are hashed in parallel on the current rayon pool (`--threads`), and
//! each chunk goes to the store as soon as it is hashed.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use crate::chunk_hash::chunk_and_hash;
use crate::chunker::Chunker;
use crate::errors::{Error, Result};
use crate::local_state::{BaseState, DiskRecord, STATE_DIR};
use crate::store::Store;
use crate::tree::{Node, Tree};

/// Files of at least this many maximal chunks are hashed with the chunk pipeline (the boundary finder
/// and the hashing overlap) rather than on one thread.
const PIPELINE_MAX_CHUNKS: usize = 4;
/// Smaller files are read into memory; bigger ones are mapped.
const MAP_BYTES: u64 = 1 << 20;

#[derive(Default)]
pub struct ScanStats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub bytes_hashed: u64,
    pub chunks_total: u64,
    pub chunks_new: u64,
    pub bytes_uploaded: u64,
    pub skipped: u64,
}

/// The local tree as scanned, with ids from the base where a node was recognised, and each node's record.
pub struct LocalScan {
    pub tree: Tree,
    pub records: HashMap<String, DiskRecord>,
}

struct Entry {
    path: String,
    parent: Option<usize>,
    name: String,
    is_dir: bool,
    record: DiskRecord,
}

/// Lists `dir` below `prefix`, parents before children; symlinks, special files and names that are not
/// UTF-8 are counted in `skipped`.
fn walk(dir: &Path, at: Option<usize>, entries: &mut Vec<Entry>, skipped: &mut u64) -> Result<()> {
    let prefix = at.map(|i| entries[i].path.clone());
    let folder = match &prefix {
        Some(p) => dir.join(p),
        None => dir.to_path_buf(),
    };
    let listing = fs::read_dir(&folder).map_err(|e| Error::io("cannot list", &folder, e))?;
    let mut names: Vec<_> = listing
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io("cannot list", &folder, e))?;
    names.sort();
    for os_name in names {
        let Some(name) = os_name.to_str().map(str::to_string) else {
            *skipped += 1;
            continue;
        };
        if at.is_none() && name == STATE_DIR {
            continue;
        }
        let path = match &prefix {
            Some(p) => format!("{p}/{name}"),
            None => name.clone(),
        };
        let full = dir.join(&path);
        let meta = fs::symlink_metadata(&full).map_err(|e| Error::io("cannot stat", &full, e))?;
        let kind = meta.file_type();
        if !kind.is_dir() && !kind.is_file() {
            *skipped += 1;
            continue;
        }
        entries.push(Entry {
            path,
            parent: at,
            name,
            is_dir: kind.is_dir(),
            record: DiskRecord::of(&meta),
        });
        if kind.is_dir() {
            walk(dir, Some(entries.len() - 1), entries, skipped)?;
        }
    }
    Ok(())
}

/// Scans `dir` against `base`, hashing what changed and storing its chunks.
pub fn scan_local(
    dir: &Path,
    base: &BaseState,
    store: &Store,
    chunker: &Chunker,
    rehash: bool,
    new_id: &mut dyn FnMut() -> String,
    stats: &mut ScanStats,
) -> Result<LocalScan> {
    let mut entries = Vec::new();
    walk(dir, None, &mut entries, &mut stats.skipped)?;

    // Recognise base nodes: by inode first, then by path (an editor's save by rename makes a new inode).
    let base_paths = base.tree.paths();
    let id_by_path: HashMap<&str, &str> = base_paths
        .iter()
        .map(|(id, p)| (p.as_str(), id.as_str()))
        .collect();
    let id_by_inode: HashMap<u64, &str> = base
        .records
        .iter()
        .filter(|(id, _)| base.tree.nodes.contains_key(*id))
        .map(|(id, r)| (r.inode, id.as_str()))
        .collect();
    let kind_matches = |id: &str, e: &Entry| base.tree.nodes[id].is_dir == e.is_dir;
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut ids: Vec<Option<String>> = entries
        .iter()
        .map(|e| {
            let id = *id_by_inode.get(&e.record.inode)?;
            (kind_matches(id, e) && claimed.insert(id)).then(|| id.to_string())
        })
        .collect();
    for (i, e) in entries.iter().enumerate() {
        if ids[i].is_none() {
            ids[i] = match id_by_path.get(e.path.as_str()) {
                Some(&id) if kind_matches(id, e) && claimed.insert(id) => Some(id.to_string()),
                _ => Some(new_id()),
            };
        }
    }
    let ids: Vec<String> = ids
        .into_iter()
        .map(|id| id.expect("every entry has an id"))
        .collect();

    let mut scan = LocalScan {
        tree: Tree::default(),
        records: HashMap::new(),
    };
    let mut to_hash = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let mut node = Node {
            id: ids[i].clone(),
            parent: e.parent.map(|p| ids[p].clone()).unwrap_or_default(),
            name: e.name.clone(),
            is_dir: e.is_dir,
            size: 0,
            hash: String::new(),
            chunks: Vec::new(),
        };
        if !e.is_dir {
            stats.files_scanned += 1;
            stats.bytes_scanned += e.record.size;
            let known = base.tree.nodes.get(&node.id);
            let trusted = !rehash
                && base.records.get(&node.id) == Some(&e.record)
                && e.record.mtime_ns < base.saved_mtime_ns;
            match known {
                Some(known) if trusted => {
                    node.size = known.size;
                    node.hash = known.hash.clone();
                    node.chunks = known.chunks.clone();
                }
                _ => to_hash.push(i),
            }
        }
        scan.records.insert(node.id.clone(), e.record);
        scan.tree.nodes.insert(node.id.clone(), node);
    }

    let counters = Counters::default();
    let hashed: Vec<(Node, DiskRecord)> = to_hash
        .par_iter()
        .map(|&i| hash_file(&dir.join(&entries[i].path), store, chunker, &counters))
        .collect::<Result<_>>()?;
    for (&i, (content, record)) in to_hash.iter().zip(hashed) {
        let node = scan.tree.nodes.get_mut(&ids[i]).expect("scanned");
        node.size = content.size;
        node.hash = content.hash;
        node.chunks = content.chunks;
        scan.records.insert(ids[i].clone(), record);
    }
    stats.bytes_hashed += counters.bytes_hashed.into_inner();
    stats.chunks_total += counters.chunks_total.into_inner();
    stats.chunks_new += counters.chunks_new.into_inner();
    stats.bytes_uploaded += counters.bytes_uploaded.into_inner();
    Ok(scan)
}

#[derive(Default)]
struct Counters {
    bytes_hashed: AtomicU64,
    chunks_total: AtomicU64,
    chunks_new: AtomicU64,
    bytes_uploaded: AtomicU64,
}

/// Size, content hash and chunks of one file (its chunks stored), and its record as it was read. A file
/// that changed while it was read stops the sync (exit 4).
fn hash_file(
    path: &Path,
    store: &Store,
    chunker: &Chunker,
    counters: &Counters,
) -> Result<(Node, DiskRecord)> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let before = file
        .metadata()
        .map_err(|e| Error::io("cannot stat", path, e))?;
    let mut owned = Vec::new();
    let mapped;
    let data: &[u8] = if before.len() >= MAP_BYTES {
        // SAFETY: the map is read-only and private to this function; a file truncated meanwhile by
        // another process is the one hazard of mapping, and the record check below reports the change.
        mapped =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io("cannot map", path, e))?;
        &mapped
    } else {
        owned.reserve_exact(before.len() as usize);
        file.read_to_end(&mut owned)
            .map_err(|e| Error::io("cannot read", path, e))?;
        &owned
    };
    let kind = store.kind();
    let store_chunk = |bytes: &[u8], digest: &crate::hashing::Digest| -> Result<()> {
        if store.put_chunk(digest, bytes)? {
            counters.chunks_new.fetch_add(1, Relaxed);
            counters
                .bytes_uploaded
                .fetch_add(bytes.len() as u64, Relaxed);
        }
        counters.chunks_total.fetch_add(1, Relaxed);
        Ok(())
    };
    let parallel = data.len() >= PIPELINE_MAX_CHUNKS * chunker.sizes().max;
    let chunks = chunk_and_hash(data, chunker, kind, parallel, &store_chunk)?;
    counters.bytes_hashed.fetch_add(data.len() as u64, Relaxed);
    let digests: Vec<u8> = chunks
        .iter()
        .flat_map(|c| c.digest.as_bytes().to_vec())
        .collect();
    let after = file
        .metadata()
        .map_err(|e| Error::io("cannot stat", path, e))?;
    if DiskRecord::of(&after) != DiskRecord::of(&before) || data.len() as u64 != before.len() {
        return Err(Error::LocalChanged(format!(
            "{} changed while it was read; local folder changed during sync; run sync again",
            path.display()
        )));
    }
    let node = Node {
        id: String::new(),
        parent: String::new(),
        name: String::new(),
        is_dir: false,
        size: data.len() as u64,
        hash: kind.hex(&digests),
        chunks: chunks
            .into_iter()
            .map(|c| (c.digest.hex(), c.length as u64))
            .collect(),
    };
    Ok((node, DiskRecord::of(&before)))
}

/// Gives a node the folder has and the base lacks the id of the remote node at the same path when that
/// one is new too and equal (same kind; for files, same content): a fresh replica of a synced tree is then
/// the same nodes, not conflicts to merge and fetch again.
pub fn adopt_remote_ids(scan: &mut LocalScan, base: &Tree, remote: &Tree) {
    let remote_by_path: HashMap<String, String> = remote
        .paths()
        .into_iter()
        .filter(|(id, _)| !base.nodes.contains_key(id) && !scan.tree.nodes.contains_key(id))
        .map(|(id, path)| (path, id))
        .collect();
    if remote_by_path.is_empty() {
        return;
    }
    let mut renamed: HashMap<String, String> = HashMap::new();
    for (id, path) in scan.tree.paths() {
        let Some(theirs) = remote_by_path.get(&path) else {
            continue;
        };
        let (mine, other) = (&scan.tree.nodes[&id], &remote.nodes[theirs]);
        if !base.nodes.contains_key(&id)
            && mine.is_dir == other.is_dir
            && (mine.is_dir || mine.hash == other.hash)
        {
            renamed.insert(id, theirs.clone());
        }
    }
    if renamed.is_empty() {
        return;
    }
    let rename = |id: &String| renamed.get(id).cloned().unwrap_or_else(|| id.clone());
    let nodes = std::mem::take(&mut scan.tree.nodes);
    for (id, mut node) in nodes {
        node.id = rename(&id);
        if !node.parent.is_empty() {
            node.parent = rename(&node.parent);
        }
        if let Some(record) = scan.records.remove(&id) {
            scan.records.insert(node.id.clone(), record);
        }
        scan.tree.nodes.insert(node.id.clone(), node);
    }
}
