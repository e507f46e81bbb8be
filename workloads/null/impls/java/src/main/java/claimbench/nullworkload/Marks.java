package claimbench.nullworkload;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The implementation side of the mark protocol (docs/implementation_protocol.md): one line {@code "<name>
 * <CLOCK_MONOTONIC ns>\n"} per mark, one write each, to the descriptor named by CLAIMBENCH_MARK_FD.
 *
 * <p>The JDK cannot wrap a descriptor number in a stream, so it opens {@code /proc/self/fd/N}, which for a
 * pipe is the same pipe. On Linux, HotSpot's {@link System#nanoTime()} is {@code
 * clock_gettime(CLOCK_MONOTONIC)}, the clock the harness stamps marks with. Thread-safe.
 */
final class Marks {
  private final FileOutputStream pipe; // null: run by hand, marks go nowhere

  private Marks(FileOutputStream pipe) {
    this.pipe = pipe;
  }

  /** The harness's mark pipe, or a Marks that writes nothing when the variable is unset or unusable. */
  static Marks fromEnvironment() {
    String fd = System.getenv("CLAIMBENCH_MARK_FD");
    if (fd == null || fd.isEmpty() || !fd.chars().allMatch(Character::isDigit)) {
      return new Marks(null);
    }
    try {
      return new Marks(new FileOutputStream("/proc/self/fd/" + fd));
    } catch (IOException e) {
      return new Marks(null);
    }
  }

  /** Marks {@code name} now. Errors are ignored: a mark is advisory. */
  void mark(String name) {
    write(name, System.nanoTime());
  }

  /** Marks {@code name} stamped {@code ago} before now: SPEC.md's backdate-done lie, nothing honest. */
  void markBackdated(String name, Duration ago) {
    write(name, System.nanoTime() - ago.toNanos());
  }

  private synchronized void write(String name, long nanos) {
    if (pipe == null) {
      return;
    }
    // A StringBuilder, not `name + " " + nanos`: the first string concatenation bootstraps an invokedynamic
    // call site, which takes milliseconds on a cold JVM and would lie between the stamp and the write.
    String line = new StringBuilder(40).append(name).append(' ').append(nanos).append('\n').toString();
    try {
      pipe.write(line.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // The harness went away or closed the pipe: nothing to tell it any more.
    }
  }
}
