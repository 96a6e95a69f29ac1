package io.throttlenet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An API on 127.0.0.1 (ephemeral port) as strict as a provider can be: at most {@code requests}
 * calls AND {@code tokens} tokens accepted in any window of length {@code window} (an exact
 * sliding log; a call says its tokens in an {@code x-tokens} header). Over the limit it answers
 * 429 with {@code retry-after-ms} (until the call would fit) and does not count the call; a share
 * of calls is answered 503 before the window sees them. Every answer carries OpenAI-style {@code
 * x-ratelimit-{limit,remaining,reset}-{requests,tokens}} headers. Counts what it accepted and
 * refused from a {@link #mark()} on. Independent of throttle-net on purpose. Thread-safe.
 */
final class WindowServer implements AutoCloseable {
  private final long requestLimit;
  private final long tokenLimit;
  private final long windowNanos;
  private final double unavailable;
  private final HttpServer server;
  private final ExecutorService workers;

  // guarded by this
  private final ArrayDeque<long[]> accepted = new ArrayDeque<>(); // {arrival, tokens}, oldest first
  private long tokensInWindow;
  private long markedAt;
  private long firstAfterMark = Long.MAX_VALUE;
  private boolean sawFirst;
  private long countedRequests;
  private long countedTokens;
  private long counted429s;

  WindowServer(long requests, long tokens, Duration window, double unavailable) throws IOException {
    this.requestLimit = requests;
    this.tokenLimit = tokens;
    this.windowNanos = window.toNanos();
    this.unavailable = unavailable;
    this.server = Loopback.server(256);
    this.workers =
        Executors.newFixedThreadPool(
            40,
            r -> {
              Thread t = new Thread(r, "window-server");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
    mark();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat");
  }

  /** Counts from the first call accepted after now. */
  synchronized void mark() {
    markedAt = System.nanoTime();
    sawFirst = false;
    firstAfterMark = Long.MAX_VALUE;
    countedRequests = 0;
    countedTokens = 0;
    counted429s = 0;
  }

  /**
   * The share of the binding budget accepted from the first counted call until now: the larger
   * of requests and tokens accepted over what the window allows in that time.
   */
  synchronized double budgetUsed() {
    double windows = Math.max(1, (double) (System.nanoTime() - firstAfterMark) / windowNanos);
    return Math.max(
        countedRequests / (requestLimit * windows), countedTokens / (tokenLimit * windows));
  }

  synchronized long counted429s() {
    return counted429s;
  }

  synchronized long countedCalls() {
    return countedRequests + counted429s;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      long tokens;
      try {
        tokens = Long.parseLong(exchange.getRequestHeaders().getFirst("x-tokens"));
      } catch (RuntimeException e) {
        send(exchange, 400);
        return;
      }
      if (unavailable > 0 && ThreadLocalRandom.current().nextDouble() < unavailable) {
        send(exchange, 503);
        return;
      }
      boolean ok;
      synchronized (this) {
        long now = System.nanoTime();
        while (!accepted.isEmpty() && now - accepted.peekFirst()[0] >= windowNanos) {
          tokensInWindow -= accepted.pollFirst()[1];
        }
        ok = accepted.size() < requestLimit && tokensInWindow + tokens <= tokenLimit;
        boolean counted = now - markedAt >= 0;
        if (ok) {
          accepted.addLast(new long[] {now, tokens});
          tokensInWindow += tokens;
          if (counted) {
            if (!sawFirst) {
              sawFirst = true;
              firstAfterMark = now;
            }
            countedRequests++;
            countedTokens += tokens;
          }
        } else {
          if (counted && sawFirst) {
            counted429s++;
          }
          exchange
              .getResponseHeaders()
              .set("retry-after-ms", Long.toString(millis(untilFits(tokens, now))));
        }
        rateLimitHeaders(exchange, now);
      }
      send(exchange, ok ? 200 : 429);
    }
  }

  /** How long until enough of the oldest calls have left for one of {@code tokens} to fit. */
  private long untilFits(long tokens, long now) {
    long freedRequests = 0;
    long freedTokens = 0;
    for (long[] call : accepted) {
      freedRequests++;
      freedTokens += call[1];
      if (accepted.size() - freedRequests < requestLimit
          && tokensInWindow - freedTokens + tokens <= tokenLimit) {
        return call[0] + windowNanos - now;
      }
    }
    return windowNanos;
  }

  private void rateLimitHeaders(HttpExchange exchange, long now) {
    var h = exchange.getResponseHeaders();
    long reset = accepted.isEmpty() ? 0 : accepted.peekFirst()[0] + windowNanos - now;
    h.set("x-ratelimit-limit-requests", Long.toString(requestLimit));
    h.set(
        "x-ratelimit-remaining-requests",
        Long.toString(Math.max(0, requestLimit - accepted.size())));
    h.set("x-ratelimit-reset-requests", millis(reset) + "ms");
    h.set("x-ratelimit-limit-tokens", Long.toString(tokenLimit));
    h.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, tokenLimit - tokensInWindow)));
    h.set("x-ratelimit-reset-tokens", millis(reset) + "ms");
  }

  private static long millis(long nanos) {
    return Math.max(0, (nanos + 999_999) / 1_000_000);
  }

  private static void send(HttpExchange exchange, int status) throws IOException {
    byte[] body = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
