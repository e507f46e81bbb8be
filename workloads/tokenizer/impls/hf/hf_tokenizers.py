"""The tokenizer workload (../SPEC.md) with Hugging Face tokenizers: the Rust core through its Python API.

This is how HF's users call it for throughput: Tokenizer.encode_batch, which runs the batch on Rayon's
thread pool. RAYON_NUM_THREADS must be set before the first encode, so --threads is read before importing.
"""

import argparse
import os
import sys
import time


def mark(name):
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def read_documents(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        sys.exit(f"hf_tokenizers: cannot read {path}: {error.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        print(f"hf_tokenizers: {path} line {line}: invalid UTF-8; the input must be UTF-8 text", file=sys.stderr)
        sys.exit(2)
    docs = text.split("\n")
    if docs and docs[-1] == "":
        docs.pop()
    return docs


def main():
    parser = argparse.ArgumentParser(prog="hf_tokenizers")
    parser.add_argument("command", choices=["encode", "decode"])
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--latency-out")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "true" if args.threads > 1 else "false"
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(args.tokenizer)
    except Exception as error:  # HF raises plain Exception for a bad file
        print(f"hf_tokenizers: cannot load {args.tokenizer}: {error}", file=sys.stderr)
        sys.exit(2)
    docs = read_documents(args.input)
    mark("ready")
    if args.command == "decode":
        out = [tokenizer.decode([int(i) for i in line.split()], skip_special_tokens=False) for line in docs]
        mark("done")
        sys.stdout.write("".join(line + "\n" for line in out))
        return
    if args.latency_out:
        latencies = []
        ids = []
        for doc in docs:
            start = time.perf_counter_ns()
            ids.append(tokenizer.encode(doc, add_special_tokens=False).ids)
            latencies.append(time.perf_counter_ns() - start)
    else:
        ids = [encoding.ids for encoding in tokenizer.encode_batch(docs, add_special_tokens=False)]
    mark("done")
    if args.latency_out:
        with open(args.latency_out, "w") as f:
            f.write("".join(f"{ns}\n" for ns in latencies))
    sys.stdout.write("".join(" ".join(map(str, line)) + "\n" for line in ids))


if __name__ == "__main__":
    main()
