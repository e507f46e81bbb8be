package claimbench.readstates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The in-memory read states: at most {@code entries} of them in an access-ordered {@link LinkedHashMap}, the
 * JDK's own LRU, whose eldest entry is evicted (and saved first when dirty) as a new key comes in. One lock
 * guards the map, the counters and the backing table: every method is synchronized.
 */
final class ReadStatesStore {
  static final int CHANNELS_PER_USER = 16;

  private final long entries;
  private final long keys;
  private final BackingTable table;
  private final LinkedHashMap<Long, ReadState> states;
  private final HashMap<Long, ReadState> dirty = new HashMap<>(); // changed since last saved
  private final Counters counters = new Counters();

  /** What the service did, printed at exit (SPEC.md). */
  static final class Counters {
    long requests;
    long hits;
    long misses;
    long evictions;
    long loadedFromTable;
    long writtenBack;
  }

  ReadStatesStore(long entries, long keys, BackingTable table) {
    this.entries = entries;
    this.keys = keys;
    this.table = table;
    this.states = new LinkedHashMap<>(16, 0.75f, /* accessOrder= */ true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, ReadState> eldest) {
        if (size() <= ReadStatesStore.this.entries) {
          return false;
        }
        counters.evictions++;
        if (dirty.remove(eldest.getKey()) != null) { // saved before it leaves memory
          save(eldest.getKey(), eldest.getValue());
        }
        return true;
      }
    };
  }

  /** Loads the initial states of keys 0, 1, 2, ... until the store is full (SPEC.md: before ready). */
  synchronized void preload() {
    for (long key = 0; key < Math.min(entries, keys); key++) {
      states.put(key, InitialState.of(key / CHANNELS_PER_USER, key % CHANNELS_PER_USER));
    }
  }

  /** The key of (user, channel), or -1 outside the key space; user and channel are unsigned. */
  long keyOf(long user, long channel) {
    if (Long.compareUnsigned(channel, CHANNELS_PER_USER) >= 0
        || Long.compareUnsigned(user, (keys - 1) / CHANNELS_PER_USER) > 0) {
      return -1;
    }
    long key = user * CHANNELS_PER_USER + channel;
    return key < keys ? key : -1;
  }

  /** Applies one operation to {@code key} and copies the state after it into {@code answer}. */
  synchronized void apply(int op, long key, long messageId, ReadState answer) {
    counters.requests++;
    ReadState state = entry(key);
    if (op == Protocol.ACK) {
      if (Long.compareUnsigned(messageId, state.lastReadMessageId) > 0) {
        state.lastReadMessageId = messageId;
      }
      state.mentionCount = 0;
      dirty.put(key, state);
    } else if (op == Protocol.MENTION) {
      state.mentionCount = Math.min(state.mentionCount + 1, ReadState.MAX_MENTIONS);
      dirty.put(key, state);
    }
    answer.lastReadMessageId = state.lastReadMessageId;
    answer.mentionCount = state.mentionCount;
  }

  /**
   * Saves every dirty entry. Under the lock, so that an eviction can never save a newer state before this
   * pass saves an older copy over it: a few hundred 16-byte writes to tmpfs per pass at the measured rates.
   */
  synchronized void writeBack() {
    dirty.forEach(this::save);
    dirty.clear();
  }

  synchronized int size() {
    return states.size();
  }

  synchronized String countersJson() {
    return String.format(
        "{\"entries\": %d, \"keys\": %d, \"requests\": %d, \"hits\": %d, \"misses\": %d, \"evictions\": %d, "
            + "\"loaded_from_table\": %d, \"written_back\": %d}",
        states.size(), keys, counters.requests, counters.hits, counters.misses, counters.evictions,
        counters.loadedFromTable, counters.writtenBack);
  }

  private ReadState entry(long key) {
    ReadState state = states.get(key); // moves it to the most recent end
    if (state != null) {
      counters.hits++;
      return state;
    }
    counters.misses++;
    try {
      if (table.wasSaved(key)) {
        state = table.load(key);
        counters.loadedFromTable++;
      } else {
        state = InitialState.of(key / CHANNELS_PER_USER, key % CHANNELS_PER_USER);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    states.put(key, state); // evicts the eldest when full
    return state;
  }

  private void save(long key, ReadState state) {
    try {
      table.save(key, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    counters.writtenBack++;
  }
}
