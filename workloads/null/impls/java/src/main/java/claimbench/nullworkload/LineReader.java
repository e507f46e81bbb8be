package claimbench.nullworkload;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads {@code '\n'}-terminated lines from a stream into one reusable buffer, byte for byte (nothing
 * decoded or stripped), refusing lines longer than a limit. Not thread-safe: one per connection.
 */
final class LineReader {
  private final InputStream in;
  private final int maxLineBytes;
  private byte[] buffer = new byte[8192];
  private int start; // first byte not yet returned
  private int end; // one past the last byte read
  private int lineStart;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Reads the next line; returns its length, newline included, with its bytes at {@link #buffer()} from
   * {@link #lineStart()}, valid until the next call. Returns -1 at end of stream (a last line without its
   * newline is dropped) or when a line would exceed the limit. Throws what the stream throws.
   */
  int next() throws IOException {
    int scanFrom = start;
    while (true) {
      for (int i = scanFrom; i < end; i++) {
        if (buffer[i] == '\n') {
          lineStart = start;
          start = i + 1;
          return start - lineStart;
        }
      }
      if (end - start >= maxLineBytes) {
        return -1;
      }
      if (start > 0) { // keep the partial line, drop what was returned
        System.arraycopy(buffer, start, buffer, 0, end - start);
        end -= start;
        start = 0;
      }
      if (end == buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, maxLineBytes));
      }
      scanFrom = end;
      int read = in.read(buffer, end, buffer.length - end);
      if (read < 0) {
        return -1;
      }
      end += read;
    }
  }

  byte[] buffer() {
    return buffer;
  }

  int lineStart() {
    return lineStart;
  }
}
