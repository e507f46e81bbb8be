package claimbench.readstates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * sync_engine's Read States service in Java (SPEC.md, "Service mode"): the JDK only, the JVM's defaults (G1,
 * heap sized by the JVM). The batch commands are not written in Java yet.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  private static int fail(String message) {
    System.err.println("sync_engine: error: " + message);
    return 2;
  }

  static int run(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.UsageException e) {
      return fail(e.getMessage());
    }
    ReadStatesStore store;
    Server server;
    try {
      store = new ReadStatesStore(options.entries(), options.keys(), new BackingTable(options.keys(), options.backing()));
      store.preload();
    } catch (IOException e) {
      return fail("cannot create the backing table " + (options.backing() == null ? "in /dev/shm" : options.backing())
          + ": " + e.getMessage());
    } catch (OutOfMemoryError e) {
      return fail("out of memory for " + options.entries() + " entries; lower --entries or raise the heap (-Xmx)");
    }
    try {
      server = new Server(options.host(), options.port(), store);
    } catch (IOException e) {
      return fail("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage());
    }
    ScheduledExecutorService writeBack = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "read-states-write-back");
      thread.setDaemon(true);
      return thread;
    });
    writeBack.scheduleWithFixedDelay(store::writeBack, options.writeBackMs(), options.writeBackMs(),
        TimeUnit.MILLISECONDS);
    // SIGTERM and SIGINT run the shutdown hooks; the JVM would then exit 143, the SPEC wants 0 after the last
    // write-back and the counters.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      writeBack.shutdownNow();
      int status = 0;
      try {
        store.writeBack();
        System.out.println(store.countersJson());
      } catch (UncheckedIOException e) {
        System.err.println("sync_engine: error: the last write-back failed: " + e.getCause().getMessage());
        status = 1;
      }
      System.out.flush();
      Runtime.getRuntime().halt(status);
    }, "read-states-shutdown"));
    Marks.mark("ready");
    server.serve();
    return 0;
  }
}
