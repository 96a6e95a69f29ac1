package io.throttlenet.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service on loopback with a hidden capacity: {@code servers} calls in service at once, each
 * taking {@code serviceMillis} ± 10 %, up to {@code queue} more waiting in arrival order, and a
 * fast {@code 503} for the rest. Deliberately independent of throttle-net. Thread-safe.
 */
final class CapacityServer implements AutoCloseable {
  private final long serviceMillis;
  private final int queue;
  private final Semaphore inService;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final HttpServer server;
  private final ExecutorService workers;

  CapacityServer(int servers, long serviceMillis, int queue) throws IOException {
    this.serviceMillis = serviceMillis;
    this.queue = queue;
    this.inService = new Semaphore(servers, true);
    this.server = LoopbackServer.create(256);
    this.workers = Executors.newFixedThreadPool(servers + queue + 32);
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/work");
  }

  long served() {
    return served.get();
  }

  long refused() {
    return refused.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      if (!inService.tryAcquire()) {
        if (waiting.incrementAndGet() > queue) {
          waiting.decrementAndGet();
          refused.incrementAndGet();
          exchange.sendResponseHeaders(503, -1);
          return;
        }
        try {
          inService.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          exchange.sendResponseHeaders(503, -1);
          return;
        } finally {
          waiting.decrementAndGet();
        }
      }
      try {
        double jitter = 1 + 0.1 * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        Thread.sleep((long) (serviceMillis * jitter));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inService.release();
      }
      served.incrementAndGet();
      // No body: headers and body written apart meet Nagle's algorithm and a delayed ACK,
      // which added about 40 ms to every response
      exchange.sendResponseHeaders(200, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
