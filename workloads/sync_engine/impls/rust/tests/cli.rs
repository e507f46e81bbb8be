//! End-to-end tests of the `sync_engine` binary as the harness runs it: golden chunk boundaries from
//! data/ (written by SPEC.md's FastCDC, not by this port), marks, sync/restore/verify round trips,
//! incremental changes, two replicas converging with a conflict, corrupt stores (exit 3) and usage
//! errors (exit 2, one line). Marks are read from stderr (CLAIMBENCH_MARK_FD=2).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_sync_engine");

fn run(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run sync_engine")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sync-engine-rust-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The golden input of data/README.md: 1 MiB of SplitMix64 (seed 1, little-endian), 512 KiB of zeros,
/// 512 KiB more of the generator.
fn golden_input() -> Vec<u8> {
    let mut state = 1;
    let mut words = |bytes: usize| -> Vec<u8> {
        (0..bytes / 8)
            .flat_map(|_| splitmix64(&mut state).to_le_bytes())
            .collect()
    };
    let mut data = words(1 << 20);
    data.extend(vec![0u8; 512 << 10]);
    data.extend(words(512 << 10));
    data
}

fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len.div_ceil(8))
        .flat_map(|_| splitmix64(&mut state).to_le_bytes())
        .take(len)
        .collect()
}

#[test]
fn chunk_gives_the_golden_boundaries_and_hashes() {
    let dir = scratch("golden");
    let input = dir.join("golden.bin");
    fs::write(&input, golden_input()).unwrap();
    let small = ["--min", "2K", "--avg", "8K", "--max", "64K"];
    let cases: [(&[&str], &str); 5] = [
        (&[], include_str!("../../../data/chunks_default.txt")),
        (
            &small,
            include_str!("../../../data/chunks_min2k_avg8k_max64k.txt"),
        ),
        (
            &[&small[..], &["--mode", "chunk+hash"]].concat(),
            include_str!("../../../data/chunks_min2k_avg8k_max64k_sha256.txt"),
        ),
        (
            &[&small[..], &["--mode", "chunk+hash", "--hash", "fast"]].concat(),
            include_str!("../../../data/chunks_min2k_avg8k_max64k_fast.txt"),
        ),
        (
            &[&small[..], &["--mode=chunk+hash", "--threads", "3"]].concat(),
            include_str!("../../../data/chunks_min2k_avg8k_max64k_sha256.txt"),
        ),
    ];
    for (extra, golden) in cases {
        let mut args = vec!["chunk", "--input", p(&input)];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), golden, "{args:?}");
        let err = stderr(&out);
        let marks: Vec<&str> = err.lines().map(|l| l.split(' ').next().unwrap()).collect();
        assert_eq!(marks, ["ready", "done"]);
    }
    let out = run(&["chunk", "--input", p(&input), "--mode", "hash"]);
    // The SHA-256 of the golden input, as `sha256sum` prints it.
    assert_eq!(stdout(&out).len(), 65);
}

/// Every regular file under `dir` except .claimsync/, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            if rel == ".claimsync" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn sync(local: &Path, store: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "sync",
        "--local",
        p(local),
        "--remote",
        p(store),
        "--min",
        "2K",
        "--avg",
        "8K",
        "--max",
        "64K",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "sync: {}", stderr(&out));
    serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap()
}

fn restored(store: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let _ = fs::remove_dir_all(out);
    let result = run(&["restore", "--remote", p(store), "--out", p(out)]);
    assert!(result.status.success(), "restore: {}", stderr(&result));
    snapshot(out)
}

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

#[test]
fn sync_restore_and_verify_round_trip_with_incremental_changes() {
    let dir = scratch("roundtrip");
    let (local, store) = (dir.join("local"), dir.join("store"));
    let big = random_bytes(5, 300_000);
    write(&local.join("a/big.bin"), &big);
    write(&local.join("a/copy.bin"), &big);
    write(&local.join("b/c/small.txt"), b"hello");
    write(&local.join("empty"), b"");
    let stats = sync(&local, &store, &["--threads", "2", "--fsync"]);
    assert_eq!(stats["files_scanned"], 4);
    assert_eq!(stats["bytes_scanned"], 600_005);
    // The copy is cut exactly like its original: every one of its chunks is deduplicated.
    assert_eq!(stats["bytes_uploaded"], 300_005);
    assert_eq!(
        stats["chunks_deduplicated"].as_u64().unwrap() * 2,
        stats["chunks_total"].as_u64().unwrap() - 1
    );
    assert_eq!(restored(&store, &dir.join("out1")), snapshot(&local));
    let verify = run(&["verify", "--remote", p(&store)]);
    assert!(
        stdout(&verify).starts_with(r#"{"ok": true, "chunks": "#),
        "{}",
        stderr(&verify)
    );

    // A rename, a move into another dir, an insert, a delete and a new file.
    fs::rename(local.join("a/copy.bin"), local.join("a/renamed.bin")).unwrap();
    fs::rename(local.join("b/c/small.txt"), local.join("a/small.txt")).unwrap();
    let mut edited = big.clone();
    edited.splice(150_000..150_000, b"inserted".iter().copied());
    write(&local.join("a/big.bin"), &edited);
    fs::remove_file(local.join("empty")).unwrap();
    write(&local.join("new/file"), b"new");
    let stats = sync(&local, &store, &[]);
    assert_eq!(stats["moved"], 2);
    assert!(
        stats["bytes_uploaded"].as_u64().unwrap() < 3 * 65_536,
        "{stats}"
    );
    assert_eq!(
        stats["bytes_hashed"],
        300_008 + 3,
        "only the edited and the new file are read"
    );
    assert_eq!(restored(&store, &dir.join("out2")), snapshot(&local));
    // Nothing changed: nothing is hashed or uploaded, the tree stays.
    let again = sync(&local, &store, &[]);
    assert_eq!(
        (again["bytes_uploaded"].as_u64(), again["tree_hash"].clone()),
        (Some(0), stats["tree_hash"].clone())
    );
    assert!(run(&["verify", "--remote", p(&store)]).status.success());
}

#[test]
fn two_replicas_converge_and_a_conflict_keeps_both_versions() {
    let dir = scratch("replicas");
    let (one, two, store) = (dir.join("one"), dir.join("two"), dir.join("store"));
    write(&one.join("docs/report.txt"), b"first");
    write(&one.join("keep.txt"), b"keep");
    sync(&one, &store, &[]);
    sync(&two, &store, &[]);
    assert_eq!(snapshot(&two), snapshot(&one));

    // Both edit one file differently; one deletes a file the other renames; two moves a dir.
    write(&one.join("docs/report.txt"), b"edited on one");
    write(&two.join("docs/report.txt"), b"edited on two");
    fs::remove_file(one.join("keep.txt")).unwrap();
    fs::rename(two.join("keep.txt"), two.join("kept.txt")).unwrap();
    fs::rename(two.join("docs"), two.join("papers")).unwrap();
    sync(&one, &store, &[]);
    let stats = sync(&two, &store, &[]);
    assert_eq!(stats["conflicts"], 1);
    sync(&one, &store, &[]);
    let tree = snapshot(&one);
    assert_eq!(tree, snapshot(&two));
    assert_eq!(tree, restored(&store, &dir.join("out")));
    assert_eq!(tree["papers/report.txt"], b"edited on one");
    assert_eq!(
        tree["papers/report (conflicted copy two).txt"],
        b"edited on two"
    );
    assert_eq!(tree["kept.txt"], b"keep", "the rename wins over the delete");
}

/// A store with one pack of a few chunks, and that pack's path.
fn small_store(dir: &Path) -> (PathBuf, PathBuf) {
    let (local, store) = (dir.join("local"), dir.join("store"));
    write(&local.join("f.bin"), &random_bytes(7, 40_000));
    sync(&local, &store, &[]);
    let pack = fs::read_dir(store.join("packs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    (store, pack)
}

/// Exit 3, and the first line that is not a mark names `object`.
fn assert_corrupt(out: &Output, object: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("sync_engine: "))
        .unwrap_or_default();
    assert!(
        line.starts_with(&format!("sync_engine: corrupt: {object}")),
        "{err}"
    );
}

#[test]
fn corrupt_stores_exit_3_naming_the_object() {
    let dir = scratch("corrupt");

    let (store, pack) = small_store(&dir.join("flip"));
    let mut bytes = fs::read(&pack).unwrap();
    bytes[100] ^= 1;
    fs::write(&pack, bytes).unwrap();
    let pack_name = pack.file_name().unwrap().to_str().unwrap();
    let verify = run(&["verify", "--remote", p(&store)]);
    assert_corrupt(&verify, &format!("packs/{pack_name}: chunk "));
    assert!(stderr(&verify).contains("hash mismatch"));
    let out = dir.join("flip/out");
    assert_corrupt(
        &run(&["restore", "--remote", p(&store), "--out", p(&out)]),
        "packs/",
    );
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        0,
        "nothing half-restored"
    );
    let fresh = dir.join("flip/fresh");
    assert_corrupt(
        &run(&["sync", "--local", p(&fresh), "--remote", p(&store)]),
        "packs/",
    );
    assert_eq!(
        fs::read_dir(&fresh)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name() != ".claimsync")
            .count(),
        0
    );

    let (store, pack) = small_store(&dir.join("truncate"));
    let len = fs::metadata(&pack).unwrap().len();
    fs::File::options()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len - 10)
        .unwrap();
    assert_corrupt(&run(&["verify", "--remote", p(&store)]), "packs/");

    let (store, pack) = small_store(&dir.join("index"));
    let index = store.join("index").join(pack.file_name().unwrap());
    let text = fs::read_to_string(&index).unwrap();
    fs::write(&index, text.replacen(' ', "  ", 1)).unwrap();
    assert_corrupt(&run(&["verify", "--remote", p(&store)]), "index/");

    let (store, _) = small_store(&dir.join("head"));
    fs::write(store.join("HEAD"), "not a hash\n").unwrap();
    assert_corrupt(&run(&["verify", "--remote", p(&store)]), "HEAD");

    // Corrupt local state: the base record is unreadable.
    let (store, _) = small_store(&dir.join("base"));
    let local = dir.join("base/local");
    fs::write(local.join(".claimsync/base.json"), "{not json").unwrap();
    assert_corrupt(
        &run(&["sync", "--local", p(&local), "--remote", p(&store)]),
        ".claimsync/base.json",
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = scratch("usage");
    let file = dir.join("input");
    fs::write(&file, b"abc").unwrap();
    let old = dir.join("old-store");
    write(&old.join("format"), b"claimbench-sync 3 sha256\n");
    let (store, _) = small_store(&dir.join("store"));
    let full = dir.join("full");
    write(&full.join("x"), b"x");
    let f = p(&file);
    let (missing, l, inside, s) = (
        dir.join("missing"),
        dir.join("l"),
        dir.join("l/inside"),
        dir.join("s"),
    );
    let (nostore, o) = (dir.join("nostore"), dir.join("o"));
    let (missing, l, inside, s, nostore, o) =
        (p(&missing), p(&l), p(&inside), p(&s), p(&nostore), p(&o));
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["nosuch"],
        vec!["chunk"],
        vec!["chunk", "--input", f, "--frobnicate", "1"],
        vec!["chunk", "--input", f, "--mode", "md5"],
        vec!["chunk", "--input", f, "--hash", "md5"],
        vec!["chunk", "--input", f, "--avg", "3000"],
        vec!["chunk", "--input", f, "--min", "64K"],
        vec!["chunk", "--input", f, "--max", "1X"],
        vec!["chunk", "--input", f, "--threads", "0"],
        vec!["chunk", "--input", f, "--threads", "2", "--mode", "chunk"],
        vec!["chunk", "--input", f, "--input", f],
        vec!["chunk", "--input", missing],
        vec!["sync", "--local", l, "--remote", p(&old)],
        vec![
            "sync",
            "--local",
            l,
            "--remote",
            p(&store),
            "--hash",
            "fast",
        ],
        vec!["sync", "--local", l, "--remote", p(&full)],
        vec!["sync", "--local", l, "--remote", inside],
        vec!["sync", "--local", l, "--remote", s, "--replica", "a/b"],
        vec!["sync", "--local", f, "--remote", s],
        vec!["sync", "--remote", p(&store)],
        vec!["restore", "--remote", p(&store), "--out", p(&full)],
        vec!["restore", "--remote", nostore, "--out", o],
        vec!["verify", "--remote", p(&old)],
    ];
    for args in cases {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("sync_engine: error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
