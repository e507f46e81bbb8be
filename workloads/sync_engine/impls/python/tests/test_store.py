"""The store's semantics (SPEC.md, "Operations", "Memory, eviction and write-back"), on a tiny store."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from read_states.backing_table import BackingTable  # noqa: E402
from read_states.initial_state import initial_state, splitmix64  # noqa: E402
from read_states.store import MAX_MENTIONS, ReadStatesStore  # noqa: E402


def make_store(entries=4, keys=40):
    store = ReadStatesStore(entries, keys, BackingTable(keys))
    store.preload()
    return store


def test_the_specs_known_answers():
    assert splitmix64(0) == 0xE220A8397B1DCDAF
    assert initial_state(5, 3) == (699533833993, 7)


def test_preload_fills_the_store_with_the_first_keys_initial_states():
    store = make_store()
    assert len(store) == 4
    assert store.get(3) == list(initial_state(0, 3))
    assert store.counters.hits == 1 and store.counters.misses == 0


def test_ack_keeps_the_largest_message_id_and_clears_mentions():
    store = make_store()
    first, _ = initial_state(0, 1)
    assert store.ack(1, first + 10) == [first + 10, 0]
    assert store.ack(1, 5) == [first + 10, 0]


def test_mentions_saturate():
    store = make_store()
    store._states[2][1] = MAX_MENTIONS - 1  # noqa: SLF001 (a state near the limit, without 2^30 requests)
    assert store.mention(2)[1] == MAX_MENTIONS
    assert store.mention(2)[1] == MAX_MENTIONS


def test_a_changed_state_survives_eviction_and_comes_back_from_the_table():
    store = make_store(entries=2, keys=40)
    store.ack(0, 1 << 50)
    store.mention(0)
    for key in range(10, 20):  # evicts key 0 (dirty: saved first)
        store.get(key)
    assert 0 not in store._states  # noqa: SLF001
    assert store.get(0) == [1 << 50, 1]
    assert store.counters.loaded_from_table == 1 and store.counters.evictions >= 9


def test_write_back_saves_dirty_states_once():
    store = make_store()
    store.mention(1)
    store.mention(2)
    store.write_back()
    store.write_back()
    assert store.counters.written_back == 2


def test_the_key_space():
    store = make_store(keys=40)
    assert store.key_of(2, 7) == 39
    assert store.key_of(2, 8) is None  # key 40: outside
    assert store.key_of(0, 16) is None  # 16 channels per user
