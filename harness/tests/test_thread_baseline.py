"""A case with a thread baseline runs the reference a second time at that thread count, interleaved with
the first in every round, and reports the speed-up as a paired ratio of the same implementation."""

import json

import jsonschema

from claimbench_testing import ROOT, bench


def test_the_reference_runs_again_at_the_baseline_thread_count_interleaved_and_paired(cb):
    proc, result = cb.run("--workload", "sync_engine", "--case", "chunk_hash_t2", "--impl", "cpp",
                          "--param", "file_bytes=1M", timeout=300)
    assert proc.returncode == 0, proc.stderr
    two = bench(result, "sync_engine/chunk_hash_t2/cpp")
    one = bench(result, "sync_engine/chunk_hash_t2/cpp@1t")
    assert two["status"] == "ok" and one["status"] == "ok", (two.get("error"), one.get("error"))
    assert (two["role"], one["role"]) == ("reference", "thread_baseline")
    assert (two["parameters"]["threads"], one["parameters"]["threads"]) == ("2", "1")
    assert two["command"][-2:] == ["--threads", "2"] and one["command"][-2:] == ["--threads", "1"]

    # One of each per round: the sequence numbers alternate, so every repetition has its pair.
    order = sorted([(s["sequence"], "two") for s in two["samples"]] + [(s["sequence"], "one") for s in one["samples"]])
    labels = [label for _, label in order]
    assert all(labels[k] != labels[k + 1] for k in range(0, len(labels) - 1, 2)), labels
    counted = sum(1 for s in two["samples"] if not s["warmup"])

    speedup = [c for c in result["claimbench"]["comparisons"]
               if c["case_name"] == "chunk_hash_t2" and c["metric"] == "timed_ns"]
    assert {(c["baseline"], c["contender"]) for c in speedup} == {("cpp", "cpp@1t"), ("cpp@1t", "cpp")}
    forward = next(c for c in speedup if c["baseline"] == "cpp")
    assert forward["pairs"] == counted and forward["ratio"] > 0
    assert "cpp@1t" in proc.stdout  # the summary table lists it, with its ratio to the reference
    # The file, thread baseline included, is what the schema (and so `report`) accepts.
    result.pop("_path")
    jsonschema.validate(result, json.loads((ROOT / "results" / "schema.json").read_text()))
