//! End-to-end tests of the `tokenizer` binary, run as the harness runs it: HF's committed goldens for both
//! styles (one thread, two threads, one document at a time), decode, the marks, and every kind of bad
//! input SPEC.md lists (exit 2, one line on stderr, nothing on stdout). Marks are read from stderr
//! (CLAIMBENCH_MARK_FD=2), so no extra descriptor has to be passed to the child.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_tokenizer");

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(relative)
}

fn run(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run the tokenizer")
}

/// `encode --tokenizer TOKENIZER --input INPUT`, then `extra`.
fn encode(tokenizer: &Path, input: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "encode",
        "--tokenizer",
        path(tokenizer),
        "--input",
        path(input),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A scratch file under the test's own name in the system's temporary folder.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("claimbench-tokenizer-rust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, contents).unwrap();
    file
}

fn mark_names(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| line.split_once(' ').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn encode_gives_hfs_goldens_on_every_corpus_style_and_thread_count() {
    for style in ["gpt2", "llama3"] {
        let tokenizer = data(&format!("{style}/tokenizer.json"));
        for corpus in ["sample", "adversarial"] {
            let input = data(&format!("corpora/{corpus}.txt"));
            let golden = std::fs::read(data(&format!("{style}/{corpus}.ids"))).unwrap();
            for threads in ["1", "2", "3"] {
                let out = encode(&tokenizer, &input, &["--threads", threads]);
                assert!(out.status.success(), "{style} {corpus} {threads}");
                assert!(out.stdout == golden, "{style} {corpus} --threads {threads}");
                assert_eq!(mark_names(&out.stderr), ["ready", "done"]);
            }
        }
    }
}

#[test]
fn latency_mode_gives_the_same_ids_and_one_time_per_document() {
    let latency = scratch("latency.txt", b"");
    let out = encode(
        &data("gpt2/tokenizer.json"),
        &data("corpora/adversarial.txt"),
        &["--latency-out", path(&latency)],
    );
    assert!(out.status.success());
    assert!(out.stdout == std::fs::read(data("gpt2/adversarial.ids")).unwrap());
    let documents = String::from_utf8(out.stdout).unwrap().lines().count();
    let times = std::fs::read_to_string(&latency).unwrap();
    assert_eq!(times.lines().count(), documents);
    assert!(times.lines().all(|ns| ns.parse::<u64>().is_ok()));
}

#[test]
fn decode_gives_hfs_text() {
    for style in ["gpt2", "llama3"] {
        for corpus in ["sample", "adversarial"] {
            let out = run(&[
                "decode",
                "--tokenizer",
                path(&data(&format!("{style}/tokenizer.json"))),
                "--input",
                path(&data(&format!("{style}/{corpus}.ids"))),
            ]);
            assert!(out.status.success());
            let golden = std::fs::read(data(&format!("{style}/{corpus}.decoded"))).unwrap();
            assert!(out.stdout == golden, "{style} {corpus}");
        }
    }
}

#[test]
fn without_the_variable_no_marks_are_written() {
    let out = Command::new(BINARY)
        .args([
            "encode",
            "--tokenizer",
            path(&data("gpt2/tokenizer.json")),
            "--input",
            path(&scratch("one.txt", b"hello world\n")),
        ])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
}

/// Exit 2, one line on stderr containing `expected`, nothing on stdout, no marks.
fn assert_refused(args: &[&str], expected: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
}

/// `assert_refused` for `COMMAND --tokenizer TOKENIZER --input INPUT`.
fn assert_input_refused(command: &str, tokenizer: &Path, input: &Path, expected: &str) {
    assert_refused(
        &[
            command,
            "--tokenizer",
            path(tokenizer),
            "--input",
            path(input),
        ],
        expected,
    );
}

#[test]
fn bad_arguments_exit_2() {
    let tokenizer = data("gpt2/tokenizer.json");
    let input = data("corpora/sample.txt");
    let (t, i) = (path(&tokenizer), path(&input));
    assert_refused(&[], "missing command (encode or decode)");
    assert_refused(&["frobnicate"], "frobnicate");
    assert_refused(&["encode", "--input", i], "not provided: --tokenizer");
    assert_refused(&["encode", "--tokenizer", t], "--input");
    for threads in ["0", "-1", "x", "1025"] {
        assert_refused(
            &[
                "encode",
                "--tokenizer",
                t,
                "--input",
                i,
                "--threads",
                threads,
            ],
            "--threads",
        );
    }
    assert_refused(
        &["decode", "--tokenizer", t, "--input", i, "--threads", "2"],
        "--threads",
    );
    assert_refused(
        &["encode", "--tokenizer", t, "--input", "/no/such/file"],
        "cannot read /no/such/file",
    );
    assert_refused(
        &["encode", "--tokenizer", "/no/such.json", "--input", i],
        "cannot read /no/such.json",
    );
}

#[test]
fn invalid_utf8_is_refused_naming_the_line() {
    let input = scratch("bad.txt", b"fine\nalso fine\nbad \xC3\x28 here\n");
    assert_input_refused(
        "encode",
        &data("gpt2/tokenizer.json"),
        &input,
        "line 3, byte 5: invalid UTF-8",
    );
}

#[test]
fn unusable_tokenizer_files_are_refused_naming_what_is_wrong() {
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("gpt2/tokenizer.json")).unwrap()).unwrap();
    let input = scratch("doc.txt", b"hello\n");
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json = original.clone();
        edit(&mut json);
        scratch(name, &serde_json::to_vec(&json).unwrap())
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            scratch("not-json.json", b"{\"model\": "),
            "not a usable tokenizer.json",
        ),
        (
            scratch("array.json", b"[1, 2]"),
            "not a usable tokenizer.json",
        ),
        (
            edited("no-model.json", &|j| {
                j.as_object_mut().unwrap().remove("model");
            }),
            "model",
        ),
        (
            edited("no-vocab.json", &|j| {
                j["model"].as_object_mut().unwrap().remove("vocab");
            }),
            "vocab",
        ),
        (
            edited("wordpiece.json", &|j| {
                j["model"]["type"] = "WordPiece".into()
            }),
            "model.type 'WordPiece'",
        ),
        (
            edited("dropout.json", &|j| j["model"]["dropout"] = 0.1.into()),
            "dropout",
        ),
        (
            edited("normalizer.json", &|j| {
                j["normalizer"] = serde_json::json!({"type": "NFC"})
            }),
            "normalizer",
        ),
        (
            edited("whitespace.json", &|j| {
                j["pre_tokenizer"] = serde_json::json!({"type": "Whitespace"})
            }),
            "Whitespace",
        ),
        (
            edited("no-pre.json", &|j| {
                j["pre_tokenizer"] = serde_json::Value::Null
            }),
            "pre_tokenizer",
        ),
        (
            edited("bad-regex.json", &|j| {
                j["pre_tokenizer"] = serde_json::json!({"type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false},
                    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]})
            }),
            "does not compile",
        ),
        (
            edited("bad-merge.json", &|j| {
                j["model"]["merges"][0] = "nospace".into()
            }),
            "model.merges[0]",
        ),
        (
            edited("unknown-merge.json", &|j| {
                j["model"]["merges"][0] = serde_json::json!(["Q", "§§"])
            }),
            "not in model.vocab",
        ),
        (
            edited("bad-id.json", &|j| j["model"]["vocab"]["a"] = (-1).into()),
            "not a usable tokenizer.json",
        ),
        (
            edited("unk.json", &|j| j["model"]["unk_token"] = "<nope>".into()),
            "unk_token",
        ),
        // Fields HF requires: refused as HF refuses them.
        (
            edited("no-trim.json", &|j| {
                j["pre_tokenizer"]
                    .as_object_mut()
                    .unwrap()
                    .remove("trim_offsets");
            }),
            "trim_offsets",
        ),
        (
            edited("no-special.json", &|j| {
                j["added_tokens"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("special");
            }),
            "special",
        ),
        (
            edited("version.json", &|j| j["version"] = "2.0".into()),
            "version '2.0'",
        ),
    ];
    for (file, expected) in cases {
        assert_input_refused("encode", &file, &input, expected);
    }
}

#[test]
fn decode_refuses_lines_that_are_not_ids() {
    let input = scratch("ids.txt", b"1 2 3\n4 five\n");
    assert_input_refused(
        "decode",
        &data("gpt2/tokenizer.json"),
        &input,
        "line 2: expected space-separated ids, found 'five'",
    );
}
