package claimbench.readstates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The store's semantics (SPEC.md, "Operations", "Memory, eviction and write-back") on a tiny store. */
class StoreTest {
  private static ReadStatesStore store(long entries, long keys) throws IOException {
    ReadStatesStore store = new ReadStatesStore(entries, keys, new BackingTable(keys, null));
    store.preload();
    return store;
  }

  private static ReadState apply(ReadStatesStore store, int op, long key, long messageId) {
    ReadState answer = new ReadState(0, 0);
    store.apply(op, key, messageId, answer);
    return answer;
  }

  @Test
  void theSpecsKnownAnswers() {
    assertEquals(0xE220A8397B1DCDAFL, InitialState.splitMix64(0));
    ReadState state = InitialState.of(5, 3);
    assertEquals(699533833993L, state.lastReadMessageId);
    assertEquals(7, state.mentionCount);
  }

  @Test
  void ackKeepsTheLargestUnsignedMessageIdAndClearsMentions() throws IOException {
    ReadStatesStore store = store(4, 40);
    assertEquals(-1L, apply(store, Protocol.ACK, 1, -1L).lastReadMessageId); // 2^64 - 1: the largest
    ReadState after = apply(store, Protocol.ACK, 1, 5);
    assertEquals(-1L, after.lastReadMessageId);
    assertEquals(0, after.mentionCount);
  }

  @Test
  void aChangedStateSurvivesEvictionAndComesBackFromTheTable() throws IOException {
    ReadStatesStore store = store(2, 40);
    apply(store, Protocol.ACK, 0, 1L << 50);
    apply(store, Protocol.MENTION, 0, 0);
    for (long key = 10; key < 20; key++) {
      apply(store, Protocol.GET, key, 0);
    }
    ReadState back = apply(store, Protocol.GET, 0, 0);
    assertEquals(1L << 50, back.lastReadMessageId);
    assertEquals(1, back.mentionCount);
    assertTrue(store.countersJson().contains("\"loaded_from_table\": 1"), store.countersJson());
    assertEquals(2, store.size());
  }

  @Test
  void writeBackSavesEachDirtyStateOnce() throws IOException {
    ReadStatesStore store = store(4, 40);
    apply(store, Protocol.MENTION, 1, 0);
    apply(store, Protocol.MENTION, 2, 0);
    store.writeBack();
    store.writeBack();
    assertTrue(store.countersJson().contains("\"written_back\": 2"), store.countersJson());
  }

  @Test
  void theKeySpace() throws IOException {
    ReadStatesStore store = store(4, 40);
    assertEquals(39, store.keyOf(2, 7));
    assertEquals(-1, store.keyOf(2, 8)); // key 40
    assertEquals(-1, store.keyOf(0, 16));
    assertEquals(-1, store.keyOf(-1L, 0)); // 2^64 - 1 as an unsigned user
  }
}
