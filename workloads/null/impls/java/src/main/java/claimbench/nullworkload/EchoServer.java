package claimbench.nullworkload;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code null serve}: a line-echo service with a thread per connection. {@link #close()} may be called
 * from any thread; it stops {@link #serve()} and closes every connection.
 */
final class EchoServer implements Closeable {
  /** The longest request line, its newline included (SPEC.md). */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private final ServerSocket listener;
  private final long delayMs;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private EchoServer(ServerSocket listener, long delayMs) {
    this.listener = listener;
    this.delayMs = delayMs;
  }

  /** Binds and listens on {@code address} (resolved here); throws IOException if it cannot. */
  static EchoServer listen(InetSocketAddress address, long delayMs) throws IOException {
    ServerSocket listener = new ServerSocket();
    try {
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(address.getHostString(), address.getPort()));
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    return new EchoServer(listener, delayMs);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Accepts connections until {@link #close()}; each gets its own thread. */
  void serve() {
    while (!listener.isClosed()) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        continue; // closed (the loop ends), or one failed accept that affects only that connection
      }
      open.add(socket);
      Thread thread = new Thread(() -> echo(socket), "echo-" + socket.getPort());
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void echo(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      LineReader lines = new LineReader(in, MAX_LINE_BYTES);
      for (int length = lines.next(); length >= 0; length = lines.next()) {
        if (delayMs > 0) {
          Thread.sleep(delayMs);
        }
        out.write(lines.buffer(), lines.lineStart(), length);
      }
    } catch (IOException e) {
      // The client went away or the server is stopping: this connection is done.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // Closing is best effort; the process is about to exit.
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // Same: best effort.
      }
    }
  }
}
