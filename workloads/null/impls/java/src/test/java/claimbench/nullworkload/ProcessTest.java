package claimbench.nullworkload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The program as the harness runs it: a child JVM from the compiled classes, marks on its stderr
 * (CLAIMBENCH_MARK_FD=2), exit statuses and signals real.
 */
class ProcessTest {
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    started.forEach(Process::destroyForcibly);
  }

  record Mark(String name, long nanos) {}

  record Run(int status, String stdout, String stderr, List<Mark> marks) {
    List<String> names() {
      return marks.stream().map(Mark::name).toList();
    }
  }

  private Process start(String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("claimbench.classes"),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CLAIMBENCH_MARK_FD", "2");
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static List<Mark> marks(String stderr) {
    List<Mark> marks = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && parts[1].matches("-?\\d+")) {
        marks.add(new Mark(parts[0], Long.parseLong(parts[1])));
      }
    }
    return marks;
  }

  private Run run(String... args) throws IOException, InterruptedException {
    Process process = start(args);
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = process.waitFor();
    return new Run(status, new String(out, StandardCharsets.UTF_8), err, marks(err));
  }

  @Test
  void batchPrintsTheAnswerBetweenReadyAndDone() throws Exception {
    Run run = run("batch", "--work-units", "3");
    assertEquals(0, run.status());
    assertEquals("checksum 52b7c1282f0cb818\n", run.stdout());
    assertEquals(List.of("ready", "done"), run.names());
    assertTrue(run.marks().get(0).nanos() <= run.marks().get(1).nanos());
  }

  @Test
  void faultsMisbehaveAsTheSpecSays() throws Exception {
    assertEquals("checksum e220a8397b1dcdae\n", run("batch", "--work-units", "1", "--fault", "wrong-answer").stdout());
    Run exitCode = run("batch", "--work-units", "1", "--fault", "exit-code");
    assertEquals(3, exitCode.status());
    assertEquals(List.of("ready", "done"), exitCode.names());
    Run crash = run("batch", "--work-units", "1", "--fault", "crash");
    assertEquals(1, crash.status());
    assertTrue(crash.stderr().contains("NullPointerException"), crash.stderr());
    assertEquals(2, run("batch", "--work-units", "x").status());
  }

  @Test
  void theTimingLiesWriteTheirMarksOutOfPlaceButAnswerRight() throws Exception {
    String answer = "checksum 52b7c1282f0cb818\n";
    Run doneFirst = run("batch", "--work-units", "3", "--fault", "done-first");
    assertEquals(answer, doneFirst.stdout());
    assertEquals(List.of("done", "ready"), doneFirst.names());
    Run workAfter = run("batch", "--work-units", "3", "--fault", "work-after-done");
    assertEquals(answer, workAfter.stdout());
    assertEquals(List.of("ready", "done"), workAfter.names());
    Run backdated = run("batch", "--work-units", "3", "--fault", "backdate-done");
    assertEquals(answer, backdated.stdout());
    assertEquals(List.of("ready", "done"), backdated.names());
    long claimed = backdated.marks().get(1).nanos() - backdated.marks().get(0).nanos();
    assertTrue(claimed >= 50_000_000 && claimed < 140_000_000, "claimed window " + claimed + " ns");
  }

  /** Starts null serve on a free port, waits for ready, and returns the port. */
  private int startService(String delayMs) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Process process = start("serve", "--listen", "127.0.0.1:" + port, "--delay-ms", delayMs);
    BufferedReader stderr =
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    String line = stderr.readLine();
    assertTrue(line != null && line.startsWith("ready "), "first stderr line: " + line);
    return port;
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static byte[] roundTrip(Socket socket, byte[] line) throws IOException {
    socket.getOutputStream().write(line);
    return socket.getInputStream().readNBytes(line.length);
  }

  @Test
  void serveEchoesByteForByteAndExits0OnSigterm() throws Exception {
    int port = startService("0");
    Process process = started.get(started.size() - 1);
    try (Socket a = connect(port);
        Socket b = connect(port)) {
      byte[] hello = "hello\n".getBytes(StandardCharsets.ISO_8859_1);
      byte[] binary = "\u0000\u00ff binary \r\n".getBytes(StandardCharsets.ISO_8859_1);
      byte[] two = "one\ntwo\n".getBytes(StandardCharsets.ISO_8859_1);
      byte[] longLine = ("x".repeat(60_000) + "\n").getBytes(StandardCharsets.ISO_8859_1);
      assertArrayEquals(hello, roundTrip(a, hello));
      assertArrayEquals(binary, roundTrip(b, binary));
      assertArrayEquals(longLine, roundTrip(a, longLine));
      assertArrayEquals(two, roundTrip(b, two));
    }
    process.destroy(); // SIGTERM on Linux
    assertTrue(process.waitFor(1, TimeUnit.SECONDS), "still running 1 s after SIGTERM");
    assertEquals(0, process.exitValue());
  }

  @Test
  void aLineOver64KiBClosesOnlyItsConnection() throws Exception {
    int port = startService("0");
    try (Socket good = connect(port);
        Socket bad = connect(port)) {
      OutputStream out = bad.getOutputStream();
      try {
        out.write(new byte[70 * 1024]);
      } catch (IOException e) {
        // The service may close it while we still write: that is the point.
      }
      InputStream in = bad.getInputStream();
      try {
        assertEquals(-1, in.read());
      } catch (IOException e) {
        // A reset is a close too.
      }
      byte[] still = "still here\n".getBytes(StandardCharsets.ISO_8859_1);
      assertArrayEquals(still, roundTrip(good, still));
    }
  }

  @Test
  void aDelayedResponseDoesNotHoldUpOtherConnections() throws Exception {
    int port = startService("300");
    try (Socket a = connect(port);
        Socket b = connect(port)) {
      long began = System.nanoTime();
      a.getOutputStream().write("a\n".getBytes(StandardCharsets.ISO_8859_1));
      b.getOutputStream().write("b\n".getBytes(StandardCharsets.ISO_8859_1));
      a.getInputStream().readNBytes(2);
      b.getInputStream().readNBytes(2);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - began);
      assertTrue(elapsed.toMillis() >= 290 && elapsed.toMillis() < 550, "took " + elapsed);
    }
  }
}
