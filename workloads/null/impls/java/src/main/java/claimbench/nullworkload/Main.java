package claimbench.nullworkload;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The claimbench null workload in Java (workloads/null/SPEC.md): a checksum batch job and a line-echo
 * service.
 *
 * <p>Design: the JDK only, run with the JVM's defaults (G1, default heap), as a Java team ships a small
 * tool. The service uses blocking sockets and a platform thread per connection: the JDK 17 this targets has
 * no virtual threads, and for the handful of connections the harness opens, a thread per connection is the
 * plainest correct design, where NIO's selector loop would add code and no speed.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one subcommand and returns the process's exit status (2 for a usage error). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.UsageException e) {
      err.println("null: " + e.getMessage());
      err.println(Options.USAGE);
      return 2;
    }
    Marks marks = Marks.fromEnvironment();
    return switch (options.command()) {
      case BATCH -> Batch.run(options, out, marks);
      case SERVE -> serve(options, err, marks);
    };
  }

  private static int serve(Options options, PrintStream err, Marks marks) {
    EchoServer server;
    try {
      server = EchoServer.listen(options.listen(), options.delayMs());
    } catch (IOException e) {
      err.println("null: cannot listen on " + options.listenText() + ": " + e.getMessage());
      return 1;
    }
    // The JVM answers SIGTERM and SIGINT by running shutdown hooks and then exits with 128 + the signal;
    // the SPEC asks for status 0, so the hook closes everything and halts with 0 itself. Installed before
    // `ready`, so a SIGTERM right after it already means "stop".
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  Runtime.getRuntime().halt(0);
                },
                "null-shutdown"));
    marks.mark("ready");
    server.serve();
    return 0;
  }
}
