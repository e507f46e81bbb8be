"""Paired, interleaved timing of one implementation at 1 and at N threads: the scaling figure.

The suite runner interleaves implementations, not thread counts (a thread count is a separate case), so
this tool pairs them itself: each pair runs the command once with `--threads 1` and once with
`--threads N`, in random order, and times the window between the `ready` and `done` marks
(docs/implementation_protocol.md). It prints medians, the median of per-pair speed-ups and a bootstrap
95% interval of that median. Outputs are not verified here: run the workload's cases for that.

    .venv/bin/python tools/paired_threads.py --pairs 30 --threads 2 -- \\
        build/release/workloads/tokenizer/impls/cpp/tokenizer_cpp encode --tokenizer T.json --input C.txt

With `--baseline PROGRAM`, each pair instead runs the command and the same command with PROGRAM in place
of its program (an older build, say), both at `--threads N` (1 allowed), and the speed-up is the
baseline's window over the command's: above 1 means the command is faster.
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
    parser.add_argument("--baseline", metavar="PROGRAM",
                        help="pair the command against itself run with PROGRAM instead, both at --threads")
    args = parser.parse_args()
    if args.pairs < 2 or args.threads < (1 if args.baseline else 2):
        parser.error("--pairs must be at least 2, and --threads at least 2 (at least 1 with --baseline)")
    if args.baseline:
        # Each side: (label, command, threads); the speed-up is the first side's window over the second's.
        baseline = [args.baseline, *args.command[1:]]
        sides = [("baseline", baseline, args.threads), ("command", args.command, args.threads)]
    else:
        sides = [("1 thread", args.command, 1), (f"{args.threads} threads", args.command, args.threads)]
    rng = random.Random(args.seed)
    windows = {label: [] for label, _, _ in sides}
    speedups = []
    for _ in range(args.pairs):
        order = list(sides)
        rng.shuffle(order)
        times = {label: timed_window_ns(command, threads) for label, command, threads in order}
        for label in times:
            windows[label].append(times[label])
        speedups.append(times[sides[0][0]] / times[sides[1][0]])
    low, high = bootstrap_median_interval(speedups, rng)
    medians = "; ".join(f"{label}: median {statistics.median(windows[label]) / 1e6:.1f} ms" for label, _, _ in sides)
    print(
        f"{medians}; paired speed-up: median {statistics.median(speedups):.2f}x "
        f"[{low:.2f}, {high:.2f}] (95% bootstrap), min {min(speedups):.2f}, max {max(speedups):.2f}, "
        f"n={args.pairs}; load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
