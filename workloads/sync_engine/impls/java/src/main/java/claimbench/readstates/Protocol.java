package claimbench.readstates;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The 32-byte frames (SPEC.md, "Frames"), little-endian. */
final class Protocol {
  static final int FRAME = 32;
  static final int GET = 1;
  static final int ACK = 2;
  static final int MENTION = 3;
  static final int OK = 0;
  static final int MALFORMED = 1;
  static final int OUTSIDE_KEY_SPACE = 2;

  private Protocol() {}

  /** One request, read from a little-endian buffer of at least 32 bytes at its position. */
  record Request(int op, long user, long channel, long messageId, boolean wellFormed) {
    static Request read(ByteBuffer frame) {
      int op = frame.get() & 0xFF;
      boolean zeros = true;
      for (int i = 1; i < 8; i++) {
        zeros &= frame.get() == 0;
      }
      long user = frame.getLong();
      long channel = frame.getLong();
      long messageId = frame.getLong();
      boolean known = op == GET || op == ACK || op == MENTION;
      return new Request(op, user, channel, messageId, zeros && known && (op == ACK || messageId == 0));
    }
  }

  static void writeAnswer(ByteBuffer out, int op, long user, long channel, ReadState state) {
    out.put((byte) OK).put((byte) op).putShort((short) 0).putInt(state.mentionCount);
    out.putLong(user).putLong(channel).putLong(state.lastReadMessageId);
  }

  /** A status-1 or status-2 frame: the request's op echoed, everything else zero. */
  static void writeError(ByteBuffer out, int status, int op) {
    out.put((byte) status).put((byte) op);
    for (int i = 2; i < FRAME; i++) {
      out.put((byte) 0);
    }
  }

  static ByteBuffer frameBuffer(int frames) {
    return ByteBuffer.allocate(frames * FRAME).order(ByteOrder.LITTLE_ENDIAN);
  }
}
