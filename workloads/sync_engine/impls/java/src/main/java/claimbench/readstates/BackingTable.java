package claimbench.readstates;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * The backing store, Discord's Cassandra in miniature (SPEC.md, "Memory, eviction and write-back"): one
 * 16-byte record per key in a file the service never maps, read and written with positional I/O. By
 * default a file in /dev/shm deleted as soon as it is open, the JDK's nearest thing to an anonymous memfd: in
 * memory, outside the JVM's heap and resident set. Not thread-safe: the store's lock guards it.
 */
final class BackingTable implements AutoCloseable {
  private static final int RECORD = 16;
  private final FileChannel file;
  private final BitSet saved; // the keys whose record was written: loaded from here, not initial
  private final ByteBuffer record = ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN);

  BackingTable(long keys, Path path) throws IOException {
    if (path == null) {
      Path anonymous = Files.createTempFile(Path.of("/dev/shm"), "read-states-", ".table");
      file = FileChannel.open(anonymous, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Files.delete(anonymous);
    } else {
      file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }
    saved = new BitSet(Math.toIntExact(keys));
  }

  boolean wasSaved(long key) {
    return saved.get((int) key);
  }

  void save(long key, ReadState state) throws IOException {
    record.clear();
    record.putLong(state.lastReadMessageId).putLong(state.mentionCount).flip();
    while (record.hasRemaining()) {
      file.write(record, key * RECORD + record.position());
    }
    saved.set((int) key);
  }

  ReadState load(long key) throws IOException {
    record.clear();
    while (record.hasRemaining()) {
      if (file.read(record, key * RECORD + record.position()) < 0) {
        throw new IOException("backing table: short read of key " + key);
      }
    }
    record.flip();
    return new ReadState(record.getLong(), (int) record.getLong());
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
