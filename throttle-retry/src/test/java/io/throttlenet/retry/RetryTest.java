package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetryTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 10_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private Retry.Builder builder() {
    return Retry.builder()
        .backoff(Backoff.constant(Duration.ofSeconds(1)))
        .ticker(ticker)
        .events(events)
        .random(new SplittableRandom(1));
  }

  /** Runs {@code r} on another thread, advancing the manual ticker to each wait it starts. */
  private <T> T drive(Callable<T> r) throws Exception {
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                out.set(r.call());
              } catch (Throwable e) {
                out.set(new Thrown(e));
              }
            });
    t.start();
    while (t.isAlive()) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        t.join(1); // let the worker make progress; nothing here measures time
      }
    }
    Object o = out.get();
    if (o instanceof Thrown thrown) {
      if (thrown.e instanceof Exception e) {
        throw e;
      }
      throw new AssertionError(thrown.e);
    }
    @SuppressWarnings("unchecked")
    T value = (T) o;
    return value;
  }

  record Thrown(Throwable e) {}

  @Test
  void transientFailures_thenSuccess() throws Exception {
    Retry retry = builder().maxAttempts(5).build();
    AtomicInteger calls = new AtomicInteger();
    String result =
        drive(() ->
                retry.run(
                    () -> {
                      if (calls.incrementAndGet() < 3) {
                        throw new IOException("flaky");
                      }
                      return "ok";
                    }));
    assertThat(result).isEqualTo("ok");
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void alwaysFailing_makesExactlyMaxAttemptsCalls_andThrowsTheLastWithTheOthersSuppressed() {
    Retry retry = builder().maxAttempts(4).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                drive(() ->
                        retry.run(
                            () -> {
                              throw new IOException("fail " + calls.incrementAndGet());
                            })))
        .isInstanceOf(IOException.class)
        .hasMessage("fail 4")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("fail 1", "fail 2", "fail 3"));
    assertThat(calls.get()).isEqualTo(4);
  }

  @Test
  void failAction_stopsAfterOneCall() {
    Retry retry = builder().maxAttempts(5).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                retry.run(
                    () -> {
                      calls.incrementAndGet();
                      throw new IllegalArgumentException("config error");
                    },
                    e -> e instanceof IllegalArgumentException ? RetryAction.fail() : RetryAction.retry()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void ignoredExceptions_areNeverRetried() {
    Retry retry = builder().maxAttempts(5).ignoreExceptions(IllegalStateException.class).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                retry.run(
                    () -> {
                      calls.incrementAndGet();
                      throw new IllegalStateException();
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void retryAfterHint_waitsExactlyThatLong() throws Exception {
    Retry retry = builder().maxAttempts(2).build();
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                out.set(
                    retry.run(
                        () -> {
                          if (calls.incrementAndGet() == 1) {
                            throw new IOException("429");
                          }
                          return "ok";
                        },
                        e -> RetryAction.retryAfter(Duration.ofSeconds(30))));
              } catch (Exception e) {
                out.set(e);
              }
            });
    t.start();
    ticker.awaitSleepers(1);
    ticker.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(ticker.sleepers()).isEqualTo(1);
    assertThat(calls.get()).isEqualTo(1);
    ticker.advance(1);
    t.join(30_000);
    assertThat(out.get()).isEqualTo("ok");
  }

  @Test
  void retryAfterHint_isCappedByMaxRetryAfter() throws Exception {
    List<RetryEvent.Attempt> attempts = new ArrayList<>();
    events.subscribe(RetryEvent.Attempt.class, attempts::add);
    Retry retry = builder().maxAttempts(2).maxRetryAfter(Duration.ofSeconds(2)).build();
    AtomicInteger calls = new AtomicInteger();
    drive(() ->
            retry.run(
                () -> {
                  if (calls.incrementAndGet() == 1) {
                    throw new IOException();
                  }
                  return 1;
                },
                e -> RetryAction.retryAfter(Duration.ofDays(365_000))));
    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).delay()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void unwantedResult_isRetriedWithoutThrowing_andReturnedWhenAttemptsRunOut() throws Exception {
    Retry retry = builder().maxAttempts(3).retryOnResult(r -> Integer.valueOf(503).equals(r)).build();
    AtomicInteger calls = new AtomicInteger();
    Integer status = drive(() -> retry.run(() -> calls.incrementAndGet() < 3 ? 503 : 200));
    assertThat(status).isEqualTo(200);
    AtomicInteger more = new AtomicInteger();
    Integer last = drive(() -> retry.run(() -> { more.incrementAndGet(); return 503; }));
    assertThat(last).isEqualTo(503);
    assertThat(more.get()).isEqualTo(3);
  }

  @Test
  void maxDuration_stopsWithItsOwnExceptionCarryingTheLastFailure() {
    Retry retry = builder().maxAttempts(100).maxDuration(Duration.ofMillis(2500)).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () -> drive(() -> retry.run(() -> { throw new IOException("down " + calls.incrementAndGet()); })))
        .isInstanceOf(RetryDeadlineExceededException.class)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("PT2.5S");
    assertThat(calls.get()).isEqualTo(3); // at 0 s, 1 s, 2 s; a wait to 3 s would pass 2.5 s
  }

  @Test
  void budget_stopsARetryStorm() {
    RetryBudget budget = RetryBudget.builder().ratio(0.1).minPerSecond(0).ticker(ticker).build();
    Retry retry = builder().maxAttempts(5).budget(budget).build();
    for (int i = 0; i < 20; i++) {
      budget.recordCall(); // 20 healthy calls earn 2 retries
    }
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> drive(() -> retry.run(() -> { throw new IOException("x" + calls.incrementAndGet()); })))
        .isInstanceOf(RetryBudgetExhaustedException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(calls.get()).isEqualTo(3); // the first call and the two retries the budget allowed
  }

  @Test
  void interruptDuringAWait_stopsRetryingAndRestoresTheFlag() throws Exception {
    Retry retry = builder().maxAttempts(5).build();
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                retry.run(() -> { throw new IOException("n" + calls.incrementAndGet()); });
              } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
              }
            });
    t.start();
    ticker.awaitSleepers(1);
    t.interrupt();
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(IOException.class).hasMessage("n1");
    assertThat(flag.get()).isTrue();
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void async_neverBlocksAThread() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      Retry retry = builder().maxAttempts(4).build();
      AtomicInteger calls = new AtomicInteger();
      CompletableFuture<String> f =
          retry
              .runAsync(
                  () ->
                      CompletableFuture.supplyAsync(
                          () -> {
                            if (calls.incrementAndGet() < 3) {
                              throw new IllegalStateException("busy");
                            }
                            return "done";
                          },
                          single))
              .toCompletableFuture();
      for (int i = 0; i < 10 && !f.isDone(); i++) {
        // Wait (without timing anything) for the attempt to finish on the executor, then advance.
        single.submit(() -> {}).get(30, TimeUnit.SECONDS);
        assertThat(ticker.sleepers()).isZero(); // nobody parks: delays are scheduled
        ticker.advance(Duration.ofSeconds(1));
      }
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("done");
      assertThat(calls.get()).isEqualTo(3);
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void async_exhausted_failsWithTheCallsOwnException() {
    Retry retry = builder().maxAttempts(2).build();
    CompletableFuture<Object> f =
        retry.runAsync(() -> CompletableFuture.failedFuture(new IOException("nope"))).toCompletableFuture();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).hasCauseInstanceOf(IOException.class).hasRootCauseMessage("nope");
  }

  @Test
  void events_attemptSuccessExhaustedAborted() throws Exception {
    List<RetryEvent> seen = new ArrayList<>();
    Retry retry = builder().maxAttempts(2).build();
    events.subscribe(RetryEvent.class, retry.name(), seen::add);
    AtomicInteger calls = new AtomicInteger();
    drive(() -> retry.run(() -> { if (calls.incrementAndGet() == 1) { throw new IOException(); } return 1; }));
    assertThatThrownBy(() -> drive(() -> retry.run(() -> { throw new IOException(); }))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> retry.run(() -> { throw new IOException(); }, e -> RetryAction.fail())).isInstanceOf(IOException.class);
    assertThat(seen).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Attempt", "SucceededAfterRetries", "Attempt", "Exhausted", "Aborted");
  }

  @Test
  void decorate_retriesTheWrappedCall() throws Exception {
    Retry retry = builder().maxAttempts(3).build();
    AtomicInteger calls = new AtomicInteger();
    var decorated = retry.decorate(() -> { if (calls.incrementAndGet() < 2) { throw new IOException(); } return "x"; });
    assertThat(drive(decorated::get)).isEqualTo("x");
  }

  @Test
  void withStyleCopies_andBadInput() {
    Retry r = Retry.of(Backoff.ofDefaults()).maxAttempts(7).maxDuration(Duration.ofSeconds(3));
    assertThat(r.maxAttempts()).isEqualTo(7);
    assertThat(Retry.of(Backoff.ofDefaults()).maxAttempts()).isEqualTo(3);
    assertThatThrownBy(() -> Retry.of(Backoff.ofDefaults()).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> Retry.builder().maxDuration(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDuration must be > 0, was PT0S");
    assertThatThrownBy(() -> RetryAction.retryAfter(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be >= 0, was PT-1S");
    assertThatThrownBy(() -> Retry.builder().maxAttempts(2).maxAttempts(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAttempts was already set");
    assertThatThrownBy(() -> Retry.builder().ignoreExceptions(IOException.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("types element must not be null");
  }

  @Test
  void interruptedException_fromTheCall_isNeverRetried() {
    Retry retry = builder().maxAttempts(5).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> retry.run(() -> {
          calls.incrementAndGet();
          throw new InterruptedException("stop");
        }))
        .isInstanceOf(InterruptedException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void async_throwingClassifier_failsTheStageInsteadOfHanging() {
    Retry retry = builder().maxAttempts(3).build();
    CompletableFuture<Object> f =
        retry
            .runAsync(
                () -> CompletableFuture.failedFuture(new IOException()),
                e -> {
                  throw new IllegalStateException("classifier bug");
                })
            .toCompletableFuture();
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalStateException.class);
  }
}
