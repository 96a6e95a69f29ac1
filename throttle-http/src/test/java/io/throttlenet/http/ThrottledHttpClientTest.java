package io.throttlenet.http;

import static io.throttlenet.http.ScriptedServer.body;
import static io.throttlenet.http.ScriptedServer.dropConnection;
import static io.throttlenet.http.ScriptedServer.hold;
import static io.throttlenet.http.ScriptedServer.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.BreakerState;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.Outcome;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted server on loopback. Retry delays and permit waits run on a
 * {@link ManualTicker} that starts near the top of the {@code long} range (so wrap-around bugs
 * show); a test moves time only once the call under test is parked, and the real HTTP exchanges
 * are awaited as events, never timed.
 */
class ThrottledHttpClientTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ScriptedServer server;

  @BeforeEach
  void start() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpRequest post(String json) {
    return HttpRequest.newBuilder(server.uri())
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private HttpRequest get() {
    return HttpRequest.newBuilder(server.uri()).GET().build();
  }

  private Retry retry(int attempts) {
    return Retry.builder()
        .backoff(Backoff.constant(Duration.ofSeconds(1)))
        .maxAttempts(attempts)
        .ticker(ticker)
        .events(events)
        .build();
  }

  private ThrottledHttpClient.Builder client() {
    return ThrottledHttpClient.builder(http).ticker(ticker).events(events).name("api");
  }

  /** Runs a blocking call on another thread, so the test can drive the ticker meanwhile. */
  private static <T> CompletableFuture<T> inBackground(java.util.concurrent.Callable<T> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(call.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "caller");
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Waits for a condition that real I/O brings about: a hand-shake, not a timing device. */
  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(1);
    }
  }

  /**
   * Moves time on whenever {@code call} waits on the ticker (a parked thread: to its deadline; a
   * scheduled retry: by the backoff's second) until the call is done.
   */
  private <T> T drive(CompletableFuture<T> call) throws Exception {
    while (!call.isDone()) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        if (ticker.pendingTasks() > 0) {
          ticker.advance(Duration.ofSeconds(1));
        } else {
          Thread.sleep(1); // the call is exchanging with the server, not waiting on the ticker
        }
      }
    }
    return call.get();
  }

  @Nested
  class Send {
    @Test
    void success_returnsTheResponse_andChargesOnePermit() throws Exception {
      Throttle limiter =
          Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
      ThrottledHttpClient c = client().limiter(limiter).build();
      HttpResponse<String> r = c.send(get(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"ok\":true}");
      assertThat(limiter.availablePermits()).isEqualTo(9);
    }

    @Test
    void tooManyRequestsWithRetryAfter_waitsTheServersHint_thenRetries() throws Exception {
      server.then(status(429, "Retry-After", "2"));
      ThrottledHttpClient c = client().retry(retry(3)).build();
      CompletableFuture<HttpResponse<String>> call =
          inBackground(() -> c.send(get(), HttpResponse.BodyHandlers.ofString()));
      ticker.awaitSleepers(1);
      assertThat(server.requests()).isEqualTo(1);
      ticker.advance(Duration.ofMillis(1999)); // the backoff says 1 s; the server said 2
      assertThat(call).isNotDone();
      ticker.advance(Duration.ofMillis(1));
      assertThat(call.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void clientError_isReturnedAtOnce_notRetried() throws Exception {
      server.then(status(404));
      ThrottledHttpClient c = client().retry(retry(3)).build();
      assertThat(c.send(get(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void serverErrors_areRetried_andTheLastResponseIsReturnedWhenAttemptsRunOut() throws Exception {
      server.then(status(500), status(502));
      ThrottledHttpClient c = client().retry(retry(2)).build();
      HttpResponse<String> r =
          drive(inBackground(() -> c.send(get(), HttpResponse.BodyHandlers.ofString())));
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void notImplemented_isNotRetried() throws Exception {
      server.then(status(501));
      ThrottledHttpClient c = client().retry(retry(3)).build();
      assertThat(c.send(get(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(501);
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void errorsAsExceptions_throwsTheFinalStatus_withItsResponse() throws Exception {
      server.then(status(404));
      ThrottledHttpClient c = client().noRetry().errorsAsExceptions().build();
      assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOfSatisfying(
              HttpStatusException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(404);
                assertThat(e.response().body()).isEqualTo("{\"error\":404}");
              });
    }

    @Test
    void errorsAsExceptions_afterRetries_carriesTheServersHint() throws Exception {
      server.then(status(503, "retry-after-ms", "250"));
      ThrottledHttpClient c = client().noRetry().errorsAsExceptions().build();
      assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOfSatisfying(
              HttpStatusException.class,
              e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(250)));
    }

    @Test
    void droppedConnection_isRetried_thenSucceeds() throws Exception {
      server.then(dropConnection());
      ThrottledHttpClient c = client().retry(retry(3)).build();
      HttpResponse<String> r =
          drive(inBackground(() -> c.send(post("{}"), HttpResponse.BodyHandlers.ofString())));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void droppedConnection_withoutRetry_throwsTheIoError() throws Exception {
      server.then(dropConnection());
      ThrottledHttpClient c = client().noRetry().build();
      assertThatThrownBy(() -> c.send(post("{}"), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpStatusException.class);
    }

    @Test
    void bodyHandlerThatThrows_reachesTheCaller_andIsNotRetried() throws Exception {
      ThrottledHttpClient c = client().retry(retry(3)).build();
      HttpResponse.BodyHandler<String> broken =
          info -> {
            throw new IllegalStateException("boom");
          };
      assertThatThrownBy(() -> c.send(get(), broken)) // wrapped by the JDK's send, as without us
          .isInstanceOf(IOException.class)
          .hasRootCauseInstanceOf(IllegalStateException.class)
          .hasRootCauseMessage("boom");
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void timeout_appliesToARequestWithoutOne() throws Exception {
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      server.then(hold(held, release));
      ThrottledHttpClient c = client().noRetry().timeout(Duration.ofMillis(200)).build();
      try {
        assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(HttpTimeoutException.class);
      } finally {
        release.countDown();
      }
    }

    @Test
    void interruptedWhileWaitingForAPermit_givesItBack_andNeverSends() throws Exception {
      Throttle limiter =
          Throttle.builder()
              .rate(1, Duration.ofSeconds(1))
              .burst(1)
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().limiter(limiter).noRetry().build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      Thread[] caller = new Thread[1];
      CompletableFuture<Object> call =
          inBackground(
              () -> {
                caller[0] = Thread.currentThread();
                return c.send(get(), HttpResponse.BodyHandlers.discarding());
              });
      ticker.awaitSleepers(1);
      caller[0].interrupt();
      assertThatThrownBy(call::get).hasCauseInstanceOf(InterruptedException.class);
      assertThat(limiter.availablePermits()).isZero();
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void predictedWaitLongerThanMaxWait_isRefusedAtOnce_withoutSending() throws Exception {
      Throttle limiter =
          Throttle.builder()
              .rate(1, Duration.ofSeconds(10))
              .burst(1)
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().limiter(limiter).maxWait(Duration.ofSeconds(1)).build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(MaxWaitExceededException.class);
      assertThat(server.requests()).isEqualTo(1);
    }
  }

  @Nested
  class SendAsync {
    @Test
    void tooManyRequests_isRetriedAfterTheHint_withoutHoldingAThread() throws Exception {
      server.then(status(429, "retry-after-ms", "1500"));
      ThrottledHttpClient c = client().retry(retry(3)).build();
      CompletableFuture<HttpResponse<String>> f =
          c.sendAsync(get(), HttpResponse.BodyHandlers.ofString());
      await(() -> ticker.pendingTasks() == 1); // the retry is scheduled, no thread sleeps
      assertThat(ticker.sleepers()).isZero();
      ticker.advance(Duration.ofMillis(1499));
      assertThat(f).isNotDone();
      ticker.advance(Duration.ofMillis(1));
      assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void clientError_completesWithTheResponse() throws Exception {
      server.then(status(422));
      ThrottledHttpClient c = client().retry(retry(3)).build();
      assertThat(
              c.sendAsync(get(), HttpResponse.BodyHandlers.ofString())
                  .get(30, TimeUnit.SECONDS)
                  .statusCode())
          .isEqualTo(422);
    }

    @Test
    void cancelWhileWaitingForAPermit_givesThePermitBack_andNeverSends() throws Exception {
      Throttle limiter =
          Throttle.builder()
              .rate(1, Duration.ofSeconds(1))
              .burst(1)
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().limiter(limiter).build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      CompletableFuture<HttpResponse<Void>> f =
          c.sendAsync(get(), HttpResponse.BodyHandlers.discarding());
      assertThat(limiter.availablePermits()).isEqualTo(-1);
      assertThat(f.cancel(true)).isTrue();
      assertThat(limiter.availablePermits()).isZero();
      ticker.advance(Duration.ofSeconds(5));
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void cancelWhileWaitingForAReservation_chargesNothing() throws Exception {
      MultiLimiter llm =
          MultiLimiter.builder()
              .dimension(
                  "requests",
                  Throttle.builder()
                      .rate(1, Duration.ofSeconds(1))
                      .burst(1)
                      .ticker(ticker)
                      .events(events)
                      .build())
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().limiter(llm).build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      CompletableFuture<HttpResponse<Void>> f =
          c.sendAsync(get(), HttpResponse.BodyHandlers.discarding());
      f.cancel(true);
      ticker.advance(Duration.ofSeconds(1));
      assertThat(llm.availablePermits("requests")).isEqualTo(1);
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void cancelDuringTheExchange_abortsIt_andFreesTheBulkheadSlot() throws Exception {
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      server.then(hold(held, release));
      ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).events(events).build();
      ThrottledHttpClient c = client().bulkhead(bulkhead).retry(retry(3)).build();
      try {
        CompletableFuture<HttpResponse<String>> f =
            c.sendAsync(get(), HttpResponse.BodyHandlers.ofString());
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bulkhead.inFlight()).isEqualTo(1);
        f.cancel(true);
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
        await(() -> bulkhead.inFlight() == 0);
        assertThat(ticker.pendingTasks()).isZero(); // no retry of a cancelled call
      } finally {
        release.countDown();
      }
      assertThat(
              c.sendAsync(get(), HttpResponse.BodyHandlers.ofString())
                  .get(30, TimeUnit.SECONDS)
                  .statusCode())
          .isEqualTo(200);
    }

    @Test
    void bodyHandlerThatThrows_failsTheFuture_unwrapped() throws Exception {
      ThrottledHttpClient c = client().retry(retry(3)).build();
      HttpResponse.BodyHandler<String> broken =
          info -> {
            throw new IllegalStateException("boom");
          };
      assertThatThrownBy(() -> c.sendAsync(get(), broken).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasStackTraceContaining("boom");
      assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void droppedConnection_isRetried() throws Exception {
      server.then(dropConnection(), dropConnection());
      ThrottledHttpClient c = client().retry(retry(3)).build();
      assertThat(drive(c.sendAsync(post("{}"), HttpResponse.BodyHandlers.ofString())).statusCode())
          .isEqualTo(200);
      assertThat(server.requests()).isEqualTo(3);
    }
  }

  @Nested
  class Budgets {
    private MultiLimiter llm() {
      return MultiLimiter.builder()
          .dimension(
              "requests",
              Throttle.builder()
                  .rate(10, Duration.ofSeconds(1))
                  .ticker(ticker)
                  .events(events)
                  .build())
          .dimension(
              "tokens",
              Throttle.builder()
                  .rate(1000, Duration.ofSeconds(1))
                  .ticker(ticker)
                  .events(events)
                  .build())
          .ticker(ticker)
          .events(events)
          .build();
    }

    @Test
    void defaultCosts_areOneRequest_andAQuarterOfTheBodyInTokens() throws Exception {
      MultiLimiter llm = llm();
      ThrottledHttpClient c = client().limiter(llm).build();
      c.send(post("x".repeat(400)), HttpResponse.BodyHandlers.discarding());
      assertThat(llm.availablePermits("requests")).isEqualTo(9);
      assertThat(llm.availablePermits("tokens")).isEqualTo(900);
    }

    @Test
    void usage_settlesTheReservation_atWhatTheResponseReports() throws Exception {
      server.then(body(200, "{\"usage\":{\"total_tokens\":120}}"));
      MultiLimiter llm = llm();
      ThrottledHttpClient c =
          client()
              .limiter(llm)
              .costs(r -> Costs.of("requests", 1, "tokens", 500))
              .usage(
                  (r, response) ->
                      Costs.of(
                          "requests",
                          1,
                          "tokens",
                          Long.parseLong(((String) response.body()).replaceAll("\\D", ""))))
              .build();
      c.send(post("{}"), HttpResponse.BodyHandlers.ofString());
      assertThat(llm.availablePermits("tokens")).isEqualTo(880);
    }

    private ServerWindow window() {
      return ServerWindow.builder()
          .dimension("requests", 2, Duration.ofSeconds(1))
          .dimension("tokens", 1000, Duration.ofSeconds(1))
          .ticker(ticker)
          .events(events)
          .build();
    }

    @Test
    void serverWindow_countsACall_untilAWindowAfterItsResponse() throws Exception {
      ServerWindow window = window();
      ThrottledHttpClient c = client().limiter(window).build();
      c.send(post("x".repeat(400)), HttpResponse.BodyHandlers.discarding());
      assertThat(window.availablePermits("requests")).isEqualTo(1);
      assertThat(window.availablePermits("tokens")).isEqualTo(900);
      ticker.advance(Duration.ofMillis(999));
      assertThat(window.availablePermits("requests")).isEqualTo(1);
      ticker.advance(Duration.ofMillis(1));
      assertThat(window.availablePermits("requests")).isEqualTo(2);
    }

    @Test
    void serverWindow_isReleasedAtTheUsageTheResponseReports() throws Exception {
      server.then(body(200, "{\"usage\":{\"total_tokens\":120}}"));
      ServerWindow window = window();
      ThrottledHttpClient c =
          client()
              .limiter(window)
              .usage(
                  (r, response) ->
                      Costs.of(
                          "requests",
                          1,
                          "tokens",
                          Long.parseLong(((String) response.body()).replaceAll("\\D", ""))))
              .build();
      c.send(
          post("{}"), HttpResponse.BodyHandlers.ofString(), Costs.of("requests", 1, "tokens", 600));
      assertThat(window.availablePermits("tokens")).isEqualTo(880);
    }

    @Test
    void a429sCharge_isKeptByDefault_andGivenBackWhenTheServerCountsNoRefusals() throws Exception {
      ServerWindow keeping = window();
      server.then(status(429));
      client().limiter(keeping).noRetry().build().send(post("{}"), HttpResponse.BodyHandlers.discarding());
      assertThat(keeping.availablePermits("requests")).isEqualTo(1);

      ServerWindow refunding = window();
      server.then(status(429));
      client()
          .limiter(refunding)
          .noRetry()
          .refusedCallsUncounted()
          .build()
          .send(post("{}"), HttpResponse.BodyHandlers.discarding());
      assertThat(refunding.availablePermits("requests")).isEqualTo(2);
      assertThat(refunding.inFlight("tokens")).isZero();

      server.then(status(503));
      ThrottledHttpClient c = client().limiter(refunding).noRetry().refusedCallsUncounted().build();
      c.send(post("{}"), HttpResponse.BodyHandlers.discarding());
      assertThat(refunding.availablePermits("requests")).as("only a 429 is a refusal").isEqualTo(1);
      assertThatThrownBy(() -> client().refusedCallsUncounted().refusedCallsUncounted())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("refusedCallsUncounted");
    }

    @Test
    void serverWindow_cancelWhileWaiting_countsNothing_andNeverSends() throws Exception {
      ServerWindow window = window();
      ThrottledHttpClient c = client().limiter(window).build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      CompletableFuture<HttpResponse<Void>> f =
          c.sendAsync(get(), HttpResponse.BodyHandlers.discarding());
      assertThat(window.waiting()).isEqualTo(1);
      f.cancel(true);
      assertThat(window.waiting()).isZero();
      ticker.advance(Duration.ofSeconds(1));
      assertThat(window.availablePermits("requests")).isEqualTo(2);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void serverWindow_withHeaderSync_pausesOnATooManyRequests() throws Exception {
      server.then(status(429, "retry-after-ms", "3000"));
      ServerWindow window = window();
      ThrottledHttpClient c = client().limiter(window).syncHeaders().noRetry().build();
      assertThat(c.send(get(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(429);
      CompletableFuture<HttpResponse<Void>> next =
          c.sendAsync(get(), HttpResponse.BodyHandlers.discarding());
      ticker.advance(Duration.ofMillis(2999));
      assertThat(next).isNotDone();
      assertThat(server.requests()).isEqualTo(1);
      ticker.advance(Duration.ofMillis(1));
      assertThat(next.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void costsGivenWithTheCall_replaceTheCostFunction() throws Exception {
      MultiLimiter llm = llm();
      ThrottledHttpClient c = client().limiter(llm).build();
      c.send(
          post("{}"),
          HttpResponse.BodyHandlers.discarding(),
          Costs.of("requests", 1, "tokens", 300));
      assertThat(llm.availablePermits("tokens")).isEqualTo(700);
      c.sendAsync(post("{}"), HttpResponse.BodyHandlers.discarding(), Costs.of("tokens", 200))
          .get(30, TimeUnit.SECONDS);
      assertThat(llm.availablePermits("tokens")).isEqualTo(500);
      ThrottledHttpClient single = client().limiter(Throttle.perSecond(5)).build();
      assertThatThrownBy(
              () ->
                  single.send(get(), HttpResponse.BodyHandlers.discarding(), Costs.of("tokens", 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("need limiter(MultiLimiter)");
    }

    @Test
    void usage_isNotAskedAboutAFailure_theEstimateStands() throws Exception {
      server.then(status(400));
      MultiLimiter llm = llm();
      ThrottledHttpClient c =
          client()
              .limiter(llm)
              .costs(r -> Costs.of("requests", 1, "tokens", 500))
              .usage(
                  (r, response) -> {
                    throw new AssertionError("asked about a 400");
                  })
              .build();
      assertThat(c.send(post("{}"), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(400);
      assertThat(llm.availablePermits("tokens")).isEqualTo(500);
    }

    @Test
    void headerSync_pausesEveryCallerOfTheLimiter_onATooManyRequests() throws Exception {
      server.then(status(429, "retry-after-ms", "3000"));
      MultiLimiter llm = llm();
      ThrottledHttpClient c = client().limiter(llm).syncHeaders().noRetry().build();
      assertThat(c.send(get(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(429);
      assertThat(llm.waitTime(Costs.of("requests", 1)).orElseThrow())
          .isGreaterThanOrEqualTo(Duration.ofMillis(2900));
    }

    @Test
    void headerSync_lowersTheLocalBudget_toTheServersRemaining() throws Exception {
      server.then(
          status(200, "x-ratelimit-remaining-requests", "2", "x-ratelimit-remaining-tokens", "50"));
      MultiLimiter llm = llm();
      ThrottledHttpClient c = client().limiter(llm).syncHeaders().build();
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      assertThat(llm.availablePermits("requests")).isLessThanOrEqualTo(2);
      assertThat(llm.availablePermits("tokens")).isLessThanOrEqualTo(50);
    }

    @Test
    void garbageRateLimitHeaders_areIgnored() throws Exception {
      server.then(
          status(
              429,
              "Retry-After",
              "soon",
              "retry-after-ms",
              "-5",
              "x-ratelimit-remaining-tokens",
              "NaN",
              "x-ratelimit-reset-tokens",
              "1e9s",
              "x-ratelimit-limit-requests",
              "lots"),
          status(200, "x-ratelimit-remaining-requests", "", "x-ratelimit-reset-requests", "-1s"));
      MultiLimiter llm = llm();
      ThrottledHttpClient c = client().limiter(llm).syncHeaders().retry(retry(3)).build();
      HttpResponse<String> r =
          drive(inBackground(() -> c.send(get(), HttpResponse.BodyHandlers.ofString())));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void everyAttempt_isChargedAgain() throws Exception {
      server.then(status(503));
      Throttle limiter =
          Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
      ThrottledHttpClient c = client().limiter(limiter).retry(retry(3)).build();
      CompletableFuture<HttpResponse<Void>> call =
          inBackground(() -> c.send(get(), HttpResponse.BodyHandlers.discarding()));
      ticker.awaitSleepers(1);
      assertThat(limiter.availablePermits()).isEqualTo(9);
      ticker.advance(Duration.ofSeconds(1)); // refills 10 (capped at the burst), retries
      assertThat(call.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(limiter.availablePermits()).isEqualTo(9);
    }
  }

  @Nested
  class BreakerAndEvents {
    @Test
    void serverFailuresTripTheBreaker_clientErrorsDoNot() throws Exception {
      server.then(status(404), status(404), status(404), status(500), status(500));
      CircuitBreaker breaker =
          CircuitBreaker.builder()
              .trip(Trip.consecutive(2))
              .cooldown(Duration.ofSeconds(10))
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().breaker(breaker).noRetry().build();
      for (int i = 0; i < 3; i++) {
        c.send(get(), HttpResponse.BodyHandlers.discarding());
      }
      assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
      c.send(get(), HttpResponse.BodyHandlers.discarding());
      assertThat(c.send(get(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(500);
      assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
      assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(CircuitOpenException.class);
      assertThat(server.requests()).isEqualTo(5);
    }

    @Test
    void tooManyRequests_doNotTripTheBreaker() throws Exception {
      server.then(status(429), status(429), status(429));
      CircuitBreaker breaker =
          CircuitBreaker.builder()
              .trip(Trip.consecutive(2))
              .cooldown(Duration.ofSeconds(10))
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().breaker(breaker).noRetry().build();
      for (int i = 0; i < 3; i++) {
        assertThat(c.send(get(), HttpResponse.BodyHandlers.discarding()).statusCode())
            .isEqualTo(429);
      }
      assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void async_serverFailuresTripTheBreaker() throws Exception {
      server.then(status(500), status(500));
      CircuitBreaker breaker =
          CircuitBreaker.builder()
              .trip(Trip.consecutive(2))
              .cooldown(Duration.ofSeconds(10))
              .ticker(ticker)
              .events(events)
              .build();
      ThrottledHttpClient c = client().breaker(breaker).noRetry().build();
      for (int i = 0; i < 2; i++) {
        assertThat(
                c.sendAsync(get(), HttpResponse.BodyHandlers.discarding())
                    .get(30, TimeUnit.SECONDS)
                    .statusCode())
            .isEqualTo(500);
      }
      assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
      assertThatThrownBy(
              () ->
                  c.sendAsync(get(), HttpResponse.BodyHandlers.discarding())
                      .get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CircuitOpenException.class);
    }

    @Test
    void everyAttempt_isPublished_classifiedByStatus() throws Exception {
      server.then(status(503, "retry-after-ms", "100"));
      List<CallEvent.Finished> seen = new CopyOnWriteArrayList<>();
      events.subscribe(CallEvent.Finished.class, "api", seen::add);
      ThrottledHttpClient c = client().retry(retry(3)).build();
      drive(inBackground(() -> c.send(get(), HttpResponse.BodyHandlers.discarding())));
      assertThat(seen)
          .extracting(CallEvent.Finished::outcome)
          .containsExactly(Outcome.DROPPED, Outcome.SUCCESS);
      assertThat(seen.get(0).retryAfter()).contains(Duration.ofMillis(100));
    }
  }

  @Nested
  class Building {
    @Test
    void costWithoutASingleLimiter_isRefused() {
      assertThatThrownBy(() -> client().cost(r -> 1).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cost needs limiter(RateLimiter)");
      assertThatThrownBy(() -> client().usage((r, s) -> null).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("costs and usage need limiter(MultiLimiter)");
      assertThatThrownBy(() -> client().syncHeaders().build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("need a limiter");
    }

    @Test
    void badValues_nameTheArgument() {
      assertThatThrownBy(() -> client().maxWait(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxWait must be >= 0, was PT-1S");
      assertThatThrownBy(() -> client().timeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout must be > 0, was PT0S");
      assertThatThrownBy(() -> ThrottledHttpClient.builder(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("delegate must not be null");
    }

    @Test
    void anOptionSetTwice_isRefused() {
      Throttle t = Throttle.perSecond(1);
      assertThatThrownBy(() -> client().limiter(t).limiter(t))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("limiter was already set");
      assertThatThrownBy(() -> client().noRetry().retry(Retry.of(Backoff.ofDefaults())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("retry was already set");
    }

    @Test
    void multiLimiterWithUnknownDimensions_needsCosts() {
      MultiLimiter odd = MultiLimiter.builder().dimension("calls", Throttle.perSecond(1)).build();
      assertThatThrownBy(() -> client().limiter(odd).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("[calls]");
    }

    @Test
    void negativeCost_failsTheCall_namingTheRequest() {
      ThrottledHttpClient c = client().limiter(Throttle.perSecond(1)).cost(r -> -1).build();
      assertThatThrownBy(() -> c.send(get(), HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cost of GET " + server.uri() + " must be >= 0, was -1");
      assertThat(server.requests()).isZero();
    }

    @Test
    void isAnHttpClient_answeringForTheWrappedOne() {
      HttpClient wrapped = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      HttpClient c = ThrottledHttpClient.builder(wrapped).build();
      assertThat(c.connectTimeout()).contains(Duration.ofSeconds(3));
      assertThat(c.version()).isEqualTo(wrapped.version());
      assertThat(c.followRedirects()).isEqualTo(wrapped.followRedirects());
    }
  }
}
