package io.throttlenet.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for an LLM provider's chat endpoint on loopback, strict the way real ones are: it
 * enforces requests and tokens per window (both refill continuously), answers {@code 429} with
 * {@code Retry-After} when either is exhausted, and reports its state in OpenAI-style {@code
 * x-ratelimit-*} headers on every response. A small share of requests fails with {@code 503}
 * before being counted, to give the retry something to do.
 *
 * <p>Protocol: {@code POST /v1/chat/completions} with {@code {"prompt_tokens":N,"max_tokens":M}};
 * the answer's {@code usage} says how many tokens the completion really took (between a quarter
 * of {@code M} and {@code M}); the provider charges prompt plus completion tokens.
 *
 * <p>It is deliberately independent of throttle-net (its own small buckets), so the demo's client
 * and server do not share any code that could hide a bug. Thread-safe.
 */
final class SimulatedLlmProvider implements AutoCloseable {
  private static final Pattern FIELD = Pattern.compile("\"(prompt_tokens|max_tokens)\"\\s*:\\s*(\\d+)");

  /** The provider's published limits: {@code requests} and {@code tokens} per {@code window}. */
  record Limits(long requests, long tokens, Duration window) {}

  private final Limits limits;
  private final double unavailableShare;
  private final HttpServer server;
  private final ExecutorService workers;
  private final Bucket requests;
  private final Bucket tokens;
  private volatile long lastRemainingTokens;
  private final long startedAt = System.nanoTime();
  private final java.util.concurrent.ConcurrentLinkedQueue<Answer> answers =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** One answer the provider gave: when (since it started), its status and the tokens charged. */
  record Answer(long nanos, int status, long tokens) {}

  SimulatedLlmProvider(Limits limits, double unavailableShare) throws IOException {
    this.limits = limits;
    this.unavailableShare = unavailableShare;
    this.requests = new Bucket(limits.requests(), limits.window());
    this.tokens = new Bucket(limits.tokens(), limits.window());
    this.lastRemainingTokens = limits.tokens();
    this.server = LoopbackServer.create(64);
    this.workers = Executors.newFixedThreadPool(32, r -> {
      Thread t = new Thread(r, "llm-provider");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(workers);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  /** The endpoint's address. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions");
  }

  Limits limits() {
    return limits;
  }

  /** Every answer given to a chat request so far, in no particular order. */
  java.util.List<Answer> answers() {
    return java.util.List.copyOf(answers);
  }

  private void answered(int status, long tokens) {
    answers.add(new Answer(System.nanoTime() - startedAt, status, tokens));
  }

  /** The token count the provider reported as remaining in its latest answer. */
  long lastRemainingTokens() {
    return lastRemainingTokens;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      long prompt = -1;
      long max = -1;
      Matcher m = FIELD.matcher(body);
      while (m.find()) {
        if (m.group(1).equals("prompt_tokens")) {
          prompt = Long.parseLong(m.group(2));
        } else {
          max = Long.parseLong(m.group(2));
        }
      }
      if (prompt < 0 || max < 1) {
        send(exchange, 400, "{\"error\":\"prompt_tokens and max_tokens are required\"}");
        return;
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (random.nextDouble() < unavailableShare) {
        answered(503, 0);
        send(exchange, 503, "{\"error\":\"overloaded, try again\"}");
        return;
      }
      long completion = max / 4 + random.nextLong(max - max / 4 + 1);
      long total = prompt + completion;
      long waitNanos;
      synchronized (this) {
        long now = System.nanoTime();
        waitNanos = Math.max(requests.waitNanos(1, now), tokens.waitNanos(total, now));
        if (waitNanos == 0) {
          requests.take(1, now);
          tokens.take(total, now);
        }
        headers(exchange, now);
      }
      if (waitNanos > 0) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        exchange.getResponseHeaders().set("retry-after", Long.toString(seconds));
        answered(429, 0);
        send(exchange, 429, "{\"error\":{\"type\":\"rate_limit_exceeded\"}}");
        return;
      }
      answered(200, total);
      sleep(20 + random.nextInt(60)); // generating
      send(exchange, 200, "{\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
          + ",\"total_tokens\":" + total + "}}");
    }
  }

  private void headers(HttpExchange exchange, long now) {
    var h = exchange.getResponseHeaders();
    long remainingTokens = tokens.available(now);
    lastRemainingTokens = remainingTokens;
    h.set("x-ratelimit-limit-requests", Long.toString(limits.requests()));
    h.set("x-ratelimit-remaining-requests", Long.toString(requests.available(now)));
    h.set("x-ratelimit-reset-requests", resetFormat(requests.nanosUntilFull(now)));
    h.set("x-ratelimit-limit-tokens", Long.toString(limits.tokens()));
    h.set("x-ratelimit-remaining-tokens", Long.toString(remainingTokens));
    h.set("x-ratelimit-reset-tokens", resetFormat(tokens.nanosUntilFull(now)));
  }

  /** OpenAI's reset format: {@code 850ms}, {@code 1.5s}, {@code 6m0s}. */
  static String resetFormat(long nanos) {
    long ms = nanos / 1_000_000;
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    return (ms / 60_000) + "m" + (ms % 60_000) / 1000 + "s";
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A continuously refilling budget of {@code capacity} per {@code window}; guarded by the provider. */
  private static final class Bucket {
    private final long capacity;
    private final double perNano;
    private double level;
    private long at;

    Bucket(long capacity, Duration window) {
      this.capacity = capacity;
      this.perNano = capacity / (double) window.toNanos();
      this.level = capacity;
      this.at = System.nanoTime();
    }

    private void refill(long now) {
      level = Math.min(capacity, level + (now - at) * perNano);
      at = now;
    }

    long waitNanos(long amount, long now) {
      refill(now);
      return level >= amount ? 0 : (long) Math.ceil((amount - level) / perNano);
    }

    void take(long amount, long now) {
      refill(now);
      level -= amount;
    }

    long available(long now) {
      refill(now);
      return (long) level;
    }

    long nanosUntilFull(long now) {
      refill(now);
      return (long) ((capacity - level) / perNano);
    }
  }
}
