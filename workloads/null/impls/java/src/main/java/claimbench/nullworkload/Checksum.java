package claimbench.nullworkload;

/** SPEC.md's unit of work: the outputs of SplitMix64 (seed 0) folded order-sensitively. */
final class Checksum {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Checksum() {}

  /**
   * The checksum of {@code workUnits} units. Java's long arithmetic wraps at 64 bits, which is what the
   * SPEC's unsigned arithmetic needs; {@code >>>} is the unsigned shift.
   */
  static long of(long workUnits) {
    long state = 0;
    long acc = 0;
    for (long unit = 0; unit < workUnits; unit++) {
      state += GOLDEN_GAMMA;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      acc = Long.rotateLeft(acc, 1) ^ z;
    }
    return acc;
  }

  /** The SPEC's answer line for a checksum: 16 lower-case hexadecimal digits. */
  static String line(long checksum) {
    return String.format("checksum %016x", checksum);
  }
}
