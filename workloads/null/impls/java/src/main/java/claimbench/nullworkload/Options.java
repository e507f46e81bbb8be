package claimbench.nullworkload;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;

/** The SPEC's command line, parsed: a subcommand and its options. Immutable. */
record Options(
    Command command,
    long workUnits,
    long delayMs,
    Fault fault,
    InetSocketAddress listen,
    String listenText) {

  static final String USAGE =
      "usage: null batch --work-units N [--delay-ms D] [--fault FAULT]\n"
          + "       null serve --listen HOST:PORT [--delay-ms D]\n"
          + "FAULT: crash|hang|wrong-answer|exit-code|oom|backdate-done|done-first|work-after-done";

  enum Command {
    BATCH,
    SERVE
  }

  /** SPEC.md's --fault modes: ways to misbehave, so the harness's handling of a broken port is tested. */
  enum Fault {
    NONE,
    /** Die after ready from a null dereference (an uncaught NullPointerException: exit status 1). */
    CRASH,
    /** Sleep forever after ready. */
    HANG,
    /** Print a checksum with one bit flipped. */
    WRONG_ANSWER,
    /** Exit 3 after done. */
    EXIT_CODE,
    /** Allocate and touch memory without bound. */
    OOM,
    /** Stamp done 100 ms before the moment it is written. */
    BACKDATE_DONE,
    /** Write done before ready, then work. */
    DONE_FIRST,
    /** Write ready and done back to back, then work. */
    WORK_AFTER_DONE;

    static Fault fromFlag(String value) throws UsageException {
      for (Fault fault : values()) {
        if (fault != NONE && fault.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(value)) {
          return fault;
        }
      }
      throw new UsageException("unknown fault '" + value + "'");
    }
  }

  /** A bad command line: the message is one line saying what is wrong. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** Parses {@code args}; throws UsageException for anything the SPEC does not allow. */
  static Options parse(String[] args) throws UsageException {
    if (args.length == 0) {
      throw new UsageException("missing command");
    }
    Command command =
        switch (args[0]) {
          case "batch" -> Command.BATCH;
          case "serve" -> Command.SERVE;
          default -> throw new UsageException("unknown command '" + args[0] + "'");
        };
    Long workUnits = null;
    long delayMs = 0;
    Fault fault = Fault.NONE;
    String listen = null;
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    for (int i = 0; i < rest.length; i += 2) {
      String flag = rest[i];
      if (i + 1 >= rest.length) {
        throw new UsageException(flag + " needs a value");
      }
      String value = rest[i + 1];
      if (flag.equals("--work-units") && command == Command.BATCH) {
        workUnits = count(flag, value);
      } else if (flag.equals("--delay-ms")) {
        delayMs = count(flag, value);
      } else if (flag.equals("--fault") && command == Command.BATCH) {
        fault = Fault.fromFlag(value);
      } else if (flag.equals("--listen") && command == Command.SERVE) {
        listen = value;
      } else {
        throw new UsageException("unknown option '" + flag + "' for " + args[0]);
      }
    }
    if (command == Command.BATCH) {
      if (workUnits == null) {
        throw new UsageException("batch needs --work-units N");
      }
      return new Options(command, workUnits, delayMs, fault, null, null);
    }
    if (listen == null) {
      throw new UsageException("serve needs --listen HOST:PORT");
    }
    return new Options(command, 0, delayMs, Fault.NONE, address(listen), listen);
  }

  private static long count(String flag, String value) throws UsageException {
    if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new UsageException(flag + " expects a non-negative integer, got '" + value + "'");
    }
    return Long.parseLong(value);
  }

  private static InetSocketAddress address(String value) throws UsageException {
    int colon = value.lastIndexOf(':');
    String port = colon < 0 ? "" : value.substring(colon + 1);
    if (colon <= 0 || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      throw new UsageException("--listen expects HOST:PORT, got '" + value + "'");
    }
    int number = Integer.parseInt(port);
    if (number < 1 || number > 65535) {
      throw new UsageException("--listen port must be 1..65535, got '" + value + "'");
    }
    // Unresolved: the host is looked up when binding, and a failure there is not a usage error.
    return InetSocketAddress.createUnresolved(value.substring(0, colon), number);
  }
}
