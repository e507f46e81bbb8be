//! The remote store, format 4 (SPEC.md, The remote store): packs of chunks named by the hash of their
//! index, one index per pack, tree snapshots, HEAD, and `lock`. Every object is written to a temporary
//! name in its folder and renamed into place (pack, its index, then the tree, then HEAD); with `--fsync`
//! each is synced before its rename and its folder after.
//!
//! Thread-safety: `put_chunk` and `read_chunk` may be called from many threads (one mutex guards the
//! index map and the open pack; a full pack is finished outside it by the thread that filled it);
//! everything else takes `&mut self` or is read-only.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::errors::{Error, Result};
use crate::hashing::{Digest, HashKind, is_lower_hex};
use crate::tree::{Tree, WireTree};

const FORMAT_PREFIX: &str = "claimbench-sync 4 ";
/// A pack is written out once it holds this many bytes or more (SPEC.md: about 16 MiB).
const PACK_TARGET_BYTES: u64 = 16 << 20;
/// Temporary files start with this; the next sync removes what a killed one left.
const TEMP_PREFIX: &str = ".tmp-";

/// Where a chunk lies.
#[derive(Clone, Debug)]
struct Location {
    pack: Arc<str>,
    offset: u64,
    length: u64,
}

/// The pack being filled: a temporary file in `packs/` and its index lines so far.
struct OpenPack {
    file: File,
    temp: PathBuf,
    entries: Vec<(String, u64, u64)>,
    bytes: u64,
}

struct Shared {
    index: HashMap<String, Location>,
    /// Chunks put by this process that sit in a pack not yet indexed (open or being finished).
    unindexed: HashSet<String>,
    open: Option<OpenPack>,
}

pub struct Store {
    dir: PathBuf,
    kind: HashKind,
    durable: bool,
    pack_target: u64,
    shared: Mutex<Shared>,
    lock: Option<File>,
}

/// What `verify` found: counts of a sound store, or every problem (`object: what`).
pub struct VerifyReport {
    pub chunks: u64,
    pub manifests: u64,
    pub bytes: u64,
    pub problems: Vec<String>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_name() -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{TEMP_PREFIX}{}-{n}", std::process::id())
}

/// fsyncs a folder; a file system that cannot (EINVAL, ENOTSUP) is not an error (SPEC.md).
pub fn sync_dir(dir: &Path) -> Result<()> {
    let result = File::open(dir).and_then(|d| d.sync_all());
    match result {
        Err(e) if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOTSUP)) => {
            Err(Error::io("cannot fsync", dir, e))
        }
        _ => Ok(()),
    }
}

impl Store {
    /// Opens the store at `dir`, creating it when `create` and it is missing or empty. `kind` is the
    /// `--hash` given, if any: a store with the other one is a usage error. Loads every index.
    pub fn open(dir: &Path, create: bool, kind: Option<HashKind>, durable: bool) -> Result<Store> {
        let pack_target = std::env::var("CLAIMBENCH_SYNC_PACK_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(PACK_TARGET_BYTES);
        let mut store = Store {
            dir: dir.to_path_buf(),
            kind: kind.unwrap_or(HashKind::Sha256),
            durable,
            pack_target,
            shared: Mutex::new(Shared {
                index: HashMap::new(),
                unindexed: HashSet::new(),
                open: None,
            }),
            lock: None,
        };
        match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::usage(format!(
                    "--remote {} is not a directory",
                    dir.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot open --remote {}: {e}",
                    dir.display()
                )));
            }
        }
        let format = match fs::read_to_string(dir.join("format")) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                store.create(create)?;
                return Ok(store);
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read {}/format: {e}",
                    dir.display()
                )));
            }
        };
        let found = match format.strip_prefix(FORMAT_PREFIX) {
            Some("sha256\n") => HashKind::Sha256,
            Some("fast\n") => HashKind::Fast,
            _ => {
                for (version, what) in [
                    ("3", "packs named by the hash of their bytes"),
                    ("2", "one file per chunk"),
                    ("1", "content hashes of whole files"),
                ] {
                    if format.starts_with(&format!("claimbench-sync {version} ")) {
                        return Err(Error::usage(format!(
                            "the store {} is in format {version} ({what}), which this sync_engine does not read; \
                             restore it with the sync_engine that wrote it and sync the folder into a new store (format 4)",
                            dir.display()
                        )));
                    }
                }
                return Err(Error::corrupt(
                    "format",
                    "expected 'claimbench-sync 4 sha256' or 'claimbench-sync 4 fast' and a newline",
                ));
            }
        };
        if kind.is_some_and(|k| k != found) {
            return Err(Error::usage(format!(
                "the store {} uses --hash {}; sync it with that",
                dir.display(),
                found.name()
            )));
        }
        store.kind = found;
        store.load_indexes()?;
        Ok(store)
    }

    fn create(&mut self, create: bool) -> Result<()> {
        // A creation killed before `format` leaves only empty subfolders and temporaries: that is empty.
        let mut empty = true;
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let sub = matches!(name.as_str(), "packs" | "index" | "trees");
                let empty_sub =
                    sub && fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
                if !name.starts_with(TEMP_PREFIX) && !empty_sub {
                    empty = false;
                }
            }
        }
        if !create {
            return Err(Error::usage(format!(
                "--remote {} is not a sync store (no format file); give the folder a sync created",
                self.dir.display()
            )));
        }
        if !empty {
            return Err(Error::usage(format!(
                "--remote {} is neither empty nor a sync store (no format file); give a new or empty folder",
                self.dir.display()
            )));
        }
        for sub in ["", "packs", "index", "trees"] {
            let path = self.dir.join(sub);
            fs::create_dir_all(&path).map_err(|e| {
                Error::usage(format!("cannot create --remote {}: {e}", path.display()))
            })?;
        }
        let line = format!("{FORMAT_PREFIX}{}\n", self.kind.name());
        self.write_atomically(&self.dir, "format", line.as_bytes())
    }

    pub fn kind(&self) -> HashKind {
        self.kind
    }

    /// Takes `STORE/lock` with flock(LOCK_EX) until the store is dropped: syncs of one store run one at a
    /// time.
    pub fn lock(&mut self) -> Result<()> {
        let path = self.dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("cannot open", &path, e))?;
        file.lock()
            .map_err(|e| Error::io("cannot lock", &path, e))?;
        self.lock = Some(file);
        Ok(())
    }

    /// Removes the temporary files a killed writer left (call with the lock held).
    pub fn remove_temporaries(&self) -> Result<()> {
        for sub in ["", "packs", "index", "trees"] {
            let dir = self.dir.join(sub);
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    let path = entry.path();
                    fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
                }
            }
        }
        Ok(())
    }

    fn write_atomically(&self, dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
        let temp = dir.join(temp_name());
        let mut file = File::create(&temp).map_err(|e| Error::io("cannot create", &temp, e))?;
        file.write_all(bytes)
            .map_err(|e| Error::io("cannot write", &temp, e))?;
        self.commit(file, &temp, &dir.join(name))
    }

    /// Syncs `file` (when durable), renames `temp` to `target`, and syncs the folder.
    fn commit(&self, file: File, temp: &Path, target: &Path) -> Result<()> {
        if self.durable {
            file.sync_all()
                .map_err(|e| Error::io("cannot fsync", temp, e))?;
        }
        drop(file);
        fs::rename(temp, target).map_err(|e| Error::io("cannot rename", temp, e))?;
        if self.durable {
            sync_dir(target.parent().unwrap_or(Path::new(".")))?;
        }
        Ok(())
    }

    fn load_indexes(&mut self) -> Result<()> {
        let dir = self.dir.join("index");
        let digits = 2 * self.kind.digest_len();
        let entries =
            fs::read_dir(&dir).map_err(|e| Error::corrupt("index", format!("cannot list: {e}")))?;
        let shared = self.shared.get_mut().expect("not poisoned");
        for entry in entries {
            let entry = entry.map_err(|e| Error::corrupt("index", format!("cannot list: {e}")))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let object = format!("index/{name}");
            if !is_lower_hex(&name, digits) {
                return Err(Error::corrupt(
                    object,
                    "not an index name (the hash of its pack's index)",
                ));
            }
            let text = fs::read_to_string(entry.path())
                .map_err(|e| Error::corrupt(&object, format!("cannot read: {e}")))?;
            let pack_size = match fs::metadata(self.dir.join("packs").join(&name)) {
                Ok(m) => m.len(),
                Err(_) => {
                    return Err(Error::corrupt(
                        format!("packs/{name}"),
                        format!("missing ({object} names it)"),
                    ));
                }
            };
            let pack: Arc<str> = Arc::from(name.as_str());
            for (chunk, offset, length) in
                parse_index(&text, digits).map_err(|what| Error::corrupt(&object, what))?
            {
                if offset + length > pack_size {
                    return Err(Error::corrupt(
                        format!("packs/{name}"),
                        format!(
                            "chunk {chunk} (offset {offset}, length {length}) lies outside the pack ({pack_size} bytes)"
                        ),
                    ));
                }
                shared.index.insert(
                    chunk,
                    Location {
                        pack: pack.clone(),
                        offset,
                        length,
                    },
                );
            }
        }
        Ok(())
    }

    /// Stores a chunk unless the store already has it (indexed, or put earlier by this process). True
    /// when it was new. Fills the open pack; the call that fills it past the target writes it out.
    pub fn put_chunk(&self, digest: &Digest, bytes: &[u8]) -> Result<bool> {
        let hex = digest.hex();
        let full = {
            let mut shared = self.shared.lock().expect("not poisoned");
            if shared.index.contains_key(&hex) || !shared.unindexed.insert(hex.clone()) {
                return Ok(false);
            }
            if shared.open.is_none() {
                let temp = self.dir.join("packs").join(temp_name());
                let file = File::create(&temp).map_err(|e| Error::io("cannot create", &temp, e))?;
                shared.open = Some(OpenPack {
                    file,
                    temp,
                    entries: Vec::new(),
                    bytes: 0,
                });
            }
            let pack = shared.open.as_mut().expect("just opened");
            pack.file
                .write_all(bytes)
                .map_err(|e| Error::io("cannot write", &pack.temp, e))?;
            pack.entries.push((hex, pack.bytes, bytes.len() as u64));
            pack.bytes += bytes.len() as u64;
            if pack.bytes >= self.pack_target {
                shared.open.take()
            } else {
                None
            }
        };
        if let Some(pack) = full {
            self.finish_pack(pack)?;
        }
        Ok(true)
    }

    /// Writes out the open pack, if any (before a tree names its chunks).
    pub fn flush(&self) -> Result<()> {
        let open = self.shared.lock().expect("not poisoned").open.take();
        match open {
            Some(pack) => self.finish_pack(pack),
            None => Ok(()),
        }
    }

    /// Pack (synced, renamed), then its index; then the chunks are readable through the index map.
    fn finish_pack(&self, pack: OpenPack) -> Result<()> {
        let mut index =
            String::with_capacity(pack.entries.len() * (2 * self.kind.digest_len() + 16));
        for (chunk, offset, length) in &pack.entries {
            index.push_str(&format!("{chunk} {offset} {length}\n"));
        }
        let name = self.kind.hex(index.as_bytes());
        let packs = self.dir.join("packs");
        self.commit(pack.file, &pack.temp, &packs.join(&name))?;
        self.write_atomically(&self.dir.join("index"), &name, index.as_bytes())?;
        let pack_name: Arc<str> = Arc::from(name.as_str());
        let mut shared = self.shared.lock().expect("not poisoned");
        for (chunk, offset, length) in pack.entries {
            shared.unindexed.remove(&chunk);
            shared.index.insert(
                chunk,
                Location {
                    pack: pack_name.clone(),
                    offset,
                    length,
                },
            );
        }
        Ok(())
    }

    /// The bytes of an indexed chunk, checked against its hash and length.
    pub fn read_chunk(&self, hex: &str, length: u64) -> Result<Vec<u8>> {
        let location = self
            .shared
            .lock()
            .expect("not poisoned")
            .index
            .get(hex)
            .cloned();
        let Some(location) = location else {
            return Err(Error::corrupt(
                "index",
                format!("no index names chunk {hex}, which a tree needs"),
            ));
        };
        let object = format!("packs/{}", location.pack);
        if location.length != length {
            return Err(Error::corrupt(
                format!("index/{}", location.pack),
                format!(
                    "chunk {hex} has length {}, a tree says {length}",
                    location.length
                ),
            ));
        }
        let file = File::open(self.dir.join(&object))
            .map_err(|e| Error::corrupt(&object, format!("missing: {e}")))?;
        let mut data = vec![0u8; length as usize];
        file.read_exact_at(&mut data, location.offset)
            .map_err(|e| {
                Error::corrupt(
                    &object,
                    format!(
                        "chunk {hex} (offset {}, length {length}): {e}",
                        location.offset
                    ),
                )
            })?;
        if self.kind.hex(&data) != hex {
            return Err(Error::corrupt(
                object,
                format!("chunk {hex}: hash mismatch"),
            ));
        }
        Ok(data)
    }

    /// Writes a tree snapshot (after the last pack) and returns its hex.
    pub fn put_tree(&self, tree: &Tree) -> Result<String> {
        self.flush()?;
        let bytes = tree.to_json();
        let hex = self.kind.hex(&bytes);
        self.write_atomically(&self.dir.join("trees"), &hex, &bytes)?;
        Ok(hex)
    }

    /// Points HEAD at a tree: the commit of a sync.
    pub fn set_head(&self, hex: &str) -> Result<()> {
        self.write_atomically(&self.dir, "HEAD", format!("{hex}\n").as_bytes())
    }

    /// The hex HEAD names; empty for a store no sync has committed to.
    pub fn head(&self) -> Result<String> {
        match fs::read_to_string(self.dir.join("HEAD")) {
            Ok(text) => match text.strip_suffix('\n') {
                Some(hex) if is_lower_hex(hex, 2 * self.kind.digest_len()) => Ok(hex.to_string()),
                _ => Err(Error::corrupt("HEAD", "expected a tree hash and a newline")),
            },
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::corrupt("HEAD", format!("cannot read: {e}"))),
        }
    }

    /// The tree at `hex` (empty hex: the empty tree), hash-checked, validated, and every chunk indexed.
    pub fn read_tree(&self, hex: &str) -> Result<Tree> {
        if hex.is_empty() {
            return Ok(Tree::default());
        }
        let object = format!("trees/{hex}");
        let bytes = fs::read(self.dir.join(&object))
            .map_err(|_| Error::corrupt(&object, "missing (HEAD or a tree names it)"))?;
        if self.kind.hex(&bytes) != hex {
            return Err(Error::corrupt(object, "hash mismatch"));
        }
        let wire: WireTree = serde_json::from_slice(&bytes)
            .map_err(|e| Error::corrupt(&object, format!("not a tree: {e}")))?;
        let tree =
            Tree::from_wire(wire, self.kind).map_err(|what| Error::corrupt(&object, what))?;
        let shared = self.shared.lock().expect("not poisoned");
        for node in tree.nodes.values() {
            for (chunk, _) in &node.chunks {
                if !shared.index.contains_key(chunk) {
                    return Err(Error::corrupt(
                        "index",
                        format!("no index names chunk {chunk}, which {object} needs"),
                    ));
                }
            }
        }
        Ok(tree)
    }

    /// Reads the whole store: every index against its name and pack, every chunk against its hash, every
    /// tree. Problems are collected, not thrown.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport {
            chunks: 0,
            manifests: 0,
            bytes: 0,
            problems: Vec::new(),
        };
        let digits = 2 * self.kind.digest_len();
        let mut names: Vec<String> = list_names(&self.dir.join("index"));
        names.sort();
        for name in names {
            let object = format!("packs/{name}");
            let Ok(text) = fs::read_to_string(self.dir.join("index").join(&name)) else {
                report.problems.push(format!("index/{name}: unreadable"));
                continue;
            };
            if self.kind.hex(text.as_bytes()) != name {
                report.problems.push(format!(
                    "index/{name}: hash mismatch (a pack's name is the hash of its index)"
                ));
            }
            let entries = match parse_index(&text, digits) {
                Ok(entries) => entries,
                Err(what) => {
                    report.problems.push(format!("index/{name}: {what}"));
                    continue;
                }
            };
            let Ok(data) = fs::read(self.dir.join(&object)) else {
                report
                    .problems
                    .push(format!("{object}: missing (index/{name} names it)"));
                continue;
            };
            report.chunks += entries.len() as u64;
            let mut covered = 0u64;
            for (chunk, offset, length) in entries {
                if offset + length > data.len() as u64 {
                    report.problems.push(format!(
                        "{object}: chunk {chunk} (offset {offset}, length {length}) lies outside the pack ({} bytes)",
                        data.len()
                    ));
                    continue;
                }
                if self
                    .kind
                    .hex(&data[offset as usize..(offset + length) as usize])
                    != chunk
                {
                    report
                        .problems
                        .push(format!("{object}: chunk {chunk}: hash mismatch"));
                }
                if offset == covered {
                    covered += length;
                }
                report.bytes += length;
            }
            if covered != data.len() as u64 {
                report.problems.push(format!(
                    "{object}: {} bytes, its index accounts for {covered}",
                    data.len()
                ));
            }
        }
        for name in list_names(&self.dir.join("trees")) {
            report.manifests += 1;
            if let Err(e) = self.read_tree(&name) {
                report.problems.push(corrupt_line(e));
            }
        }
        match self.head().and_then(|hex| self.read_tree(&hex)) {
            Ok(_) => {}
            Err(e) => report.problems.push(corrupt_line(e)),
        }
        report.problems.dedup();
        Ok(report)
    }
}

fn corrupt_line(error: Error) -> String {
    match error {
        Error::Corrupt { object, what } => format!("{object}: {what}"),
        other => other.to_string(),
    }
}

fn list_names(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(TEMP_PREFIX))
        .collect()
}

/// The lines `<chunk hex> <offset> <length>` of an index, or what is wrong with them.
fn parse_index(text: &str, digits: usize) -> std::result::Result<Vec<(String, u64, u64)>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the last line has no newline".to_string());
    }
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(' ').collect();
        let parsed = match fields.as_slice() {
            [chunk, offset, length] if is_lower_hex(chunk, digits) => {
                match (decimal(offset), decimal(length)) {
                    (Some(offset), Some(length)) => Some((chunk.to_string(), offset, length)),
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(entry) => entries.push(entry),
            None => {
                return Err(format!(
                    "line {} is malformed: expected '<chunk hex> <offset> <length>'",
                    number + 1
                ));
            }
        }
    }
    Ok(entries)
}

fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
