package claimbench.readstates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service as the harness runs it: a child JVM, marks on its stderr, spoken to over TCP, SIGTERM. */
class ServiceTest {
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    started.forEach(Process::destroyForcibly);
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static byte[] request(int op, long user, long channel, long messageId) {
    return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).put((byte) op).put(new byte[7])
        .putLong(user).putLong(channel).putLong(messageId).array();
  }

  private static ByteBuffer answer(DataInputStream in) throws IOException {
    byte[] frame = new byte[32];
    in.readFully(frame);
    return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
  }

  private Process serve(int port) throws IOException {
    Process process = start("serve", "--listen", "127.0.0.1:" + port, "--entries", "100", "--keys", "200",
        "--write-back-ms", "5");
    byte[] line = new byte[64];
    int length = 0;
    for (int c; (c = process.getErrorStream().read()) >= 0 && c != '\n'; ) {
      line[length++] = (byte) c;
    }
    assertTrue(new String(line, 0, length, StandardCharsets.US_ASCII).startsWith("ready "));
    return process;
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderAndSigtermPrintsTheCounters() throws Exception {
    int port = freePort();
    Process process = serve(port);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(ByteBuffer.allocate(128).put(request(1, 5, 3, 0)).put(request(2, 5, 3, 1L << 45))
          .put(request(3, 5, 3, 0)).put(request(1, 12, 0, 0)).array());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      ByteBuffer get = answer(in);
      assertEquals(0, get.get(0));
      assertEquals(7, get.getInt(4));
      assertEquals(699533833993L, get.getLong(24));
      assertEquals(1L << 45, answer(in).getLong(24));
      ByteBuffer mention = answer(in);
      assertEquals(1, mention.getInt(4));
      assertEquals(5, mention.getLong(8));
      assertEquals(3, mention.getLong(16));
      assertEquals(0, answer(in).get(0)); // key 192: a miss that evicts
    }
    Thread.sleep(50);
    process.toHandle().destroy(); // SIGTERM, leaving our ends of its pipes open (Process.destroy closes them)
    assertTrue(process.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue());
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(out.contains("\"requests\": 4") && out.contains("\"misses\": 1") && out.contains("\"evictions\": 1"),
        out);
  }

  @Test
  void outsideTheKeySpaceKeepsTheConnectionAndMalformedClosesIt() throws Exception {
    int port = freePort();
    Process process = serve(port);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(request(1, 12, 8, 0)); // key 200
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] refused = new byte[32];
      refused[0] = 2;
      refused[1] = 1;
      assertArrayEquals(refused, answer(in).array());
      socket.getOutputStream().write(request(9, 0, 0, 0));
      socket.getOutputStream().write(request(1, 0, 0, 0));
      ByteBuffer malformed = answer(in);
      assertEquals(1, malformed.get(0));
      assertEquals(9, malformed.get(1));
      assertEquals(-1, in.read()); // closed without answering the next request
    }
    assertTrue(process.isAlive());
  }

  @Test
  void badArgumentsExit2WithOneLine() throws Exception {
    Process process = start("serve", "--listen", "127.0.0.1:1", "--entries", "0");
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, process.waitFor());
    assertTrue(err.startsWith("sync_engine: error: --entries wants a count") && err.strip().lines().count() == 1, err);
  }
}
