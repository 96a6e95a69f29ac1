package io.throttlenet.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The JDK's HTTP server on a free loopback port, configured as a real API would answer. */
final class LoopbackServer {
  static {
    // The JDK server writes a response's headers and body apart; with Nagle's algorithm on, the
    // body then waits for the client's delayed ACK (about 40 ms), which no real API adds. Read
    // once, when the JDK's server first loads, so it is set before any server is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private LoopbackServer() {}

  /** A new, not yet started server on 127.0.0.1 and a free port, with {@code backlog}. */
  static HttpServer create(int backlog) {
    try {
      return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
