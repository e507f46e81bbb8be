"""The tokenizer workload (../../SPEC.md) with OpenAI's tiktoken: its Rust BPE core through its Python API.

tiktoken ships no reader for tokenizer.json (its own encodings download BPE files, which this machine cannot
reach), so the tokenizer.json is converted before `ready` (tokenizer_json_to_tiktoken.py) or refused with
exit 2 and one line naming what does not convert. Only encoding is timed: Encoding.encode_batch with
num_threads = --threads, as tiktoken's users call it for throughput (it starts its thread pool per call).
"""

import argparse
import os
import sys
import time
from pathlib import Path

from tokenizer_json_to_tiktoken import NotConvertible, load_encoding

PROG = "tiktoken_peer"


def fail(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def mark(name):
    """Writes a protocol mark (docs/implementation_protocol.md), stamped with CLOCK_MONOTONIC."""
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def input_lines(path):
    """The input's lines (documents, or lines of ids) without their newlines; exit 2 on invalid UTF-8."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        fail(f"{path} line {line}: invalid UTF-8; the input must be UTF-8 text")
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def check(paths):
    """The availability check: exit 0 when at least one of `paths` converts; each refusal on stderr."""
    converted = 0
    for path in paths:
        try:
            load_encoding(path)
            converted += 1
        except Exception as error:  # noqa: BLE001 - every reason is reported, none is fatal here
            print(f"{PROG}: {path} does not convert to tiktoken: {error}", file=sys.stderr)
    sys.exit(0 if converted else 2)


def one_at_a_time(encode, docs):
    """(ids, nanoseconds) per document, each encoded alone on this thread: the SPEC's --latency-out."""
    ids, latencies = [], []
    for doc in docs:
        start = time.perf_counter_ns()
        ids.append(encode(doc))
        latencies.append(time.perf_counter_ns() - start)
    return ids, latencies


def parse_arguments():
    parser = argparse.ArgumentParser(prog=PROG)
    parser.add_argument("command", choices=["encode", "decode"])
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--latency-out")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def main():
    if sys.argv[1:2] == ["check"]:
        check(sys.argv[2:])
    args = parse_arguments()
    try:
        encoding, to_id = load_encoding(args.tokenizer)
    except OSError as error:
        fail(f"cannot read {args.tokenizer}: {error.strerror}")
    except ValueError as error:  # json.JSONDecodeError too
        fail(f"{args.tokenizer} is not a valid tokenizer.json: {error}")
    except NotConvertible as error:
        fail(f"{args.tokenizer} does not convert to tiktoken: {error}")
    except (KeyError, TypeError, AttributeError) as error:
        fail(f"{args.tokenizer} is not a valid tokenizer.json: unexpected shape ({type(error).__name__}: {error})")
    lines = input_lines(args.input)
    if args.command == "decode":
        to_rank = None if to_id is None else {id_: rank for rank, id_ in enumerate(to_id)}
        try:
            ranks = [[int(i) if to_rank is None else to_rank[int(i)] for i in line.split()] for line in lines]
        except (ValueError, KeyError) as error:
            fail(f"{args.input}: not a line of known token ids ({error})")
        mark("ready")
        out = [encoding.decode_bytes(line).decode("utf-8", errors="replace") for line in ranks]
        mark("done")
        sys.stdout.write("".join(line + "\n" for line in out))
        return
    special = dict(allowed_special="all", disallowed_special=())
    mark("ready")
    if args.latency_out:
        ids, latencies = one_at_a_time(lambda doc: encoding.encode(doc, **special), lines)
    else:
        ids, latencies = encoding.encode_batch(lines, num_threads=args.threads, **special), None
    if to_id is not None:
        ids = [[to_id[rank] for rank in line] for line in ids]
    mark("done")
    if latencies is not None:
        Path(args.latency_out).write_text("".join(map("{}\n".format, latencies)))
    sys.stdout.write("\n".join(map(" ".join, (map(str, line) for line in ids))) + ("\n" if ids else ""))


if __name__ == "__main__":
    main()
