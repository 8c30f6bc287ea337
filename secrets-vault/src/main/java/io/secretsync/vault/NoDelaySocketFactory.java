package io.secretsync.vault;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with Nagle's algorithm off. A request or an HTTP/2 frame sequence is often written
 * in more than one small segment; with Nagle on, the second waits for the server's delayed ACK
 * (up to 40 ms on Linux) on every request.
 */
final class NoDelaySocketFactory extends SocketFactory {

  private final SocketFactory delegate = SocketFactory.getDefault();

  @Override
  public Socket createSocket() throws IOException {
    return configure(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return configure(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return configure(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static Socket configure(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
