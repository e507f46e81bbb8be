"""The backing store, Discord's Cassandra in miniature (SPEC.md, "Memory, eviction and write-back"): one
fixed-size record per key in a file the service never maps, read and written with pread and pwrite. By
default an anonymous in-memory file (memfd), so it stays outside the service's resident set."""

import os
import struct

RECORD = struct.Struct("<QQ")  # last_read_message_id, mention_count


class BackingTable:
    def __init__(self, keys: int, path: str | None = None):
        """Creates (or truncates) the table for `keys` keys. Raises OSError when the file cannot be made."""
        if path is None:
            self._fd = os.memfd_create("read-states-backing", os.MFD_CLOEXEC)
        else:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        os.ftruncate(self._fd, keys * RECORD.size)  # sparse: only saved records take space
        self._saved = bytearray(keys)  # 1 where the key's record was written: load it, not its initial state

    def was_saved(self, key: int) -> bool:
        return self._saved[key] == 1

    def save(self, key: int, last_read: int, mentions: int) -> None:
        os.pwrite(self._fd, RECORD.pack(last_read, mentions), key * RECORD.size)
        self._saved[key] = 1

    def load(self, key: int) -> tuple[int, int]:
        """The state last saved for `key` (was_saved(key) must be true)."""
        data = os.pread(self._fd, RECORD.size, key * RECORD.size)
        if len(data) != RECORD.size:
            raise OSError(f"backing table: short read of key {key}")
        return RECORD.unpack(data)
