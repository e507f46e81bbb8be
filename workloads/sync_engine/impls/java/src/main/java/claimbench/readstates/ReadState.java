package claimbench.readstates;

/** One read state: a heap object per entry, as Java code holds such records. Guarded by the store's lock. */
final class ReadState {
  static final int MAX_MENTIONS = (1 << 30) - 1;

  long lastReadMessageId; // unsigned 64-bit: compared with Long.compareUnsigned
  int mentionCount;

  ReadState(long lastReadMessageId, int mentionCount) {
    this.lastReadMessageId = lastReadMessageId;
    this.mentionCount = mentionCount;
  }
}
