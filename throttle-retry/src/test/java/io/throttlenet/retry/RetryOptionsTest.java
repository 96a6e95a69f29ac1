package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each option of {@link Retry} and its copies, the decorator paths, and the async edge cases. */
class RetryOptionsTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(-3_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private Retry.Builder builder() {
    return Retry.builder().backoff(Backoff.constant(SECOND)).ticker(ticker).events(events).random(new SplittableRandom(1));
  }

  /** Runs {@code r} on another thread, advancing the manual ticker to each wait it starts. */
  private <T> T drive(Callable<T> r) throws Exception {
    AtomicReference<Object> out = new AtomicReference<>();
    AtomicReference<Exception> thrown = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                out.set(r.call());
              } catch (Exception e) {
                thrown.set(e);
              }
            });
    t.start();
    while (t.isAlive()) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        t.join(1); // let the worker make progress; nothing here measures time
      }
    }
    if (thrown.get() != null) {
      throw thrown.get();
    }
    @SuppressWarnings("unchecked")
    T value = (T) out.get();
    return value;
  }

  private static Callable<String> failing(AtomicInteger calls) {
    return () -> {
      throw new IOException("down " + calls.incrementAndGet());
    };
  }

  @Test
  void eachBuilderOption_setTwice_isRefused() {
    Backoff b = Backoff.ofDefaults();
    RetryBudget budget = RetryBudget.builder().build();
    assertThatThrownBy(() -> Retry.builder().backoff(b).backoff(b)).hasMessage("backoff was already set");
    assertThatThrownBy(() -> Retry.builder().maxDuration(SECOND).maxDuration(SECOND)).hasMessage("maxDuration was already set");
    assertThatThrownBy(() -> Retry.builder().maxRetryAfter(SECOND).maxRetryAfter(SECOND))
        .hasMessage("maxRetryAfter was already set");
    assertThatThrownBy(() -> Retry.builder().classifier(e -> RetryAction.retry()).classifier(e -> RetryAction.fail()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("classifier was already set");
    assertThatThrownBy(() -> Retry.builder().retryOnResult(r -> false).classifyResults(r -> null))
        .hasMessage("result classifier was already set");
    assertThatThrownBy(() -> Retry.builder().ignoreExceptions(IOException.class).ignoreExceptions(IOException.class))
        .hasMessage("ignoreExceptions was already set");
    assertThatThrownBy(() -> Retry.builder().budget(budget).budget(budget)).hasMessage("budget was already set");
    assertThatThrownBy(() -> Retry.builder().random(new SplittableRandom()).random(new SplittableRandom()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("random was already set");
  }

  @Test
  void accessors_showTheConfiguration() {
    Backoff b = Backoff.linear(SECOND);
    Retry retry = Retry.builder().backoff(b).name("payments").maxAttempts(4).build();
    assertThat(retry.name()).isEqualTo("payments");
    assertThat(retry.backoff()).isSameAs(b);
    assertThat(retry.maxAttempts()).isEqualTo(4);
    assertThat(retry.toString()).contains("payments", "4 attempts", "linear");
    assertThat(Retry.of(b).name()).startsWith("retry-");
  }

  @Test
  void maxAttemptsOne_makesASingleCall() {
    Retry retry = builder().maxAttempts(1).build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> retry.run(failing(calls))).isInstanceOf(IOException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void deadline_aWaitEndingExactlyAtTheDeadline_isStillMade() {
    Retry retry = builder().maxAttempts(10).maxDuration(Duration.ofSeconds(2)).build();
    AtomicInteger calls = new AtomicInteger();
    List<RetryEvent> seen = new ArrayList<>();
    events.subscribe(RetryEvent.Exhausted.class, seen::add);
    assertThatThrownBy(() -> drive(() -> retry.run(failing(calls))))
        .isInstanceOfSatisfying(
            RetryDeadlineExceededException.class, e -> assertThat(e.attempts()).isEqualTo(3))
        .hasCauseInstanceOf(IOException.class);
    assertThat(calls.get()).isEqualTo(3); // at 0 s, 1 s and 2 s: the wait to 2 s ends on the deadline
    assertThat(seen).singleElement().isInstanceOfSatisfying(RetryEvent.Exhausted.class, e -> assertThat(e.attempts()).isEqualTo(3));
  }

  @Test
  void budget_countsEachRunsFirstAttempt_soARunEarnsItsOwnRetry() throws Exception {
    RetryBudget budget = RetryBudget.builder().ratio(1).minPerSecond(0).ticker(ticker).build();
    Retry retry = builder().maxAttempts(2).budget(budget).build();
    AtomicInteger calls = new AtomicInteger();
    String result = drive(() -> retry.run(() -> {
      if (calls.incrementAndGet() == 1) {
        throw new IOException("once");
      }
      return "ok";
    }));
    assertThat(result).isEqualTo("ok");
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void budgetRefusal_publishesAnEventAndThrowsWithTheAttempts() {
    RetryBudget budget = RetryBudget.builder().ratio(0).minPerSecond(0).ticker(ticker).build();
    Retry retry = builder().maxAttempts(5).budget(budget).build();
    List<RetryEvent.BudgetExhausted> seen = new ArrayList<>();
    events.subscribe(RetryEvent.BudgetExhausted.class, seen::add);
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> retry.run(failing(calls)))
        .isInstanceOfSatisfying(RetryBudgetExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(1))
        .hasCauseInstanceOf(IOException.class);
    assertThat(seen).singleElement().satisfies(e -> assertThat(e.attempts()).isEqualTo(1));
  }

  @Test
  void firstTimeSuccess_publishesNoSucceededAfterRetries() throws Exception {
    List<RetryEvent> seen = new ArrayList<>();
    events.subscribe(RetryEvent.class, seen::add);
    assertThat(builder().build().run(() -> "fine")).isEqualTo("fine");
    assertThat(seen).isEmpty();
  }

  @Test
  void copies_keepTheClassifierAndTheDeadline() {
    Retry base =
        builder()
            .maxAttempts(3)
            .maxDuration(Duration.ofMillis(1500))
            .classifier(e -> e instanceof IOException ? RetryAction.fail() : RetryAction.retry())
            .build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> base.maxAttempts(5).run(failing(calls))).isInstanceOf(IOException.class);
    assertThat(calls.get()).isEqualTo(1); // the copy still classifies IOException as fatal

    Retry deadline = builder().maxDuration(Duration.ofMillis(1500)).build().maxAttempts(10);
    calls.set(0);
    assertThatThrownBy(() -> drive(() -> deadline.run(failing(calls)))).isInstanceOf(RetryDeadlineExceededException.class);
    assertThat(calls.get()).isEqualTo(2); // the copy kept the 1.5 s deadline
  }

  @Test
  void decorate_withAResultClassifier_retriesUnwantedResults() throws Exception {
    Retry retry = builder().maxAttempts(3).retryOnResult("bad"::equals).build();
    AtomicInteger calls = new AtomicInteger();
    CheckedSupplier<String> d = retry.decorate(() -> calls.incrementAndGet() < 2 ? "bad" : "good");
    assertThat(drive(d::get)).isEqualTo("good");
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void decorate_withADeadline_countsTheFirstAttemptsTime() {
    Retry retry = builder().maxAttempts(5).maxDuration(Duration.ofSeconds(2)).build();
    AtomicInteger calls = new AtomicInteger();
    CheckedSupplier<String> d = retry.decorate(() -> {
      calls.incrementAndGet();
      ticker.advance(Duration.ofMillis(1500)); // a slow first attempt
      throw new IOException("slow");
    });
    assertThatThrownBy(() -> drive(d::get)).isInstanceOf(RetryDeadlineExceededException.class);
    assertThat(calls.get()).isEqualTo(1); // a 1 s wait after 1.5 s would end past 2 s
  }

  @Test
  void decorate_withABudget_countsAFirstTimeSuccessAsACall() throws Exception {
    RetryBudget budget = RetryBudget.builder().ratio(1).minPerSecond(0).ticker(ticker).build();
    Retry retry = builder().budget(budget).build();
    assertThat(retry.decorate(() -> "ok").get()).isEqualTo("ok");
    assertThat(budget.tryRetry()).isTrue(); // earned by the call just made
  }

  @Test
  void decorateAsync_retriesTheStage() {
    Retry retry = builder().maxAttempts(3).build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> f =
        retry
            .decorateAsync(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.<String>failedFuture(new IOException())
                : CompletableFuture.completedFuture("third"))
            .get()
            .toCompletableFuture();
    ticker.advance(SECOND);
    ticker.advance(SECOND);
    assertThat(f).isCompletedWithValue("third");
  }

  @Test
  void async_wrappedFailures_reachTheClassifierUnwrapped() {
    Retry retry = builder().maxAttempts(2).build();
    List<Class<?>> classified = new ArrayList<>();
    CompletableFuture<Object> f =
        retry
            .runAsync(
                () -> CompletableFuture.failedFuture(new CompletionException(new ExecutionException(new IOException("x")))),
                e -> {
                  classified.add(e.getClass());
                  return RetryAction.fail();
                })
            .toCompletableFuture();
    assertThat(classified).containsExactly(IOException.class);
    assertThatThrownBy(f::join).hasCauseInstanceOf(IOException.class);

    CompletionException bare = new CompletionException("no cause", null);
    classified.clear();
    retry.runAsync(() -> CompletableFuture.failedFuture(bare), e -> {
      classified.add(e.getClass());
      return RetryAction.fail();
    });
    assertThat(classified).containsExactly(CompletionException.class);
  }

  @Test
  void async_aCallThatThrowsOrReturnsNull_failsTheStage() {
    Retry retry = builder().maxAttempts(1).build();
    CompletableFuture<Object> thrown =
        retry.runAsync(() -> { throw new IllegalStateException("no stage"); }).toCompletableFuture();
    assertThatThrownBy(thrown::join).hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("no stage");
    CompletableFuture<Object> nullStage = retry.runAsync(() -> null).toCompletableFuture();
    assertThatThrownBy(nullStage::join).hasRootCauseMessage("the call returned a null stage");
  }

  @Test
  void async_cancellingTheRun_cancelsTheAttemptInFlight() {
    Retry retry = builder().build();
    CompletableFuture<String> inner = new CompletableFuture<>();
    CompletableFuture<String> out = retry.runAsync(() -> inner).toCompletableFuture();
    out.cancel(true);
    assertThat(inner).isCancelled();
  }

  @Test
  void async_cancellingTheRunDuringAWait_cancelsTheTimer() {
    Retry retry = builder().maxAttempts(3).build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<Object> out =
        retry.runAsync(() -> {
          calls.incrementAndGet();
          return CompletableFuture.failedFuture(new IOException());
        }).toCompletableFuture();
    assertThat(ticker.pendingTasks()).isEqualTo(1);
    out.cancel(false);
    assertThat(ticker.pendingTasks()).isZero();
    ticker.advance(Duration.ofSeconds(5));
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void defaultRandom_drawsDecorrelatedDelaysAboveTheBase() {
    Retry retry =
        Retry.builder()
            .backoff(Backoff.constant(SECOND).withMax(Duration.ofSeconds(10)).withJitter(Jitter.DECORRELATED))
            .maxAttempts(3)
            .ticker(ticker)
            .events(events)
            .build();
    List<RetryEvent.Attempt> seen = new ArrayList<>();
    events.subscribe(RetryEvent.Attempt.class, seen::add);
    retry.runAsync(() -> CompletableFuture.failedFuture(new IOException()));
    ticker.advance(Duration.ofSeconds(10));
    assertThat(seen).hasSize(2).allSatisfy(a -> assertThat(a.delay()).isBetween(SECOND, Duration.ofSeconds(10)));
  }

  @Test
  void seededRandom_drawsTheSameDelaysAsTheBackoffDoes() {
    Backoff b = Backoff.constant(Duration.ofSeconds(10)).withJitter(Jitter.FULL);
    Retry retry = Retry.builder().backoff(b).maxAttempts(2).ticker(ticker).events(events).random(new SplittableRandom(99)).build();
    List<RetryEvent.Attempt> seen = new ArrayList<>();
    events.subscribe(RetryEvent.Attempt.class, seen::add);
    retry.runAsync(() -> CompletableFuture.failedFuture(new IOException()));
    long expected = b.delayNanos(1, 0, new SplittableRandom(99));
    assertThat(seen).singleElement().satisfies(a -> assertThat(a.delay()).isEqualTo(Duration.ofNanos(expected)));
  }

  @Test
  void retryAction_valueSemantics() {
    assertThat(RetryAction.fail().kind()).isEqualTo(RetryAction.Kind.FAIL);
    assertThat(RetryAction.retry().kind()).isEqualTo(RetryAction.Kind.RETRY);
    assertThat(RetryAction.fail().after()).isEmpty();
    RetryAction a = RetryAction.retryAfter(SECOND);
    assertThat(a).isEqualTo(RetryAction.retryAfter(SECOND)).hasSameHashCodeAs(RetryAction.retryAfter(SECOND));
    assertThat(a).isNotEqualTo(RetryAction.retryAfter(Duration.ofSeconds(2))).isNotEqualTo(RetryAction.retry()).isNotEqualTo("RETRY");
    assertThat(RetryAction.retry()).isNotEqualTo(RetryAction.fail());
    assertThat(a.hashCode()).isNotEqualTo(RetryAction.retryAfter(Duration.ofSeconds(2)).hashCode());
    assertThat(a).hasToString("RETRY_AFTER(PT1S)");
    assertThat(RetryAction.fail()).hasToString("FAIL");
  }
}
