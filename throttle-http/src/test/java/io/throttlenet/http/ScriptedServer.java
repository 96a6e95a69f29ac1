package io.throttlenet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 (ephemeral port) that answers each request with the next scripted reply,
 * then with 200 {@code {"ok":true}} once the script is spent. Replies can set any status and
 * headers, drop the connection without answering, or hold the request until released. Counts
 * the requests that reached it and those whose connection the client closed while held.
 * Thread-safe.
 */
final class ScriptedServer implements AutoCloseable {
  /** One reply to one request. */
  @FunctionalInterface
  interface Reply {
    void answer(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService workers;
  private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch arrived = new CountDownLatch(1);

  ScriptedServer() throws IOException {
    server = Loopback.server(64);
    workers =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "scripted-server");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/call");
  }

  ScriptedServer then(Reply... replies) {
    for (Reply r : replies) {
      script.add(r);
    }
    return this;
  }

  /** Forgets the script and the count: a fresh start for the next example of a property. */
  void reset() {
    script.clear();
    requests.set(0);
  }

  int requests() {
    return requests.get();
  }

  /** Waits (a hand-shake, not a timing device) until a first request has arrived. */
  void awaitFirstRequest() throws InterruptedException {
    if (!arrived.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no request arrived");
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    requests.incrementAndGet();
    arrived.countDown();
    Reply reply = script.poll();
    if (reply == null) {
      reply = status(200);
    }
    try {
      reply.answer(exchange);
    } finally {
      exchange.close();
    }
  }

  /** A reply of {@code status} with a small JSON body and {@code headers} (name, value, ...). */
  static Reply status(int status, String... headers) {
    return body(status, status < 300 ? "{\"ok\":true}" : "{\"error\":" + status + "}", headers);
  }

  static Reply body(int status, String json, String... headers) {
    return exchange -> {
      for (int i = 0; i + 1 < headers.length; i += 2) {
        exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
      }
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    };
  }

  /** Drops the connection without a response: the server's handler fails. */
  static Reply dropConnection() {
    return exchange -> {
      throw new IOException("dropped on purpose");
    };
  }

  /** Holds the request until {@code release} opens, then answers 200. */
  static Reply hold(CountDownLatch held, CountDownLatch release) {
    return exchange -> {
      held.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      status(200).answer(exchange);
    };
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
