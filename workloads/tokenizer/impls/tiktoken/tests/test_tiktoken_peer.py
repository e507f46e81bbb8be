"""The tiktoken peer: conversion of hand-made and the suite's tokenizer.json files, ids equal to HF's, and
the refusals (exit 2, one line naming what does not convert)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

PEER_DIR = Path(__file__).resolve().parents[1]
PEER = PEER_DIR / "tiktoken_peer.py"
DATA = PEER_DIR.parents[1] / "data"
sys.path.insert(0, str(PEER_DIR))

from tokenizer_json_to_tiktoken import byte_level_alphabet  # noqa: E402

needs_hf = pytest.mark.skipif(importlib.util.find_spec("tokenizers") is None, reason="tokenizers is not installed")
DOCS = ["hello world", "  low lower lowest  ", "héllo wörld ✓ 123 <|end|> x", "", "lo<|end|>w\r\tok"]


def tiny_tokenizer(merges, pre_tokenizer=None, added=(), ids=None, **model):
    """A byte-level BPE tokenizer.json: the 256 byte tokens, then one token per merge (ids by `ids` if given)."""
    vocab = {char: i for i, char in enumerate(sorted(byte_level_alphabet(), key=byte_level_alphabet().get))}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    if ids:
        vocab.update(ids)
    added_tokens = [
        {
            "id": len(vocab) + k,
            "content": content,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for k, content in enumerate(added)
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": None,
        "pre_tokenizer": pre_tokenizer
        or {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [list(m) for m in merges],
            **model,
        },
    }


MERGES = [
    ("h", "e"),
    ("l", "l"),
    ("he", "ll"),
    ("hell", "o"),
    ("l", "o"),
    ("lo", "w"),
    ("Ġ", "low"),
    ("e", "r"),
    ("Ġlow", "er"),
    ("Ġ", "w"),
    ("o", "r"),
    ("Ġw", "or"),
    ("Ġwor", "l"),
    ("Ġworl", "d"),
]


def write(tmp_path, spec, name="tokenizer.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec) if isinstance(spec, dict) else spec, encoding="utf-8")
    return path


def peer(*args):
    """Runs the peer; stdout and stderr decoded without newline translation (a \r in a document stays)."""
    result = subprocess.run([sys.executable, str(PEER), *map(str, args)], capture_output=True, timeout=60)
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


def encode(tmp_path, tokenizer, docs, *extra):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes("".join(d + "\n" for d in docs).encode())
    return peer("encode", "--tokenizer", tokenizer, "--input", corpus, *extra)


def hf_ids(tokenizer, docs):
    from tokenizers import Tokenizer

    hf = Tokenizer.from_file(str(tokenizer))
    return "".join(" ".join(map(str, e.ids)) + "\n" for e in hf.encode_batch(docs, add_special_tokens=False))


def assert_refused(result, *words):
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not convert to tiktoken" in lines[0], result.stderr
    for word in words:
        assert word in lines[0]


@needs_hf
@pytest.mark.parametrize("threads", ["1", "2"])
def test_a_hand_made_tokenizer_gives_hfs_ids(tmp_path, threads):
    tokenizer = write(tmp_path, tiny_tokenizer(MERGES, added=["<|end|>"]))
    result = encode(tmp_path, tokenizer, DOCS, "--threads", threads)
    assert result.returncode == 0, result.stderr
    assert result.stdout == hf_ids(tokenizer, DOCS)


@needs_hf
def test_ids_out_of_merge_order_are_mapped_back(tmp_path):
    # 'll' and 'lo' swap ids, so ids would rank 'lo' first: tiktoken must rank by merge order, print HF's ids.
    spec = tiny_tokenizer(MERGES, added=["<|end|>"])
    vocab = spec["model"]["vocab"]
    vocab["ll"], vocab["lo"] = vocab["lo"], vocab["ll"]
    tokenizer = write(tmp_path, spec)
    result = encode(tmp_path, tokenizer, DOCS)
    assert result.returncode == 0, result.stderr
    assert result.stdout == hf_ids(tokenizer, DOCS)
    ids = tmp_path / "ids.txt"
    ids.write_text(result.stdout)
    decoded = peer("decode", "--tokenizer", tokenizer, "--input", ids)
    assert decoded.stdout == "".join(d + "\n" for d in DOCS)


@needs_hf
@pytest.mark.parametrize("style", ["gpt2", "llama3"])
def test_the_suites_tokenizers_without_their_flagged_added_tokens_give_hfs_ids(tmp_path, style):
    spec = json.loads((DATA / style / "tokenizer.json").read_text(encoding="utf-8"))
    for token in spec["added_tokens"]:
        token.update(single_word=False, lstrip=False, rstrip=False)
    tokenizer = write(tmp_path, spec)
    docs = (DATA / "corpora" / "adversarial.txt").read_bytes().decode().split("\n")[:-1]
    result = encode(tmp_path, tokenizer, docs)
    assert result.returncode == 0, result.stderr
    assert result.stdout == hf_ids(tokenizer, docs)


@pytest.mark.parametrize("style, reason", [("gpt2", "single_word"), ("llama3", "lstrip/rstrip")])
def test_the_suites_tokenizers_are_refused_for_their_added_token_flags(tmp_path, style, reason):
    assert_refused(encode(tmp_path, DATA / style / "tokenizer.json", ["x"]), reason)


def refusals():
    flagged = tiny_tokenizer(MERGES, added=["<|end|>"])
    flagged["added_tokens"][0]["lstrip"] = True
    normalized = tiny_tokenizer(MERGES)
    normalized["normalizer"] = {"type": "NFC"}
    literal_split = tiny_tokenizer(
        MERGES,
        pre_tokenizer={
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"String": " "}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
    )
    bad_regex = json.loads(json.dumps(literal_split).replace('{"String": " "}', '{"Regex": "(?<"}'))
    # HF merges 'a'+'b' first and never makes 'abc' from 'ab'+'c'; tiktoken returns the piece 'abc' whole.
    unreachable = tiny_tokenizer([("a", "b"), ("b", "c"), ("a", "bc")])
    overlapping = tiny_tokenizer(MERGES, added=["<|end|>", "<|end|>x"])
    return [
        (flagged, "lstrip"),
        (normalized, "normalizer NFC"),
        (literal_split, "Split by one Regex"),
        (bad_regex, "regex engine rejects"),
        (unreachable, "'abc'"),
        (overlapping, "overlap"),
        ("{not json", "not a valid tokenizer.json"),
    ]


@pytest.mark.parametrize("spec, reason", refusals())
def test_what_does_not_convert_is_refused_with_one_line(tmp_path, spec, reason):
    result = encode(tmp_path, write(tmp_path, spec), ["abc"])
    if isinstance(spec, str):
        assert result.returncode == 2 and reason in result.stderr and len(result.stderr.splitlines()) == 1
    else:
        assert_refused(result, reason)


def test_invalid_utf8_is_refused_with_its_line(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"ok\n\xff\n")
    result = peer("encode", "--tokenizer", write(tmp_path, tiny_tokenizer(MERGES)), "--input", corpus)
    assert result.returncode == 2 and "line 2: invalid UTF-8" in result.stderr


def test_the_availability_check_fails_only_when_nothing_converts(tmp_path):
    good = write(tmp_path, tiny_tokenizer(MERGES), "good.json")
    assert peer("check", DATA / "gpt2" / "tokenizer.json", good).returncode == 0
    assert peer("check", DATA / "gpt2" / "tokenizer.json", DATA / "llama3" / "tokenizer.json").returncode == 2


def test_latency_out_times_each_document_and_keeps_the_ids(tmp_path):
    tokenizer = write(tmp_path, tiny_tokenizer(MERGES, added=["<|end|>"]))
    batch = encode(tmp_path, tokenizer, DOCS)
    latency = tmp_path / "latency.txt"
    alone = encode(tmp_path, tokenizer, DOCS, "--latency-out", latency)
    assert alone.returncode == 0 and alone.stdout == batch.stdout
    assert [int(ns) >= 0 for ns in latency.read_text().split("\n")[:-1]] == [True] * len(DOCS)
