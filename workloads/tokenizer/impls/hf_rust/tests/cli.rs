//! End-to-end tests of the `hf_rust` peer: HF's committed goldens through the crate (one and two threads,
//! one document at a time), decode, the marks, and exit 2 with one line for what it cannot take.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_hf_rust");

fn data(relative: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(relative);
    path.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run hf_rust")
}

#[test]
fn encode_gives_hfs_goldens_at_one_and_two_threads_and_per_document() {
    let latency = std::env::temp_dir().join(format!("hf-rust-latency-{}.txt", std::process::id()));
    for style in ["gpt2", "llama3"] {
        let tokenizer = data(&format!("{style}/tokenizer.json"));
        let input = data("corpora/adversarial.txt");
        let golden = std::fs::read(data(&format!("{style}/adversarial.ids"))).unwrap();
        for extra in [
            &["--threads", "1"][..],
            &["--threads", "2"],
            &["--latency-out", latency.to_str().unwrap()],
        ] {
            let mut args = vec!["encode", "--tokenizer", &tokenizer, "--input", &input];
            args.extend_from_slice(extra);
            let out = run(&args);
            assert!(out.status.success(), "{style} {extra:?}");
            assert!(out.stdout == golden, "{style} {extra:?}");
            let marks: Vec<String> = String::from_utf8_lossy(&out.stderr)
                .lines()
                .map(|line| line.split(' ').next().unwrap_or("").to_string())
                .collect();
            assert_eq!(marks, ["ready", "done"]);
        }
    }
    let documents = std::fs::read_to_string(data("gpt2/adversarial.ids"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(
        std::fs::read_to_string(&latency).unwrap().lines().count(),
        documents
    );
}

#[test]
fn decode_gives_hfs_text() {
    let tokenizer = data("llama3/tokenizer.json");
    let out = run(&[
        "decode",
        "--tokenizer",
        &tokenizer,
        "--input",
        &data("llama3/sample.ids"),
    ]);
    assert!(out.status.success());
    assert!(out.stdout == std::fs::read(data("llama3/sample.decoded")).unwrap());
}

#[test]
fn what_it_cannot_take_exits_2_with_one_line() {
    let tokenizer = data("gpt2/tokenizer.json");
    let bad_text = std::env::temp_dir().join(format!("hf-rust-bad-{}.txt", std::process::id()));
    std::fs::write(&bad_text, b"fine\nnot \xFF utf-8\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "required"),
        (vec!["encode", "--tokenizer", &tokenizer], "--input"),
        (
            vec!["frob", "--tokenizer", &tokenizer, "--input", &tokenizer],
            "frob",
        ),
        (
            vec![
                "encode",
                "--tokenizer",
                &tokenizer,
                "--input",
                &tokenizer,
                "--threads",
                "0",
            ],
            "--threads",
        ),
        (
            vec![
                "encode",
                "--tokenizer",
                "/no/such.json",
                "--input",
                &tokenizer,
            ],
            "cannot load",
        ),
        (
            vec![
                "encode",
                "--tokenizer",
                &tokenizer,
                "--input",
                "/no/such.txt",
            ],
            "cannot read",
        ),
        (
            vec![
                "encode",
                "--tokenizer",
                &tokenizer,
                "--input",
                bad_text.to_str().unwrap(),
            ],
            "line 2: invalid UTF-8",
        ),
    ];
    for (args, expected) in cases {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
