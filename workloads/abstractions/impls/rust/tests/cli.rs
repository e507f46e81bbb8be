//! End-to-end tests of the `abstractions` binary as the harness runs it: the answers (the same the C++
//! program gives for the same input: checked here against figures the C++ program printed), the marks, and
//! one line with exit status 2 for every kind of bad input. Marks are read from stderr
//! (CLAIMBENCH_MARK_FD=2).

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_abstractions");

fn abstractions(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run abstractions")
}

#[test]
fn both_styles_print_the_answers_the_cpp_program_prints() {
    // `abstractions_cpp KERNEL --elements 65536 --passes 3 --seed 1` for either C++ style.
    let known = [
        ("sum_even_squares", "140035412276220"),
        ("dot_product", "211757828432895"),
        ("filter_map_collect", "69544959778467"),
        ("matvec", "213515538136080"),
        ("word_lengths", "1249689"),
    ];
    for style in ["loops", "iter", "dyn"] {
        for (kernel, answer) in known {
            let out = abstractions(&[
                "--style",
                style,
                kernel,
                "--elements",
                "65536",
                "--passes",
                "3",
                "--seed",
                "1",
            ]);
            assert!(out.status.success(), "{style} {kernel}: {out:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{kernel} {answer}\n"),
                "{style}"
            );
            let marks: Vec<String> = String::from_utf8_lossy(&out.stderr)
                .lines()
                .map(|line| line.split(' ').next().unwrap_or("").to_string())
                .collect();
            assert_eq!(marks, ["ready", "done"], "{style} {kernel}");
        }
    }
}

#[test]
fn bad_input_is_one_line_and_exit_status_2() {
    let cases = [
        "sum_odd_cubes --elements 8 --passes 1 --seed 1",
        "dot_product --elements 0 --passes 1 --seed 1",
        "dot_product --elements 8 --passes 1 --seed x",
        "dot_product --elements 8 --passes 1",
        "matvec --elements 100 --passes 1 --seed 1",
        "dot_product --elements 8 --passes 1 --seed 1 --style ranges",
        "dot_product --elements 8 --passes 1 --seed 1 --fast",
    ];
    for line in cases {
        let args: Vec<&str> = line.split(' ').collect();
        let out = abstractions(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("abstractions: "), "{args:?}: {stderr}");
    }
}

#[test]
fn the_last_style_given_wins() {
    // The harness passes the manifest's --style first; `claimbench exec -- --style dyn` adds another.
    let args = ["--style", "loops", "--style", "dyn", "word_lengths"];
    let rest = ["--elements", "64", "--passes", "1", "--seed", "3"];
    let out = abstractions(&[&args[..], &rest[..]].concat());
    assert!(out.status.success(), "{out:?}");
    let dyn_only = abstractions(&[&["--style", "dyn", "word_lengths"][..], &rest[..]].concat());
    assert_eq!(out.stdout, dyn_only.stdout);
}
