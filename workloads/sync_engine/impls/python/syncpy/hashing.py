"""The two hashes of SPEC.md: sha256 (hashlib, OpenSSL underneath) and fast, XXH3-128 with seed 0 from
the system's libxxhash (Debian libxxhash0) through ctypes, its digest big-endian (high half first)."""

import ctypes
import ctypes.util
import hashlib

from .errors import UsageError


class _Hash128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


_libxxhash = None


def _xxh3_128(data) -> bytes:
    global _libxxhash
    if _libxxhash is None:
        name = ctypes.util.find_library("xxhash") or "libxxhash.so.0"
        try:
            _libxxhash = ctypes.CDLL(name)
        except OSError as error:
            raise UsageError(f"--hash fast needs libxxhash (Debian libxxhash0): {error}") from error
        _libxxhash.XXH3_128bits.restype = _Hash128
        _libxxhash.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    value = _libxxhash.XXH3_128bits(bytes(data), len(data))
    return value.high64.to_bytes(8, "big") + value.low64.to_bytes(8, "big")


class HashKind:
    """sha256 or fast; `digest` hashes one message."""

    def __init__(self, name: str):
        if name not in ("sha256", "fast"):
            raise UsageError(f"--hash must be sha256 or fast, not '{name}'")
        self.name = name
        self.digest_len = 32 if name == "sha256" else 16

    def __eq__(self, other) -> bool:
        return isinstance(other, HashKind) and other.name == self.name

    def digest(self, data) -> bytes:
        if self.name == "sha256":
            return hashlib.sha256(data).digest()
        return _xxh3_128(data)

    def hex(self, data) -> str:
        return self.digest(data).hex()

    def content_hash(self, chunk_hexes) -> str | None:
        """The hash of the chunks' binary digests concatenated (SPEC.md); None for a malformed digest."""
        parts = []
        for h in chunk_hexes:
            if not is_lower_hex(h, 2 * self.digest_len):
                return None
            parts.append(bytes.fromhex(h))
        return self.hex(b"".join(parts))


def is_lower_hex(text: str, digits: int) -> bool:
    return len(text) == digits and all(c in "0123456789abcdef" for c in text)
