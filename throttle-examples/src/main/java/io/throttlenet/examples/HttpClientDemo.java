package io.throttlenet.examples;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.http.ThrottledHttpClient;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ThrottledHttpClient} against a real HTTP server: a local API enforcing 48 requests AND
 * 4,800 tokens per second in an exact sliding window, answering 429 with {@code retry-after-ms}
 * and OpenAI-style {@code x-ratelimit-*} headers on every response, and 1 % of calls 503. 32
 * callers spend it through one client, configured at the server's limit or four times too high,
 * with and without header sync (adopting the server's stated limit). Each call is the client's
 * own: its retry (up to 10 attempts) after the server's hint is all the caller does. Prints, per
 * scenario, the calls made and lost, the 429s drawn and the share of the binding budget used; for
 * a client configured too high, counted from the end of the first window on (the first window's
 * burst is its lesson).
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.HttpClientDemo [-Dexec.args=10]} (seconds per
 * scenario, default 10).
 */
public final class HttpClientDemo {
  static final long REQUESTS = 48;
  static final long TOKENS = 4_800;
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final int CALLERS = 32;
  static final double UNAVAILABLE = 0.01;

  /** How the client is configured. */
  enum Scenario {
    BUCKETS_AT_LIMIT(false, 1, false),
    BUCKETS_AT_LIMIT_SYNC(false, 1, true),
    WINDOW_AT_LIMIT(true, 1, false),
    WINDOW_AT_LIMIT_SYNC(true, 1, true),
    BUCKETS_4X_TOO_HIGH(false, 4, false),
    BUCKETS_4X_TOO_HIGH_SYNC(false, 4, true),
    WINDOW_4X_TOO_HIGH_SYNC(true, 4, true);

    /** A {@link ServerWindow} rather than token buckets. */
    final boolean window;

    final long overstated;
    final boolean sync;

    Scenario(boolean window, long overstated, boolean sync) {
      this.window = window;
      this.overstated = overstated;
      this.sync = sync;
    }

    String label() {
      return (window ? "ServerWindow" : "token buckets")
          + (overstated > 1 ? ", " + overstated + "x too high" : ", at the limit")
          + (sync ? ", sync" : "");
    }
  }

  /** What a scenario achieved, as the server counted it. */
  record Figures(
      Scenario scenario,
      long calls,
      long lost,
      long tooManyRequests,
      long counted429s,
      long countedCalls,
      double requestsUsed,
      double tokensUsed) {
    double budgetUsed() {
      return Math.max(requestsUsed, tokensUsed);
    }

    /** 429s per call reaching the server, in the counted period. */
    double tooManyRequestsShare() {
      return countedCalls == 0 ? 0 : (double) counted429s / countedCalls;
    }
  }

  private HttpClientDemo() {}

  public static void main(String[] args) throws Exception {
    Duration each = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
    System.out.printf(
        "API: %d requests and %,d tokens per %s, exact sliding window, %.0f%% of calls 503;"
            + " %d callers, %s each%n%n",
        REQUESTS, TOKENS, WINDOW, UNAVAILABLE * 100, CALLERS, each);
    run(Scenario.WINDOW_AT_LIMIT_SYNC, Duration.ofSeconds(2)); // warm up the JIT, client and server
    System.out.printf(
        "%-42s %7s %6s %6s %15s %9s %9s%n",
        "client", "calls", "lost", "429s", "429s counted", "requests", "tokens");
    for (Scenario s : Scenario.values()) {
      Figures f = run(s, each);
      System.out.printf(
          "%-42s %7d %6d %6d %7d (%4.2f%%) %8.1f%% %8.1f%%%n",
          s.label(),
          f.calls(),
          f.lost(),
          f.tooManyRequests(),
          f.counted429s(),
          100 * f.tooManyRequestsShare(),
          100 * f.requestsUsed(),
          100 * f.tokensUsed());
    }
    System.out.println(
        "\n429s counted, requests, tokens: as the server counted them, from its first call on"
            + " (from the end of the first window for a client configured too high);"
            + " lost: calls that did not end in a 200");
  }

  /** Runs one scenario for {@code duration} against a fresh server. */
  static Figures run(Scenario s, Duration duration) throws Exception {
    try (SlidingWindowApi api = new SlidingWindowApi(REQUESTS, TOKENS, WINDOW, 2, UNAVAILABLE)) {
      ThrottledHttpClient client = client(s);
      AtomicLong calls = new AtomicLong();
      AtomicLong lost = new AtomicLong();
      AtomicLong tooMany = new AtomicLong();
      api.startCounting();
      long start = System.nanoTime();
      long deadline = start + duration.toNanos();
      List<Thread> callers = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (System.nanoTime() - deadline < 0) {
                    calls.incrementAndGet();
                    if (!call(client, api)) {
                      lost.incrementAndGet();
                    }
                  }
                },
                "caller-" + i);
        t.start();
        callers.add(t);
      }
      long total429s = 0;
      if (s.overstated > 1) {
        Thread.sleep(WINDOW.toMillis() + 100); // the first window's burst is where it learns
        total429s = api.rejected();
        api.startCounting();
        Thread.sleep(Math.max(0, duration.toMillis() - WINDOW.toMillis() - 100));
      } else {
        Thread.sleep(duration.toMillis());
      }
      api.stopCounting();
      for (Thread t : callers) {
        t.join();
      }
      long counted429s = api.rejected();
      total429s += counted429s;
      double windows = (double) api.countedNanos() / WINDOW.toNanos();
      long countedCalls = api.acceptedRequests() + counted429s;
      return new Figures(
          s,
          calls.get(),
          lost.get(),
          total429s,
          counted429s,
          countedCalls,
          api.acceptedRequests() / (REQUESTS * windows),
          api.acceptedTokens() / (TOKENS * windows));
    }
  }

  /**
   * The client as a user would configure it from the published quota: a token bucket per
   * dimension (burst = the limit) or a {@link ServerWindow}, retries after the server's hints,
   * and for the sync scenarios a header sync adopting the limit the server states.
   */
  static ThrottledHttpClient client(Scenario s) {
    EventRegistry events = EventRegistry.create(); // the limiter's and the sync's, shared
    ThrottledHttpClient.Builder b =
        ThrottledHttpClient.builder(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    if (s.window) {
      ServerWindow window =
          ServerWindow.builder()
              .dimension("requests", REQUESTS * s.overstated, WINDOW)
              .dimension("tokens", TOKENS * s.overstated, WINDOW)
              .events(events)
              .build();
      b.limiter(window);
      if (s.sync) {
        // this client is the key's only user: the limit the server states is the one to keep
        b.headerSync(HeaderSync.builder(window).adoptServerLimit(true).events(events).build());
      }
    } else {
      MultiLimiter llm =
          MultiLimiter.builder()
              .dimension(
                  "requests",
                  Throttle.builder().rate(REQUESTS * s.overstated, WINDOW).events(events).build())
              .dimension(
                  "tokens",
                  Throttle.builder().rate(TOKENS * s.overstated, WINDOW).events(events).build())
              .events(events)
              .build();
      b.limiter(llm);
      if (s.sync) {
        // this client is the key's only user: the limit the server states is the one to keep
        b.headerSync(HeaderSync.builder(llm).adoptServerLimit(true).events(events).build());
      }
    }
    b.costs(
            request ->
                Costs.of(
                    "requests",
                    1,
                    "tokens",
                    Long.parseLong(request.headers().firstValue("x-tokens").orElse("0"))))
        .retry(
            Retry.builder()
                .maxAttempts(10)
                .backoff(
                    Backoff.exponential(Duration.ofMillis(50), 2).withMax(Duration.ofSeconds(1)))
                .events(events)
                .build())
        .events(events);
    return b.build();
  }

  /** One call of 50 to 150 tokens; true if it ended in a 200. */
  private static boolean call(ThrottledHttpClient client, SlidingWindowApi api) {
    long tokens = 50 + ThreadLocalRandom.current().nextLong(101);
    HttpRequest request =
        HttpRequest.newBuilder(api.endpoint())
            .header("x-tokens", Long.toString(tokens))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }
}
