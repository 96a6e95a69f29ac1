package io.throttlenet.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The JDK's HTTP server on a free loopback port, for the tests' servers. */
final class Loopback {
  static {
    // The JDK server writes a response's headers and body apart; with Nagle's algorithm on, the
    // body then waits for the client's delayed ACK (about 40 ms), which no real API adds. Read
    // once, when the JDK's server first loads, so it is set before any server is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private Loopback() {}

  static HttpServer server(int backlog) throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
  }
}
