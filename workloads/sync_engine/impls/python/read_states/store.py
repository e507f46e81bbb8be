"""The in-memory read states: at most `entries` of them in an OrderedDict used as an LRU (the idiom
functools.lru_cache is built on), each a small list [last_read_message_id, mention_count]. Changed keys are
dirty until the write-back saves them; an evicted dirty entry is saved before it leaves."""

from collections import OrderedDict
from dataclasses import dataclass

from .backing_table import BackingTable
from .initial_state import initial_state

CHANNELS_PER_USER = 16
MAX_MENTIONS = (1 << 30) - 1


@dataclass
class Counters:
    requests: int = 0
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    loaded_from_table: int = 0
    written_back: int = 0


class ReadStatesStore:
    """Not thread-safe: one event loop owns it."""

    def __init__(self, entries: int, keys: int, table: BackingTable):
        self.entries = entries
        self.keys = keys
        self._table = table
        self._states: OrderedDict[int, list[int]] = OrderedDict()
        self._dirty: set[int] = set()
        self.counters = Counters()

    def preload(self) -> None:
        """Loads the initial states of keys 0, 1, 2, ... until the store is full (SPEC: before `ready`)."""
        for key in range(min(self.entries, self.keys)):
            self._states[key] = list(initial_state(key // CHANNELS_PER_USER, key % CHANNELS_PER_USER))

    def __len__(self) -> int:
        return len(self._states)

    def key_of(self, user: int, channel: int) -> int | None:
        """The key of (user, channel), or None outside the key space."""
        if channel >= CHANNELS_PER_USER:
            return None
        key = user * CHANNELS_PER_USER + channel
        return key if key < self.keys else None

    def get(self, key: int) -> list[int]:
        self.counters.requests += 1
        return self._entry(key)

    def ack(self, key: int, message_id: int) -> list[int]:
        self.counters.requests += 1
        state = self._entry(key)
        state[0] = max(state[0], message_id)
        state[1] = 0
        self._dirty.add(key)
        return state

    def mention(self, key: int) -> list[int]:
        self.counters.requests += 1
        state = self._entry(key)
        state[1] = min(state[1] + 1, MAX_MENTIONS)
        self._dirty.add(key)
        return state

    def write_back(self) -> None:
        """Saves every dirty entry to the backing table."""
        for key in self._dirty:
            last_read, mentions = self._states[key]
            self._table.save(key, last_read, mentions)
        self.counters.written_back += len(self._dirty)
        self._dirty.clear()

    def _entry(self, key: int) -> list[int]:
        state = self._states.get(key)
        if state is not None:
            self.counters.hits += 1
            self._states.move_to_end(key)
            return state
        self.counters.misses += 1
        if len(self._states) >= self.entries:
            self._evict_least_recent()
        if self._table.was_saved(key):
            state = list(self._table.load(key))
            self.counters.loaded_from_table += 1
        else:
            state = list(initial_state(key // CHANNELS_PER_USER, key % CHANNELS_PER_USER))
        self._states[key] = state
        return state

    def _evict_least_recent(self) -> None:
        key, (last_read, mentions) = self._states.popitem(last=False)
        self.counters.evictions += 1
        if key in self._dirty:  # saved before its memory is reused
            self._dirty.discard(key)
            self._table.save(key, last_read, mentions)
            self.counters.written_back += 1
