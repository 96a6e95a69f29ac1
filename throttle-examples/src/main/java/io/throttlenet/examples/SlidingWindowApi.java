package io.throttlenet.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An API on loopback that enforces requests AND tokens per window in an exact sliding window (as
 * strict as any real provider can be), and reports its state on every response in OpenAI-style
 * headers: {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, where a reset is the
 * time until the window next frees room (rounded up to the millisecond). Over the limit it answers
 * {@code 429} with {@code retry-after-ms}. A call says its token cost in an {@code x-tokens}
 * request header. A rejected call is not counted.
 *
 * <p>Deliberately independent of throttle-net, so client and server share no code that could
 * hide a bug. Thread-safe.
 */
final class SlidingWindowApi implements AutoCloseable {
  private final long requestLimit;
  private final long tokenLimit;
  private final long window;
  private final long serviceMillis;
  private final double unavailableShare;
  private final HttpServer server;
  private final ExecutorService workers;

  // guarded by this: accepted calls in the window, oldest first, as {time, tokens}
  private final ArrayDeque<long[]> log = new ArrayDeque<>();
  private long tokensInWindow;
  private long acceptedRequests;
  private long acceptedTokens;
  private long rejected;
  private long countFrom = Long.MIN_VALUE;
  private boolean firstAccepted = true;
  private long countUntil = Long.MAX_VALUE;

  SlidingWindowApi(long requestLimit, long tokenLimit, Duration window, long serviceMillis)
      throws IOException {
    this(requestLimit, tokenLimit, window, serviceMillis, 0);
  }

  /**
   * Like the plain constructor; besides, a share {@code unavailableShare} of calls is answered
   * {@code 503} (without a hint) before the window sees them: they are not counted.
   */
  SlidingWindowApi(
      long requestLimit, long tokenLimit, Duration window, long serviceMillis, double unavailableShare)
      throws IOException {
    this.unavailableShare = unavailableShare;
    this.requestLimit = requestLimit;
    this.tokenLimit = tokenLimit;
    this.window = window.toNanos();
    this.serviceMillis = serviceMillis;
    this.server = LoopbackServer.create(256);
    this.workers =
        Executors.newFixedThreadPool(
            48,
            r -> {
              Thread t = new Thread(r, "sliding-window-api");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(workers);
    server.createContext("/v1/call", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/call");
  }

  /**
   * Counts accepted calls from the first one accepted after now until {@link #stopCounting()}:
   * the budget a client could use is the one from its first call on.
   */
  synchronized void startCounting() {
    countFrom = Long.MAX_VALUE;
    firstAccepted = false;
    countUntil = Long.MAX_VALUE;
    acceptedRequests = 0;
    acceptedTokens = 0;
    rejected = 0;
  }

  synchronized void stopCounting() {
    countUntil = System.nanoTime();
  }

  /**
   * Counts for {@code duration} while {@code callers} run, each on a thread of its own, and waits
   * for them to return: each must stop by itself, at its own deadline.
   */
  void runCounting(List<Runnable> callers, Duration duration) throws InterruptedException {
    startCounting();
    List<Thread> threads = new ArrayList<>();
    for (Runnable caller : callers) {
      Thread t = new Thread(caller, "caller-" + threads.size());
      t.start();
      threads.add(t);
    }
    Thread.sleep(duration.toMillis());
    stopCounting();
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Nanoseconds from the first counted call to {@link #stopCounting()}. */
  synchronized long countedNanos() {
    return countUntil - countFrom;
  }

  synchronized long acceptedRequests() {
    return acceptedRequests;
  }

  synchronized long acceptedTokens() {
    return acceptedTokens;
  }

  synchronized long rejected() {
    return rejected;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      long tokens;
      try {
        tokens = Long.parseLong(exchange.getRequestHeaders().getFirst("x-tokens"));
      } catch (RuntimeException e) {
        send(exchange, 400, "{\"error\":\"x-tokens is required\"}");
        return;
      }
      if (unavailableShare > 0
          && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < unavailableShare) {
        send(exchange, 503, "{\"error\":\"overloaded, try again\"}");
        return;
      }
      boolean accepted;
      synchronized (this) {
        long now = System.nanoTime();
        expire(now);
        accepted = log.size() + 1 <= requestLimit && tokensInWindow + tokens <= tokenLimit;
        if (accepted) {
          if (!firstAccepted) {
            firstAccepted = true;
            countFrom = now;
          }
          log.addLast(new long[] {now, tokens});
          tokensInWindow += tokens;
          if (now - countFrom >= 0 && countUntil - now > 0) {
            acceptedRequests++;
            acceptedTokens += tokens;
          }
        } else {
          if (now - countFrom >= 0 && countUntil - now > 0) {
            rejected++;
          }
          exchange
              .getResponseHeaders()
              .set("retry-after-ms", Long.toString(ceilMillis(untilFits(tokens, now))));
        }
        headers(exchange, now);
      }
      if (!accepted) {
        send(exchange, 429, "{\"error\":{\"type\":\"rate_limit_exceeded\"}}");
        return;
      }
      if (serviceMillis > 0) {
        try {
          Thread.sleep(serviceMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      send(exchange, 200, "{\"ok\":true}");
    }
  }

  private void expire(long now) {
    while (!log.isEmpty() && now - log.peekFirst()[0] >= window) {
      tokensInWindow -= log.pollFirst()[1];
    }
  }

  /** How long until a call of {@code tokens} would fit: enough of the oldest must leave. */
  private long untilFits(long tokens, long now) {
    long requestsOver = log.size() + 1 - requestLimit;
    long tokensOver = tokensInWindow + tokens - tokenLimit;
    long freedRequests = 0;
    long freedTokens = 0;
    for (long[] e : log) {
      if (freedRequests >= requestsOver && freedTokens >= tokensOver) {
        break;
      }
      freedRequests++;
      freedTokens += e[1];
      if (freedRequests >= requestsOver && freedTokens >= tokensOver) {
        return e[0] + window - now;
      }
    }
    return window;
  }

  private void headers(HttpExchange exchange, long now) {
    var h = exchange.getResponseHeaders();
    long next = log.isEmpty() ? 0 : log.peekFirst()[0] + window - now; // the next room to free
    h.set("x-ratelimit-limit-requests", Long.toString(requestLimit));
    h.set("x-ratelimit-remaining-requests", Long.toString(Math.max(0, requestLimit - log.size())));
    h.set("x-ratelimit-reset-requests", goDuration(next));
    h.set("x-ratelimit-limit-tokens", Long.toString(tokenLimit));
    h.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, tokenLimit - tokensInWindow)));
    h.set("x-ratelimit-reset-tokens", goDuration(next));
  }

  private static long ceilMillis(long nanos) {
    return Math.max(0, (nanos + 999_999) / 1_000_000);
  }

  /** OpenAI's format, rounded up to the millisecond: {@code 20ms}, {@code 1.5s}. */
  static String goDuration(long nanos) {
    long ms = ceilMillis(nanos);
    return ms < 1_000 ? ms + "ms" : (ms / 1000) + "." + String.format("%03d", ms % 1000) + "s";
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
