package claimbench.nullworkload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsTest {
  @Test
  void parsesBothCommands() throws Options.UsageException {
    Options batch = Options.parse(new String[] {"batch", "--work-units", "5", "--fault", "work-after-done"});
    assertEquals(Options.Command.BATCH, batch.command());
    assertEquals(5, batch.workUnits());
    assertEquals(Options.Fault.WORK_AFTER_DONE, batch.fault());
    Options serve = Options.parse(new String[] {"serve", "--listen", "127.0.0.1:8080", "--delay-ms", "7"});
    assertEquals(8080, serve.listen().getPort());
    assertEquals("127.0.0.1", serve.listen().getHostString());
    assertEquals(7, serve.delayMs());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "batch",
        "batch --work-units -1",
        "batch --work-units abc",
        "batch --work-units 1 --fault nosuch",
        "batch --work-units 1 --fault none",
        "batch --work-units 1 --frobnicate 1",
        "batch --work-units",
        "serve --listen nohostport",
        "serve --listen 127.0.0.1:0",
        "serve --listen 127.0.0.1:65536",
        "serve",
        "nosuch"
      })
  void usageErrorsExit2WithOneErrorLine(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    assertThrows(Options.UsageException.class, () -> Options.parse(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out), new PrintStream(err));
    assertEquals(2, status);
    assertEquals(0, out.size());
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("null: "));
  }
}
