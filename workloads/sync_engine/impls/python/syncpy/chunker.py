"""FastCDC with the Gear rolling hash and normalised chunking level 2, exactly as SPEC.md ("Chunking and
hashing") defines it: Gear table from SplitMix64 seeded with 0, masks with log2(avg)+-2 one-bits at
63 - floor(j*48/k), no Gear hash before min, a cut after the first byte whose fingerprint has no bit of
the mask in force, at max at the latest. A plain byte loop: what a Python team writes."""

from dataclasses import dataclass

from .errors import UsageError

MASK64 = (1 << 64) - 1


def splitmix64(state: int) -> tuple[int, int]:
    """Returns (next state, output) of SplitMix64."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def spread_mask(ones: int) -> int:
    """A mask with `ones` one-bits spread evenly over the top 48 bits."""
    mask = 0
    for j in range(ones):
        mask |= 1 << (63 - j * 48 // ones)
    return mask


@dataclass(frozen=True)
class ChunkSizes:
    """Bytes; valid when 1 <= min < avg < max <= 2 GiB and avg is a power of two from 8 to 1 GiB."""

    min: int = 16 << 10
    avg: int = 64 << 10
    max: int = 256 << 10

    def validate(self) -> None:
        if not (1 <= self.min < self.avg < self.max <= 2 << 30):
            raise UsageError(
                f"chunk sizes need 1 <= --min < --avg < --max <= 2G; got --min {self.min} --avg {self.avg} "
                f"--max {self.max}"
            )
        if self.avg < 8 or self.avg > 1 << 30 or self.avg & (self.avg - 1):
            raise UsageError(f"--avg must be a power of two from 8 to 1G; got {self.avg}")


class Chunker:
    """Finds content-defined boundaries; immutable, so threads may share one."""

    def __init__(self, sizes: ChunkSizes):
        self.sizes = sizes
        gear = []
        state = 0
        for _ in range(256):
            state, value = splitmix64(state)
            gear.append(value)
        self.gear = tuple(gear)
        bits = sizes.avg.bit_length() - 1
        self.mask_small = spread_mask(bits + 2)
        self.mask_large = spread_mask(bits - 2)

    def cut(self, data, start: int) -> int:
        """Length of the chunk starting at data[start] (0 only at the end of data)."""
        n = len(data) - start
        lo, avg, hi = self.sizes.min, self.sizes.avg, self.sizes.max
        if n <= lo:
            return n
        end = min(n, hi)
        small_end = min(end, avg)
        gear, fp = self.gear, 0
        mask = self.mask_small
        i = start + lo
        for byte in data[start + lo : start + small_end]:
            fp = ((fp << 1) + gear[byte]) & MASK64
            i += 1
            if not fp & mask:
                return i - start
        mask = self.mask_large
        for byte in data[start + small_end : start + end]:
            fp = ((fp << 1) + gear[byte]) & MASK64
            i += 1
            if not fp & mask:
                return i - start
        return end

    def chunks(self, data) -> list[tuple[int, int]]:
        """Every chunk of data in order, as (offset, length)."""
        out = []
        offset = 0
        while offset < len(data):
            length = self.cut(data, offset)
            out.append((offset, length))
            offset += length
        return out
