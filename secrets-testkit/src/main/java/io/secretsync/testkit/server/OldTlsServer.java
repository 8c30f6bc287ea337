package io.secretsync.testkit.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that speaks TLS as an old server does: to any ClientHello it answers with a ServerHello
 * that selects TLS 1.1 (or 1.0), the newest version it knows. A client with a TLS 1.2 minimum must
 * refuse that; one that goes on is counted in {@link #acceptedByClients()}. Written at the record
 * level so that it does not depend on which versions the JVM running it still enables. It never
 * completes a handshake or answers a request. Thread-safe; {@link #close()} stops it.
 */
public final class OldTlsServer implements AutoCloseable {

  private static final Map<String, Integer> VERSIONS = Map.of("TLSv1.1", 0x0302, "TLSv1", 0x0301);

  private final ServerSocket socket;
  private final int version;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  private OldTlsServer(ServerSocket socket, int version) {
    this.socket = socket;
    this.version = version;
    this.acceptor = new Thread(this::acceptLoop, "old-tls-server-" + socket.getLocalPort());
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /** Starts a server whose newest version is {@code version}: {@code "TLSv1.1"} or {@code "TLSv1"}. */
  public static OldTlsServer start(String version) {
    Integer wire = VERSIONS.get(version);
    if (wire == null) {
      throw new IllegalArgumentException("version must be TLSv1.1 or TLSv1, got " + version);
    }
    try {
      return new OldTlsServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), wire);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on loopback", e);
    }
  }

  /** {@code https://localhost:<port>}. */
  public String baseUrl() {
    return "https://localhost:" + socket.getLocalPort();
  }

  /** Clients that answered the old ServerHello with anything but an alert or a close. */
  public int acceptedByClients() {
    return accepted.get();
  }

  /** Clients that refused the old version (an alert, or closing the connection). */
  public int refusedByClients() {
    return refused.get();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        client.setSoTimeout(10_000);
        answer(client);
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private void answer(Socket client) throws IOException {
    DataInputStream in = new DataInputStream(client.getInputStream());
    int type = in.readUnsignedByte();
    in.readUnsignedShort();
    int length = in.readUnsignedShort();
    in.readFully(new byte[length]);
    if (type != 0x16) {
      return; // not a handshake record: not a TLS client
    }
    OutputStream out = client.getOutputStream();
    out.write(serverHello());
    out.flush();
    int next;
    try {
      next = in.read();
    } catch (IOException e) {
      next = -1;
    }
    if (next == -1 || next == 0x15) {
      refused.incrementAndGet();
    } else {
      accepted.incrementAndGet();
    }
  }

  /** One handshake record holding a ServerHello that selects {@link #version} and an RSA/AES-CBC suite. */
  private byte[] serverHello() {
    byte[] body = new byte[2 + 32 + 1 + 2 + 1];
    body[0] = (byte) (version >> 8);
    body[1] = (byte) version;
    for (int i = 0; i < 32; i++) {
      body[2 + i] = (byte) (i * 7 + 1);
    }
    body[34] = 0; // no session id
    body[35] = (byte) 0xC0; // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    body[36] = (byte) 0x13;
    body[37] = 0; // no compression
    byte[] record = new byte[5 + 4 + body.length];
    record[0] = 0x16;
    record[1] = (byte) (version >> 8);
    record[2] = (byte) version;
    record[3] = (byte) ((4 + body.length) >> 8);
    record[4] = (byte) (4 + body.length);
    record[5] = 0x02; // ServerHello
    record[6] = 0;
    record[7] = (byte) (body.length >> 8);
    record[8] = (byte) body.length;
    System.arraycopy(body, 0, record, 9, body.length);
    return record;
  }

  @Override
  public void close() {
    try {
      socket.close();
      acceptor.join(5_000);
    } catch (IOException e) {
      // closing a listening socket: nothing to do
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
