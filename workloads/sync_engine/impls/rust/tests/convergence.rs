//! SPEC.md's convergence rule, CanopyCheck style: replicas make random changes (create, edit, delete,
//! rename and move files; create, move and delete dirs), sync in a shuffled order, then each syncs once
//! more. After every round all replicas, the store's restore and each other agree, `verify` passes, and
//! every file version a replica held when it synced in the round is still somewhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_sync_engine");

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

fn run(args: &[&str]) -> std::process::Output {
    let out = Command::new(BINARY)
        .args(args)
        .output()
        .expect("run sync_engine");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Files (path -> bytes) and dirs under `dir`, .claimsync/ left out.
fn snapshot(dir: &Path) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    fn walk(root: &Path, at: &Path, files: &mut BTreeMap<String, Vec<u8>>, dirs: &mut Vec<String>) {
        for entry in fs::read_dir(at).unwrap() {
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
                dirs.push(rel);
                walk(root, &path, files, dirs);
            } else {
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let (mut files, mut dirs) = (BTreeMap::new(), Vec::new());
    walk(dir, dir, &mut files, &mut dirs);
    dirs.sort();
    (files, dirs)
}

/// Unique content: a tag naming the round, then 0 to 150 KB of random bytes (several chunks at 2K/8K/64K).
fn content(rng: &mut Rng, tag: &str) -> Vec<u8> {
    let mut bytes = tag.as_bytes().to_vec();
    let len = [0, 100, 5000, 150_000][rng.below(4)];
    bytes.extend((0..len).map(|_| rng.next() as u8));
    bytes
}

fn random_change(rng: &mut Rng, dir: &Path, tag: &str) {
    let (files, dirs) = snapshot(dir);
    let files: Vec<String> = files.into_keys().collect();
    let in_some_dir = |rng: &mut Rng, name: String| match rng.pick(&dirs) {
        Some(d) if rng.below(2) == 0 => format!("{d}/{name}"),
        _ => name,
    };
    match rng.below(7) {
        0 => {
            let name = format!("f{}.txt", rng.below(1000));
            let path = in_some_dir(rng, name);
            fs::write(dir.join(path), content(rng, tag)).unwrap();
        }
        1 | 2 => {
            if let Some(f) = rng.pick(&files) {
                fs::write(dir.join(f), content(rng, tag)).unwrap();
            }
        }
        3 => {
            if let Some(f) = rng.pick(&files) {
                fs::remove_file(dir.join(f)).unwrap();
            }
        }
        4 => {
            if let Some(f) = rng.pick(&files) {
                let name = format!("m{}.bin", rng.below(1000));
                let to = in_some_dir(rng, name);
                if !dir.join(&to).exists() && !dir.join(&to).starts_with(dir.join(f)) {
                    fs::rename(dir.join(f), dir.join(to)).unwrap();
                }
            }
        }
        5 => {
            let name = format!("d{}", rng.below(100));
            let path = in_some_dir(rng, name);
            let _ = fs::create_dir(dir.join(path));
        }
        _ => match rng.pick(&dirs) {
            Some(d) if rng.below(2) == 0 => fs::remove_dir_all(dir.join(d)).unwrap(),
            Some(d) => {
                let to = format!("moved{}", rng.below(100));
                if !dir.join(&to).exists() {
                    fs::rename(dir.join(d), dir.join(to)).unwrap();
                }
            }
            None => {}
        },
    }
}

/// A store keeps one hash, so `hash` is the seed's; the thread count is drawn per sync.
fn sync(replica: &Path, store: &Path, hash: &str, rng: &mut Rng) {
    let threads = ["1", "2"][rng.below(2)];
    run(&[
        "sync",
        "--local",
        replica.to_str().unwrap(),
        "--remote",
        store.to_str().unwrap(),
        "--min",
        "2K",
        "--avg",
        "8K",
        "--max",
        "64K",
        "--threads",
        threads,
        "--hash",
        hash,
    ]);
}

fn check_round(replicas: &[PathBuf], store: &Path, scratch: &Path, written: &BTreeSet<Vec<u8>>) {
    let (first, _) = snapshot(&replicas[0]);
    for r in &replicas[1..] {
        assert_eq!(snapshot(r).0, first, "replicas differ");
    }
    let out = scratch.join("restore");
    let _ = fs::remove_dir_all(&out);
    run(&[
        "restore",
        "--remote",
        store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        snapshot(&out).0,
        first,
        "the store's tree differs from the replicas'"
    );
    run(&["verify", "--remote", store.to_str().unwrap()]);
    let kept: BTreeSet<&Vec<u8>> = first.values().collect();
    for version in written {
        assert!(
            kept.contains(version),
            "a version written in the round was lost"
        );
    }
}

#[test]
fn replicas_converge_and_lose_nothing() {
    for seed in 1..=12u64 {
        let scratch = std::env::temp_dir().join(format!(
            "sync-engine-rust-conv-{}-{seed}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&scratch);
        let store = scratch.join("store");
        let mut rng = Rng(seed);
        let hash = if seed % 2 == 0 { "sha256" } else { "fast" };
        let replicas: Vec<PathBuf> = (0..2 + rng.below(2))
            .map(|i| scratch.join(format!("r{i}")))
            .collect();
        for r in &replicas {
            fs::create_dir_all(r).unwrap();
        }
        for round in 0..4 {
            let tag = format!("seed {seed} round {round}\n");
            for r in &replicas {
                for _ in 0..1 + rng.below(5) {
                    random_change(&mut rng, r, &tag);
                }
            }
            let mut order: Vec<usize> = (0..replicas.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let mut written = BTreeSet::new();
            for &i in &order {
                written.extend(
                    snapshot(&replicas[i])
                        .0
                        .into_values()
                        .filter(|v| v.starts_with(tag.as_bytes())),
                );
                sync(&replicas[i], &store, hash, &mut rng);
            }
            for r in &replicas {
                sync(r, &store, hash, &mut rng);
            }
            check_round(&replicas, &store, &scratch, &written);
        }
        fs::remove_dir_all(&scratch).unwrap();
    }
}
