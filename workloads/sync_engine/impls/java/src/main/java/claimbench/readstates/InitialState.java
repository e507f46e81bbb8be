package claimbench.readstates;

/** Every key's state before anybody changes it (SPEC.md, "Key space and initial state"). */
final class InitialState {
  static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private InitialState() {}

  static long splitMix64(long z) {
    z += GOLDEN_GAMMA;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The initial state of (user, channel); arithmetic is mod 2^64, as Java's long overflow is. */
  static ReadState of(long user, long channel) {
    long h = splitMix64(user * GOLDEN_GAMMA + channel);
    return new ReadState(h >>> 24, (int) (h & 7));
  }
}
