"""Paired, interleaved timing of one implementation at 1 and at N threads: the scaling figure.

The suite runner interleaves implementations, not thread counts (a thread count is a separate case), so
this tool pairs them itself: each pair runs the command once with `--threads 1` and once with
`--threads N`, in random order, and times the window between the `ready` and `done` marks
(docs/implementation_protocol.md). It prints medians, the median of per-pair speed-ups and a bootstrap
95% interval of that median. Outputs are not verified here: run the workload's cases for that.

    .venv/bin/python tools/paired_threads.py --pairs 30 --threads 2 -- \\
        build/release/workloads/tokenizer/cpp/tokenizer_cpp encode --tokenizer T.json --input C.txt
"""

import argparse
import os
import random
import statistics
import subprocess
import sys


def timed_window_ns(command: list[str], threads: int) -> int:
    read_end, write_end = os.pipe()
    env = dict(os.environ, CLAIMBENCH_MARK_FD=str(write_end))
    process = subprocess.Popen(
        [*command, "--threads", str(threads)], env=env, pass_fds=(write_end,), stdout=subprocess.DEVNULL
    )
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 4096):
        data += chunk
    os.close(read_end)
    if process.wait() != 0:
        sys.exit(f"paired_threads: error: the command exited {process.returncode} with --threads {threads}")
    marks = {}
    for line in data.decode().splitlines():
        fields = line.split()
        if len(fields) == 2:
            marks[fields[0]] = int(fields[1])
    if "ready" not in marks or "done" not in marks:
        sys.exit("paired_threads: error: the command wrote no timed 'ready' and 'done' marks")
    return marks["done"] - marks["ready"]


def bootstrap_median_interval(values: list[float], rng: random.Random, rounds: int = 2000) -> tuple[float, float]:
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(0.025 * rounds)], medians[int(0.975 * rounds) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    if args.pairs < 2 or args.threads < 2:
        parser.error("--pairs and --threads must be at least 2")
    rng = random.Random(args.seed)
    one, many, speedups = [], [], []
    for _ in range(args.pairs):
        order = [1, args.threads]
        rng.shuffle(order)
        times = {threads: timed_window_ns(args.command, threads) for threads in order}
        one.append(times[1])
        many.append(times[args.threads])
        speedups.append(times[1] / times[args.threads])
    low, high = bootstrap_median_interval(speedups, rng)
    print(
        f"1 thread: median {statistics.median(one) / 1e6:.1f} ms; {args.threads} threads: median "
        f"{statistics.median(many) / 1e6:.1f} ms; paired speed-up: median {statistics.median(speedups):.2f}x "
        f"[{low:.2f}, {high:.2f}] (95% bootstrap), min {min(speedups):.2f}, max {max(speedups):.2f}, "
        f"n={args.pairs}; load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
