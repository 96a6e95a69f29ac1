package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DecoratorsTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private Throttle throttle(long burst) {
    return Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(burst).ticker(ticker).events(events).build();
  }

  private Retry retry(int attempts) {
    return Retry.builder().maxAttempts(attempts).backoff(Backoff.constant(Duration.ofMillis(10)))
        .ticker(ticker).events(events).build();
  }

  /** Fails with IOException {@code failures} times, then answers "ok". */
  private static Callable<String> flaky(int failures, AtomicInteger calls) {
    return () -> {
      if (calls.incrementAndGet() <= failures) {
        throw new IOException("boom " + calls.get());
      }
      return "ok";
    };
  }

  private <T> T whileTicking(Callable<T> call) throws Exception {
    return Ticking.whileTicking(ticker, call);
  }

  @Test
  void retryOutsideThrottle_takesAPermitPerAttempt() throws Exception {
    Throttle limiter = throttle(5);
    AtomicInteger calls = new AtomicInteger();
    String result = whileTicking(Decorators.ofCallable(flaky(2, calls)).withThrottle(limiter).withRetry(retry(3)).decorate());
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(limiter.availablePermits()).isEqualTo(2); // three attempts, three permits
  }

  @Test
  void throttleOutsideRetry_takesOnePermitForAllAttempts() throws Exception {
    Throttle limiter = throttle(5);
    AtomicInteger calls = new AtomicInteger();
    Callable<String> call = Decorators.ofCallable(flaky(2, calls)).withRetry(retry(3)).withThrottle(limiter).decorate();
    assertThat(whileTicking(call)).isEqualTo("ok");
    assertThat(limiter.availablePermits()).isEqualTo(4);
  }

  @Test
  void everyEntryPoint_runsTheCallThroughTheSteps() throws Exception {
    Throttle limiter = throttle(10);
    assertThat(Decorators.ofSupplier(() -> "s").withThrottle(limiter).get()).isEqualTo("s");
    assertThat(Decorators.ofSupplier(() -> "s").withThrottle(limiter).decorate().get()).isEqualTo("s");
    assertThat(Decorators.ofCallable(() -> "c").withThrottle(limiter).call()).isEqualTo("c");
    AtomicInteger ran = new AtomicInteger();
    Decorators.ofRunnable(ran::incrementAndGet).withThrottle(limiter).run();
    Decorators.ofRunnable(ran::incrementAndGet).withThrottle(limiter).decorate().run();
    assertThat(ran).hasValue(2);
    Function<Integer, Integer> twice = Decorators.<Integer, Integer>ofFunction(x -> x * 2).withThrottle(limiter).decorate();
    assertThat(twice.apply(21)).isEqualTo(42);
    CompletionStage<String> stage =
        Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("a")).withThrottle(limiter).get();
    assertThat(stage.toCompletableFuture().join()).isEqualTo("a");
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  @Test
  void checkedExceptions_passUnwrappedFromCallable_wrappedFromSupplierTerminals() {
    Callable<String> failing = () -> {
      throw new IOException("io");
    };
    assertThatThrownBy(() -> Decorators.ofCallable(failing).withRetry(retry(1)).call()).isInstanceOf(IOException.class);
    RuntimeException unchecked = new IllegalStateException("state");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> {
      throw unchecked;
    }).withRetry(retry(1)).get()).isSameAs(unchecked);
    Throttle empty = Throttle.builder().rate(1, Duration.ofSeconds(10)).initialPermits(0).ticker(ticker).build();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> "x").withThrottle(empty).get())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isTrue(); // kept, and cleared here
  }

  @Test
  void fallback_outsideAnOpenBreaker_answersWithoutCalling() {
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).ticker(ticker).events(events).build();
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> guarded = Decorators.<String>ofSupplier(() -> {
      calls.incrementAndGet();
      throw new IllegalStateException("down");
    }).withBreaker(breaker).withFallback(e -> "fallback:" + e.getClass().getSimpleName()).decorate();
    assertThat(guarded.get()).isEqualTo("fallback:IllegalStateException");
    assertThat(guarded.get()).isEqualTo("fallback:CircuitOpenException");
    assertThat(calls).hasValue(1);
  }

  @Test
  void typedFallback_letsOtherFailuresThrough() {
    Supplier<String> guarded = Decorators.<String>ofSupplier(() -> {
      throw new IllegalArgumentException("bad");
    }).withFallback(CircuitOpenException.class, e -> "open").decorate();
    assertThatThrownBy(guarded::get).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void multiLimiter_reservesTheEstimate_andSettlesTheActualCostFromTheResult() {
    Throttle requests = Throttle.builder().rate(10, Duration.ofMinutes(1)).ticker(ticker).build();
    Throttle tokens = Throttle.builder().rate(1_000, Duration.ofMinutes(1)).ticker(ticker).build();
    MultiLimiter llm = MultiLimiter.builder().dimension("requests", requests).dimension("tokens", tokens).ticker(ticker).build();
    Supplier<Integer> completion = Decorators.ofSupplier(() -> 120) // the response says 120 tokens
        .withThrottle(llm, Costs.of("requests", 1, "tokens", 500), used -> Costs.of("requests", 1, "tokens", used))
        .decorate();
    assertThat(completion.get()).isEqualTo(120);
    assertThat(llm.availablePermits("tokens")).isEqualTo(880);
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
  }

  @Test
  void functionChain_costsDependOnTheArgument() {
    Throttle tokens = Throttle.builder().rate(1_000, Duration.ofMinutes(1)).ticker(ticker).build();
    MultiLimiter llm = MultiLimiter.builder().dimension("tokens", tokens).ticker(ticker).build();
    Function<String, Integer> length = Decorators.<String, Integer>ofFunction(String::length)
        .withThrottle(llm, prompt -> Costs.of("tokens", prompt.length() * 10L), (prompt, n) -> Costs.of("tokens", n))
        .decorate();
    assertThat(length.apply("hello")).isEqualTo(5);
    assertThat(llm.availablePermits("tokens")).isEqualTo(995);
  }

  @Test
  void badSteps_failWhenTheChainIsBuilt() {
    MultiLimiter llm = MultiLimiter.builder().dimension("tokens", throttle(10)).ticker(ticker).build();
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> 1).withThrottle(llm, Costs.of("tokenz", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenz");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> 1).withThrottle(throttle(10), 11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 11");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> 1).withRetry(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retry must not be null");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> 1).named("a").named("b"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void chains_areImmutable() {
    Throttle limiter = throttle(10);
    var base = Decorators.ofSupplier(() -> "x");
    var throttled = base.withThrottle(limiter);
    base.get();
    assertThat(limiter.availablePermits()).isEqualTo(10);
    throttled.get();
    assertThat(limiter.availablePermits()).isEqualTo(9);
  }

  @Test
  void eachAttempt_isClassifiedOnce_andPublishedUnderTheChainName() throws Exception {
    List<CallEvent.Finished> seen = new ArrayList<>();
    events.subscribe(CallEvent.Finished.class, "openai", seen::add);
    AtomicInteger calls = new AtomicInteger();
    CallClassifier classifier = new CallClassifier() {
      @Override
      public Outcome classify(Object result, Throwable failure) {
        return failure instanceof IOException ? Outcome.DROPPED : Outcome.SUCCESS;
      }

      @Override
      public Duration retryAfter(Object result, Throwable failure) {
        return failure != null ? Duration.ofSeconds(7) : null;
      }
    };
    Callable<String> call = () -> {
      ticker.advance(Duration.ofMillis(40)); // the downstream takes 40 ms
      return flaky(1, calls).call();
    };
    String result = whileTicking(Decorators.ofCallable(call).withRetry(retry(2))
        .named("openai").withEvents(events).withTicker(ticker).classifiedBy(classifier).decorate());
    assertThat(result).isEqualTo("ok");
    assertThat(seen).extracting(CallEvent.Finished::outcome).containsExactly(Outcome.DROPPED, Outcome.SUCCESS);
    assertThat(seen).extracting(CallEvent.Finished::latency).containsOnly(Duration.ofMillis(40));
    assertThat(seen.get(0).retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(seen.get(1).retryAfter()).isEmpty();
    assertThat(seen.get(0).failure()).containsInstanceOf(IOException.class);
  }

  @Test
  void aThrowingListenerOrClassifier_neverBreaksTheCall() throws Exception {
    events.subscribe(CallEvent.class, e -> {
      throw new IllegalStateException("listener bug");
    });
    String result = Decorators.ofCallable(() -> "fine").withEvents(events)
        .classifiedBy((r, f) -> {
          throw new IllegalStateException("classifier bug");
        }).call();
    assertThat(result).isEqualTo("fine");
  }

  @Test
  void asyncChain_neverBlocksItsThread() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      Throttle limiter = throttle(1);
      AtomicInteger calls = new AtomicInteger();
      Supplier<CompletionStage<String>> chain = Decorators.ofCompletionStage(
              () -> CompletableFuture.supplyAsync(() -> {
                if (calls.incrementAndGet() == 1) {
                  throw new IllegalStateException("first attempt fails");
                }
                return "done" + calls.get();
              }, single))
          .withThrottle(limiter)
          .withRetry(retry(3))
          .decorate();
      // three calls started from the single thread: with one permit a second, all but the first
      // must wait; if any wait blocked the thread, the task below would never finish
      List<CompletableFuture<String>> results = single.submit(() -> {
        List<CompletableFuture<String>> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          out.add(chain.get().toCompletableFuture());
        }
        return out;
      }).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 200 && !results.stream().allMatch(CompletableFuture::isDone); i++) {
        ticker.advance(Duration.ofMillis(100));
        single.submit(() -> { }).get(30, TimeUnit.SECONDS); // let the executor run what was released
      }
      assertThat(results).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
      assertThat(calls).hasValue(4); // one retried attempt
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void queueAndBulkhead_compose() throws Exception {
    Throttle limiter = throttle(10);
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(limiter).events(events).build();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(2).ticker(ticker).events(events).build();
    String result = Decorators.ofCallable(() -> {
      assertThat(bulkhead.inFlight()).isEqualTo(1);
      return "q";
    }).withQueue(queue, "tenant-1", 5).withBulkhead(bulkhead).call();
    assertThat(result).isEqualTo("q");
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(limiter.availablePermits()).isEqualTo(9);
  }

  @Test
  void theReadmeChain_throttleBreakerRetryFallbackNamed() throws Exception {
    Throttle limiter = throttle(10);
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(5)).ticker(ticker).events(events).build();
    List<CallEvent.Finished> seen = new ArrayList<>();
    events.subscribe(CallEvent.Finished.class, "search-api", seen::add);
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> guarded = Decorators.ofSupplier(() -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("flaky");
          }
          return "live answer";
        })
        .withThrottle(limiter)
        .withBreaker(breaker)
        .withRetry(retry(2))
        .withFallback(e -> "cached answer")
        .named("search-api")
        .withEvents(events)
        .decorate();
    assertThat(whileTicking(guarded::get)).isEqualTo("cached answer"); // two attempts, both failed
    assertThat(whileTicking(guarded::get)).isEqualTo("live answer");
    assertThat(limiter.availablePermits()).isEqualTo(7);
    assertThat(seen).extracting(CallEvent.Finished::outcome)
        .containsExactly(Outcome.FAILURE, Outcome.FAILURE, Outcome.SUCCESS);
  }

  @Test
  void cancellingAnAsyncChainWithAFallback_leavesTheQueue() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofHours(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(empty).events(events).build();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("x"))
        .withQueue(queue, "k", 0, 1, null) // no deadline: it waits until cancelled
        .withFallback(e -> "fallback")
        .get().toCompletableFuture();
    assertThat(queue.size()).isEqualTo(1);
    stage.cancel(false);
    assertThat(queue.size()).isZero();
  }

  @Test
  void cancellingAnAsyncChain_reachesAQueueInsideRetryAndBreaker() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofHours(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(empty).events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(5)).ticker(ticker).events(events).build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(() -> {
          calls.incrementAndGet();
          return CompletableFuture.completedFuture("x");
        })
        .withQueue(queue, "k", 0, 1, null)
        .withBreaker(breaker)
        .withRetry(retry(3))
        .withFallback(e -> "fallback")
        .get().toCompletableFuture();
    assertThat(queue.size()).isEqualTo(1);
    stage.cancel(false);
    assertThat(queue.size()).isZero();
    ticker.advance(Duration.ofHours(2));
    assertThat(calls).hasValue(0);
    assertThat(breaker.state()).isEqualTo(io.throttlenet.breaker.BreakerState.CLOSED);
  }

  @Test
  void cancellingACallInFlight_isNotCountedAsAFailureByTheBreaker() {
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).ticker(ticker).events(events).build();
    CompletableFuture<String> inFlight = new CompletableFuture<>();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(() -> inFlight)
        .withBreaker(breaker)
        .get().toCompletableFuture();
    stage.cancel(false);
    assertThat(inFlight).isCancelled(); // the cancel reached the call
    assertThat(breaker.state()).isEqualTo(io.throttlenet.breaker.BreakerState.CLOSED);
  }

  @Test
  void cancellingACallInFlight_reachesItThroughThrottleAndBulkhead_andGivesTheSlotBack() {
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).events(events).build();
    CompletableFuture<String> inFlight = new CompletableFuture<>();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(() -> inFlight)
        .withThrottle(throttle(5))
        .withBulkhead(bulkhead)
        .get().toCompletableFuture();
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    stage.cancel(false);
    assertThat(inFlight).isCancelled();
    assertThat(bulkhead.inFlight()).isZero();
  }
}
