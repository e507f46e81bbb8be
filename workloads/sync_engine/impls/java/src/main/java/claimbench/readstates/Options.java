package claimbench.readstates;

import java.nio.file.Path;

/** The serve command line (SPEC.md, "Service mode"); every error is one line naming the option. */
record Options(String host, int port, long entries, long keys, long writeBackMs, int threads, Path backing) {
  static final String USAGE = "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] "
      + "[--write-back-ms MS] [--threads N] [--backing FILE]";

  /** Thrown for a bad command line: the message is the error line. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static Options parse(String[] args) throws UsageException {
    if (args.length == 0 || !args[0].equals("serve")) {
      String command = args.length == 0 ? "(none)" : args[0];
      throw new UsageException("'" + command + "': the Java port implements only serve (the Read States "
          + "service) yet; use another implementation for the batch cases; " + USAGE);
    }
    String host = null;
    int port = 0;
    long entries = 0;
    long keys = 0;
    long writeBackMs = 100;
    int threads = 1;
    Path backing = null;
    for (int i = 1; i < args.length; i += 2) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value; " + USAGE);
      }
      String value = args[i + 1];
      switch (flag) {
        case "--listen" -> {
          int colon = value.lastIndexOf(':');
          long number = colon <= 0 ? -1 : number(value.substring(colon + 1), 0, 65535);
          if (number < 0) {
            throw new UsageException("--listen wants HOST:PORT (port 0..65535), got '" + value + "'");
          }
          host = value.substring(0, colon).replace("[", "").replace("]", "");
          port = (int) number;
        }
        case "--entries" -> entries = required(flag, value, 1, Integer.MAX_VALUE);
        case "--keys" -> keys = required(flag, value, 1, Integer.MAX_VALUE);
        case "--write-back-ms" -> writeBackMs = required(flag, value, 1, 3_600_000);
        case "--threads" -> threads = (int) required(flag, value, 1, 1024);
        case "--backing" -> {
          if (value.isEmpty()) {
            throw new UsageException("--backing wants a file path");
          }
          backing = Path.of(value);
        }
        default -> throw new UsageException("unknown option '" + flag + "'; " + USAGE);
      }
    }
    if (host == null) {
      throw new UsageException("--listen is required; " + USAGE);
    }
    if (entries == 0) {
      throw new UsageException("--entries is required; " + USAGE);
    }
    if (keys == 0) {
      keys = Math.min(entries + entries / 4, Integer.MAX_VALUE);
    }
    return new Options(host, port, entries, keys, writeBackMs, threads, backing);
  }

  private static long required(String flag, String value, long min, long max) throws UsageException {
    long number = number(value, min, max);
    if (number < 0) {
      throw new UsageException(flag + " wants a count from " + min + " to " + max + ", got '" + value + "'");
    }
    return number;
  }

  /** value as a decimal number within [min, max], or -1. */
  private static long number(String value, long min, long max) {
    if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    long number = Long.parseLong(value);
    return number >= min && number <= max ? number : -1;
  }
}
