"""The tokenizer workload end to end: the C++ CLI against HF's committed goldens, its errors on bad input,
the peers against the same goldens, the goldens re-derived from HF itself, and harness runs: every
implementation verified, and the expected ids never taken from the implementation being checked (an hf
peer that lies is caught; a Python port that disagrees with the C++ reference leaves no expected ids)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUILD_DIR = Path(os.environ.get("CLAIMBENCH_BUILD_DIR", ROOT / "build" / "release"))
CPP = BUILD_DIR / "workloads" / "tokenizer" / "impls" / "cpp" / "tokenizer_cpp"
HARNESS = BUILD_DIR / "bin" / "claimbench-harness"
TESTDATA = ROOT / "workloads" / "tokenizer" / "data"
TOOLS = ROOT / "workloads" / "tokenizer" / "tools"
STYLES = ("gpt2", "llama3")
CORPORA = ("adversarial", "sample")

needs_hf = pytest.mark.skipif(importlib.util.find_spec("tokenizers") is None, reason="tokenizers is not installed")
needs_regex = pytest.mark.skipif(importlib.util.find_spec("regex") is None, reason="regex is not installed")


@pytest.fixture(scope="module")
def cpp() -> Path:
    if not CPP.exists():
        pytest.skip(f"{CPP} is not built; run ./claimbench build")
    return CPP


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, timeout=120, **kwargs)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("threads", ["1", "2"])
def test_cpp_cli_gives_hf_ids_and_decodes_them(cpp, style, threads, tmp_path):
    for corpus in CORPORA:
        proc = run(cpp, "encode", "--tokenizer", TESTDATA / style / "tokenizer.json",
                   "--input", TESTDATA / "corpora" / f"{corpus}.txt", "--threads", threads)
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == (TESTDATA / style / f"{corpus}.ids").read_bytes(), f"{style}/{corpus}"
    decoded = run(cpp, "decode", "--tokenizer", TESTDATA / style / "tokenizer.json",
                  "--input", TESTDATA / style / "adversarial.ids")
    assert decoded.returncode == 0, decoded.stderr.decode()
    assert decoded.stdout == (TESTDATA / style / "adversarial.decoded").read_bytes()


def test_cpp_output_is_the_same_for_any_thread_count(cpp, tmp_path):
    # Many small documents around one huge one (a third of the bytes), so the threads share one word cache
    # while one of them is busy for long: the ids must not depend on which thread learned a word first.
    lines = [line for corpus in CORPORA
             for line in (TESTDATA / "corpora" / f"{corpus}.txt").read_text(encoding="utf-8").split("\n") if line]
    huge = " ".join(lines)
    corpus = tmp_path / "mixed.txt"
    corpus.write_text("\n".join(lines[: len(lines) // 2] + [huge] + lines[len(lines) // 2:]) + "\n", encoding="utf-8")
    outputs = {}
    for threads in ("1", "2", "3"):
        proc = run(cpp, "encode", "--tokenizer", TESTDATA / "gpt2" / "tokenizer.json", "--input", corpus,
                   "--threads", threads)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs[threads] = proc.stdout
    assert outputs["1"].count(b"\n") == len(lines) + 1
    assert outputs["2"] == outputs["1"] and outputs["3"] == outputs["1"]


def test_cpp_latency_out_has_one_time_per_document(cpp, tmp_path):
    latency = tmp_path / "latency.txt"
    proc = run(cpp, "encode", "--tokenizer", TESTDATA / "gpt2" / "tokenizer.json",
               "--input", TESTDATA / "corpora" / "sample.txt", "--latency-out", latency)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == (TESTDATA / "gpt2" / "sample.ids").read_bytes()
    times = [int(line) for line in latency.read_text().split()]
    assert len(times) == len((TESTDATA / "corpora" / "sample.txt").read_text(encoding="utf-8").split("\n")) - 1
    assert all(t >= 0 for t in times)


def bad_tokenizer(tmp_path: Path, mutate) -> Path:
    config = json.loads((TESTDATA / "gpt2" / "tokenizer.json").read_text(encoding="utf-8"))
    mutate(config)
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c["model"].update(type="WordPiece"), "model.type 'WordPiece' is not supported"),
        (lambda c: c["model"].pop("merges"), "'merges'"),
        (lambda c: c["model"].update(merges=["Ġ zzzz"]), "not in model.vocab"),
        (lambda c: c.update(normalizer={"type": "NFC"}), "normalizer"),
        (lambda c: c.update(pre_tokenizer={"type": "Metaspace"}), "'Metaspace' is not supported"),
        (lambda c: c["model"].update(dropout=0.5), "dropout"),
    ],
)
def test_cpp_refuses_unusable_tokenizer_files_with_a_clear_error(cpp, tmp_path, mutate, message):
    sample = TESTDATA / "corpora" / "sample.txt"
    proc = run(cpp, "encode", "--tokenizer", bad_tokenizer(tmp_path, mutate), "--input", sample)
    assert proc.returncode == 2
    assert message in proc.stderr.decode()
    assert proc.stdout == b""


def test_cpp_reports_malformed_json_missing_files_and_invalid_utf8(cpp, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"model": {"vocab": ')
    proc = run(cpp, "encode", "--tokenizer", broken, "--input", TESTDATA / "corpora" / "sample.txt")
    assert proc.returncode == 2 and b"not valid JSON" in proc.stderr

    proc = run(cpp, "encode", "--tokenizer", tmp_path / "missing.json", "--input", TESTDATA / "corpora" / "sample.txt")
    assert proc.returncode == 2 and b"cannot read" in proc.stderr

    invalid = tmp_path / "invalid.txt"
    invalid.write_bytes(b"fine\nalso fine\nbad \xff byte\n")
    proc = run(cpp, "encode", "--tokenizer", TESTDATA / "gpt2" / "tokenizer.json", "--input", invalid)
    assert proc.returncode == 2 and b"line 3, byte 5: invalid UTF-8" in proc.stderr
    assert proc.stdout == b""

    proc = run(cpp, "encode", "--tokenizer", TESTDATA / "gpt2" / "tokenizer.json")
    assert proc.returncode == 2 and b"usage:" in proc.stderr


@needs_hf
@pytest.mark.parametrize("peer", ["hf/hf_tokenizers.py", "python/bpe_tokenizer.py"])
def test_peers_give_hf_ids(peer):
    if peer.startswith("python") and importlib.util.find_spec("regex") is None:
        pytest.skip("regex is not installed")
    for style in STYLES:
        proc = run(sys.executable, ROOT / "workloads" / "tokenizer" / "impls" / peer, "encode",
                   "--tokenizer", TESTDATA / style / "tokenizer.json",
                   "--input", TESTDATA / "corpora" / "adversarial.txt", "--threads", "2")
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == (TESTDATA / style / "adversarial.ids").read_bytes(), f"{peer} {style}"


@needs_hf
def test_goldens_rederived_from_hf_are_unchanged():
    proc = run(sys.executable, TOOLS / "make_testdata.py", "--check")
    assert proc.returncode == 0, proc.stderr.decode()


@needs_hf
@needs_regex
def test_harness_runs_and_verifies_every_implementation(tmp_path):
    if not HARNESS.exists() or not CPP.exists():
        pytest.skip("the harness or the C++ reference is not built")
    env = dict(os.environ, CLAIMBENCH_ROOT=str(ROOT))
    proc = run(HARNESS, "run", "--out", tmp_path, "--workload", "tokenizer", "--case", "encode_llama3",
               "--param", "corpus_bytes=30000", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(next(tmp_path.glob("results/run-*.json")).read_text())
    names = {b["name"]: b for b in result["benchmarks"]}
    for impl in ("cpp", "go", "hf", "python"):
        entry = names[f"tokenizer/encode_llama3/{impl}"]
        assert entry["status"] == "ok", entry.get("error")
        metrics = {s["metric"] for s in entry["statistics"]}
        assert {"bytes_per_s", "ns_per_byte", "peak_rss_bytes", "timed_ns"} <= metrics


# An implementation that wraps a real one and lies: it adds 1 to the first id of the first non-empty
# document, on every corpus ("always") or only on the benchmark corpus ("benchmark": the golden check's
# corpus is the driver's input/goldens.txt). With $SNOOP_LISTING set it lists the folders its --input and
# --tokenizer are in.
LIAR = r"""import os, subprocess, sys
REAL, LIE = {real!r}, {lie!r}
args = sys.argv[1:]
corpus = args[args.index("--input") + 1]
if os.environ.get("SNOOP_LISTING"):
    with open(os.environ["SNOOP_LISTING"], "a") as listing:
        for folder in {{os.path.dirname(corpus), os.path.dirname(args[args.index("--tokenizer") + 1])}}:
            listing.writelines(os.path.join(folder, name) + "\n" for name in sorted(os.listdir(folder)))
proc = subprocess.run([sys.executable, REAL, *args], stdout=subprocess.PIPE, close_fds=False)
out = proc.stdout.decode()
if LIE == "always" or (LIE == "benchmark" and os.path.basename(corpus) != "goldens.txt"):
    lines = out.split("\n")
    first = next(i for i, line in enumerate(lines) if line)
    ids = lines[first].split(" ")
    ids[0] = str(int(ids[0]) + 1)
    lines[first] = " ".join(ids)
    out = "\n".join(lines)
sys.stdout.write(out)
sys.exit(proc.returncode)
"""

HF = ROOT / "workloads" / "tokenizer" / "impls" / "hf" / "hf_tokenizers.py"
PYTHON_PORT = ROOT / "workloads" / "tokenizer" / "impls" / "python" / "bpe_tokenizer.py"


def fake_checkout(tmp_path: Path, liars: dict[str, tuple[Path, str]]) -> Path:
    """A checkout with the real C++ reference, plain-Python port and hf peer, except the implementations in
    `liars` (name -> the real program it wraps, and when it lies)."""
    if not HARNESS.exists() or not CPP.exists():
        pytest.skip("the harness or the C++ reference is not built")
    root = tmp_path / "root"
    workload = root / "workloads" / "tokenizer"
    (workload / "impls").mkdir(parents=True)
    (workload / "data").symlink_to(TESTDATA)
    (root / ".venv").symlink_to(ROOT / ".venv")
    commands = {"cpp": f'["{CPP}"]', "python": f'["{{python}}", "{PYTHON_PORT}"]', "hf": f'["{{python}}", "{HF}"]'}
    for name, command in commands.items():
        impl = workload / "impls" / name
        impl.mkdir()
        if name in liars:
            real, lie = liars[name]
            (impl / "liar.py").write_text(LIAR.format(real=str(real), lie=lie))
            command = '["{python}", "{impl_dir}/liar.py"]'
        role = "reference" if name == "cpp" else "peer"
        (impl / "impl.toml").write_text(
            f'language = "x"\nrole = "{role}"\nlabel = "idiomatic"\ncommand = {command}\n')
    return root


def run_fake(root: Path, tmp_path: Path, env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env, CLAIMBENCH_ROOT=str(root))
    proc = run(HARNESS, "run", "--out", tmp_path / "out", "--workload", "tokenizer", "--case", "encode_gpt2",
               "--param", "corpus_bytes=30000", env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return json.loads(next((tmp_path / "out").glob("results/run-*.json")).read_text())


def status(result: dict, impl: str) -> tuple[str, str]:
    entry = next(b for b in result["benchmarks"] if b["name"] == f"tokenizer/encode_gpt2/{impl}")
    return entry["status"], entry.get("error") or ""


@needs_hf
@needs_regex
def test_an_hf_peer_that_lies_is_caught_not_taken_as_the_truth(tmp_path):
    """The expected ids are not HF's output: an hf peer that gets one id wrong fails its check against HF's
    committed goldens, and the C++ reference and the Python port are verified against their agreement."""
    result = run_fake(fake_checkout(tmp_path, {"hf": (HF, "always")}), tmp_path)
    assert status(result, "cpp")[0] == "ok" and status(result, "python")[0] == "ok", result["benchmarks"]
    hf_status, hf_error = status(result, "hf")
    assert hf_status == "invalid"
    assert "does not reproduce Hugging Face's committed ids" in hf_error and "document 1:" in hf_error, hf_error


@needs_hf
@needs_regex
def test_an_hf_peer_right_on_the_goldens_but_wrong_on_the_benchmark_corpus_is_caught(tmp_path):
    result = run_fake(fake_checkout(tmp_path, {"hf": (HF, "benchmark")}), tmp_path)
    hf_status, hf_error = status(result, "hf")
    assert hf_status == "invalid"
    assert "ids differ from those the C++ reference and the Python port agree on" in hf_error, hf_error
    assert status(result, "cpp")[0] == "ok"


@needs_regex
def test_a_python_port_that_disagrees_with_the_reference_leaves_no_expected_ids(tmp_path):
    result = run_fake(fake_checkout(tmp_path, {"python": (PYTHON_PORT, "always")}), tmp_path)
    cpp_status, cpp_error = status(result, "cpp")
    assert cpp_status == "failed"
    assert cpp_error.startswith("the case could not be prepared: cpp and python disagree on the benchmark corpus")
    assert "document 1:" in cpp_error, cpp_error


@needs_hf
@needs_regex
def test_no_answer_sits_where_an_implementation_reads(tmp_path):
    """The folders an implementation is pointed at (--input, --tokenizer) hold inputs only: the expected
    ids live in a separate answers/ folder and the goldens in the harness's memory."""
    listing = tmp_path / "listing.txt"
    root = fake_checkout(tmp_path, {"hf": (HF, "never")})
    result = run_fake(root, tmp_path, env=dict(os.environ, SNOOP_LISTING=str(listing)))
    assert status(result, "hf")[0] == "ok", status(result, "hf")
    seen = [Path(line) for line in listing.read_text().split()]
    assert {p.name for p in seen} == {"corpus.txt", "goldens.txt", "tokenizer.json"}, seen
    answers = [p for p in (root / ".cache" / "tokenizer").rglob("expected.ids")]
    assert len(answers) == 1 and answers[0].parent.name == "answers"
    expected = answers[0].read_bytes()
    assert all(p.read_bytes() != expected for p in seen)
