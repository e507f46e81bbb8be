package claimbench.nullworkload;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code null batch}: computes the checksum between the ready and done marks, then prints it. */
final class Batch {
  private static final int CHUNK_BYTES = 64 << 20;
  private static final int PAGE_BYTES = 4096;

  private Batch() {}

  /** Runs the batch job and returns the exit status. */
  static int run(Options options, PrintStream out, Marks marks) {
    Options.Fault fault = options.fault();
    if (fault == Options.Fault.DONE_FIRST) {
      marks.mark("done");
    }
    marks.mark("ready");
    long readyAt = System.nanoTime();
    if (fault == Options.Fault.WORK_AFTER_DONE) {
      marks.mark("done");
    }
    switch (fault) {
      case CRASH -> crash();
      case HANG -> sleep(Duration.ofDays(365_000));
      case OOM -> hoardMemory();
      default -> {}
    }
    long answer = Checksum.of(options.workUnits());
    if (options.delayMs() > 0) {
      sleep(Duration.ofMillis(options.delayMs()));
    }
    if (fault == Options.Fault.WRONG_ANSWER) {
      answer ^= 1;
    }
    switch (fault) {
      case BACKDATE_DONE -> {
        sleep(Duration.ofMillis(150).minusNanos(System.nanoTime() - readyAt));
        marks.markBackdated("done", Duration.ofMillis(100));
      }
      case DONE_FIRST, WORK_AFTER_DONE -> {}
      default -> marks.mark("done");
    }
    out.println(Checksum.line(answer));
    out.flush();
    return fault == Options.Fault.EXIT_CODE ? 3 : 0;
  }

  /** Dies the way a Java program dies of a null dereference: an uncaught NullPointerException. */
  private static void crash() {
    Object nothing = null;
    nothing.hashCode();
  }

  private static void hoardMemory() {
    List<byte[]> hoard = new ArrayList<>();
    while (true) {
      byte[] chunk = new byte[CHUNK_BYTES];
      for (int i = 0; i < chunk.length; i += PAGE_BYTES) { // fresh pages are not resident until written
        chunk[i] = 1;
      }
      hoard.add(chunk);
    }
  }

  private static void sleep(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
