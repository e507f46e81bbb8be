package claimbench.nullworkload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  private static List<String> lines(InputStream in, int max) throws IOException {
    LineReader reader = new LineReader(in, max);
    List<String> out = new ArrayList<>();
    for (int n = reader.next(); n >= 0; n = reader.next()) {
      out.add(new String(reader.buffer(), reader.lineStart(), n, StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @Test
  void keepsEveryByteAndDropsAnUnfinishedLastLine() throws IOException {
    byte[] data = "a\r\n\u00ff\u0000b\n\nlast".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(List.of("a\r\n", "\u00ff\u0000b\n", "\n"), lines(new ByteArrayInputStream(data), 100));
  }

  @Test
  void linesAcrossReadsAndBufferGrowth() throws IOException {
    String longLine = "x".repeat(20_000) + "\n";
    // One byte per read: every line is assembled across many reads.
    InputStream trickle =
        new ByteArrayInputStream((longLine + "y\n").getBytes(StandardCharsets.ISO_8859_1)) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };
    assertEquals(List.of(longLine, "y\n"), lines(trickle, 64 * 1024));
  }

  @Test
  void aLineOverTheLimitEndsTheStream() throws IOException {
    byte[] data = new byte[70 * 1024];
    Arrays.fill(data, (byte) 'z');
    assertEquals(List.of(), lines(new ByteArrayInputStream(data), 64 * 1024));
    byte[] exact = ("z".repeat(64 * 1024 - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(1, lines(new ByteArrayInputStream(exact), 64 * 1024).size(), "64 KiB with its newline is allowed");
  }
}
