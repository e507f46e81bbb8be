#!/usr/bin/env python3
"""Writes the fixed input of sync_engine's chunk golden files (data/README.md).

2 MiB: 1 MiB of SplitMix64 output (seed 1, each 64-bit output little-endian), 512 KiB of zero bytes (a
run with no content-defined cut, so chunks end at --max), then 512 KiB more of the same generator.
"""

import struct
import sys

MASK = (1 << 64) - 1


def splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def golden_input() -> bytes:
    state = 1
    words = []
    for _ in range((1 << 20) // 8):
        state, value = splitmix64(state)
        words.append(value)
    head = struct.pack(f"<{len(words)}Q", *words)
    words = []
    for _ in range((512 << 10) // 8):
        state, value = splitmix64(state)
        words.append(value)
    tail = struct.pack(f"<{len(words)}Q", *words)
    return head + bytes(512 << 10) + tail


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: golden_input.py OUT_FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], "wb") as out:
        out.write(golden_input())
    return 0


if __name__ == "__main__":
    sys.exit(main())
