package claimbench.readstates;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The mark protocol (docs/implementation_protocol.md): {@code "<name> <CLOCK_MONOTONIC ns>\n"} to the
 * descriptor in CLAIMBENCH_MARK_FD, opened as /proc/self/fd/N (the JDK cannot wrap a descriptor number);
 * HotSpot's System.nanoTime() is CLOCK_MONOTONIC on Linux. Errors are ignored: a mark is advisory.
 */
final class Marks {
  private Marks() {}

  static void mark(String name) {
    String fd = System.getenv("CLAIMBENCH_MARK_FD");
    if (fd == null || fd.isEmpty() || !fd.chars().allMatch(Character::isDigit)) {
      return; // run by hand
    }
    // A StringBuilder: the first `+` on strings bootstraps an invokedynamic call site (milliseconds cold).
    String line = new StringBuilder(40).append(name).append(' ').append(System.nanoTime()).append('\n').toString();
    try (FileOutputStream pipe = new FileOutputStream("/proc/self/fd/" + fd)) {
      pipe.write(line.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // the harness is gone: nobody to tell
    }
  }
}
