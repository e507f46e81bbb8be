package claimbench.nullworkload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class ChecksumTest {
  @Test
  void knownAnswersFromTheSpec() {
    assertEquals("checksum 0000000000000000", Checksum.line(Checksum.of(0)));
    assertEquals("checksum e220a8397b1dcdaf", Checksum.line(Checksum.of(1)));
    assertEquals("checksum 52b7c1282f0cb818", Checksum.line(Checksum.of(3)));
  }

  @Test
  void theFoldIsOrderSensitive() {
    long z = 0x9E3779B97F4A7C15L * 2; // SplitMix64's second output for seed 0, from its definition
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    long second = z ^ (z >>> 31);
    long first = Checksum.of(1);
    assertEquals(Long.rotateLeft(first, 1) ^ second, Checksum.of(2));
    assertNotEquals(Long.rotateLeft(second, 1) ^ first, Checksum.of(2));
  }
}
