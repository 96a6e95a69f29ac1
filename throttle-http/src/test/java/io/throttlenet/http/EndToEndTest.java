package io.throttlenet.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The client against an exact sliding-window API on loopback, in real time: 32 callers, one
 * client. The bounds are loose on purpose (the runnable {@code HttpClientDemo} prints the real
 * figures): they catch a client that stops throttling, following the server or retrying, not a
 * loaded machine. A call is lost if it does not end in a 200 within its retries.
 */
class EndToEndTest {
  private static final long REQUESTS = 48;
  private static final long TOKENS = 4_800;
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final Duration RUN = Duration.ofSeconds(4);
  private static final int CALLERS = 32;

  /** Token buckets at {@code overstated} times the server's limits, with or without sync. */
  private static ThrottledHttpClient client(long overstated, boolean sync) {
    EventRegistry events = EventRegistry.create();
    MultiLimiter llm =
        MultiLimiter.builder()
            .dimension(
                "requests",
                Throttle.builder().rate(REQUESTS * overstated, WINDOW).events(events).build())
            .dimension(
                "tokens",
                Throttle.builder().rate(TOKENS * overstated, WINDOW).events(events).build())
            .events(events)
            .build();
    ThrottledHttpClient.Builder b = common(events).limiter(llm);
    if (sync) {
      b.headerSync(HeaderSync.builder(llm).adoptServerLimit(true).events(events).build());
    }
    return b.build();
  }

  /** A {@link ServerWindow} at the server's limits, following its headers. */
  private static ThrottledHttpClient windowClient() {
    EventRegistry events = EventRegistry.create();
    ServerWindow window =
        ServerWindow.builder()
            .dimension("requests", REQUESTS, WINDOW)
            .dimension("tokens", TOKENS, WINDOW)
            .events(events)
            .build();
    return common(events).limiter(window).syncHeaders().build();
  }

  private static ThrottledHttpClient.Builder common(EventRegistry events) {
    return ThrottledHttpClient.builder(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        .costs(
            r ->
                Costs.of(
                    "requests",
                    1,
                    "tokens",
                    Long.parseLong(r.headers().firstValue("x-tokens").orElseThrow())))
        .retry(
            Retry.builder()
                .maxAttempts(20)
                .backoff(
                    Backoff.exponential(Duration.ofMillis(50), 2).withMax(Duration.ofSeconds(1)))
                .events(events)
                .build())
        .events(events);
  }

  private static HttpRequest request(WindowServer server) {
    long tokens = 50 + ThreadLocalRandom.current().nextLong(101);
    return HttpRequest.newBuilder(server.uri())
        .header("x-tokens", Long.toString(tokens))
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hello\"}"))
        .build();
  }

  /** Callers that each send, wait for the answer and send again until the run ends. */
  private static long[] runBlocking(
      ThrottledHttpClient client, WindowServer server, Duration markAfter) throws Exception {
    AtomicLong calls = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    long deadline = System.nanoTime() + RUN.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Thread t =
          new Thread(
              () -> {
                while (System.nanoTime() - deadline < 0) {
                  calls.incrementAndGet();
                  try {
                    if (client
                            .send(request(server), HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                        != 200) {
                      lost.incrementAndGet();
                    }
                  } catch (Exception e) {
                    lost.incrementAndGet();
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    if (!markAfter.isZero()) {
      Thread.sleep(markAfter.toMillis()); // real time is the point here: the server's window
      server.mark();
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
    return new long[] {calls.get(), lost.get()};
  }

  @Test
  void atTheServersLimit_withSync_usesMostOfTheBudget_drawsFew429s_losesNoCall() throws Exception {
    try (WindowServer server = new WindowServer(REQUESTS, TOKENS, WINDOW, 0.01)) {
      long[] r = runBlocking(client(1, true), server, Duration.ZERO);
      assertThat(r[1]).as("calls lost").isZero();
      assertThat(server.budgetUsed()).as("binding budget used").isGreaterThan(0.7);
      assertThat(server.counted429s())
          .as("429s")
          .isLessThanOrEqualTo(Math.max(5, server.countedCalls() / 10));
    }
  }

  @Test
  void serverWindow_atTheServersLimit_usesNearlyAllTheBudget_withoutA429() throws Exception {
    try (WindowServer server = new WindowServer(REQUESTS, TOKENS, WINDOW, 0.01)) {
      long[] r = runBlocking(windowClient(), server, Duration.ZERO);
      assertThat(r[1]).as("calls lost").isZero();
      assertThat(server.budgetUsed()).as("binding budget used").isGreaterThan(0.8);
      assertThat(server.counted429s()).as("429s").isLessThanOrEqualTo(5);
    }
  }

  @Test
  void fourTimesTooHigh_withSync_draws429sOnlyWhileLearning() throws Exception {
    try (WindowServer server = new WindowServer(REQUESTS, TOKENS, WINDOW, 0)) {
      long[] r = runBlocking(client(4, true), server, WINDOW.plusMillis(200));
      assertThat(r[1]).as("calls lost").isZero();
      assertThat(server.counted429s())
          .as("429s after the first window")
          .isLessThanOrEqualTo(Math.max(5, server.countedCalls() / 20));
    }
  }

  @Test
  void asyncCallers_atTheServersLimit_loseNoCall_andHoldNoThreadWhileWaiting() throws Exception {
    try (WindowServer server = new WindowServer(REQUESTS, TOKENS, WINDOW, 0.01)) {
      ThrottledHttpClient client = windowClient();
      AtomicLong calls = new AtomicLong();
      AtomicLong lost = new AtomicLong();
      long deadline = System.nanoTime() + RUN.toNanos();
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loops.add(done);
        loop(client, server, deadline, calls, lost, done);
      }
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(lost.get()).as("calls lost").isZero();
      assertThat(calls.get()).isGreaterThan(REQUESTS * 2); // beyond the first window's burst
      assertThat(server.budgetUsed()).as("binding budget used").isGreaterThan(0.6);
      assertThat(server.counted429s()).as("429s").isLessThanOrEqualTo(5);
    }
  }

  /** One asynchronous caller: each answer sends the next call, until the deadline. */
  private static void loop(
      ThrottledHttpClient client,
      WindowServer server,
      long deadline,
      AtomicLong calls,
      AtomicLong lost,
      CompletableFuture<Void> done) {
    if (System.nanoTime() - deadline >= 0) {
      done.complete(null);
      return;
    }
    calls.incrementAndGet();
    client
        .sendAsync(request(server), HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (failure != null || response.statusCode() != 200) {
                lost.incrementAndGet();
              }
              loop(client, server, deadline, calls, lost, done);
            });
  }
}
