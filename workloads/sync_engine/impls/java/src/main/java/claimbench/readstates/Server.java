package claimbench.readstates;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Serves the protocol with blocking sockets and a platform thread per connection (JDK 17 has no virtual
 * threads; the harness opens a few dozen connections). Each read's whole frames are answered in order, in one
 * write (pipelining).
 */
final class Server implements AutoCloseable {
  private static final int FRAMES_PER_READ = 256;
  private final ServerSocket listener;
  private final ReadStatesStore store;

  /** Listens on host:port. Throws IOException when the address cannot be listened on. */
  Server(String host, int port, ReadStatesStore store) throws IOException {
    this.store = store;
    listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(host, port), 1024);
  }

  /** Accepts connections until close(). */
  void serve() {
    while (!listener.isClosed()) {
      try {
        Socket connection = listener.accept();
        connection.setTcpNoDelay(true);
        Thread thread = new Thread(() -> answer(connection), "read-states-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        // closed by the shutdown hook, or one failed accept: the loop condition decides
      }
    }
  }

  private void answer(Socket connection) {
    byte[] input = new byte[FRAMES_PER_READ * Protocol.FRAME];
    ByteBuffer frames = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer answers = Protocol.frameBuffer(FRAMES_PER_READ);
    ReadState state = new ReadState(0, 0);
    try (connection;
        InputStream in = connection.getInputStream();
        OutputStream out = connection.getOutputStream()) {
      int filled = 0;
      for (int read; (read = in.read(input, filled, input.length - filled)) >= 0; ) {
        filled += read;
        int whole = filled - filled % Protocol.FRAME;
        answers.clear();
        for (int at = 0; at < whole; at += Protocol.FRAME) {
          Protocol.Request request = Protocol.Request.read(frames.position(at));
          if (!request.wellFormed()) { // answered, then the connection is closed unread
            Protocol.writeError(answers, Protocol.MALFORMED, request.op());
            out.write(answers.array(), 0, answers.position());
            return;
          }
          long key = store.keyOf(request.user(), request.channel());
          if (key < 0) {
            Protocol.writeError(answers, Protocol.OUTSIDE_KEY_SPACE, request.op());
            continue;
          }
          store.apply(request.op(), key, request.messageId(), state);
          Protocol.writeAnswer(answers, request.op(), request.user(), request.channel(), state);
        }
        out.write(answers.array(), 0, answers.position());
        System.arraycopy(input, whole, input, 0, filled - whole);
        filled -= whole;
      }
    } catch (IOException e) {
      // the client went away: its connection is done
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing for good: nothing left to do with it
    }
  }
}
