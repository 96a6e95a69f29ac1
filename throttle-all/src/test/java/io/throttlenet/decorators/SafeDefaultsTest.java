package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.throttlenet.breaker.BreakerState;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CallTimeoutException;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.Timeout;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.BulkheadFullException;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.queue.DeadlineExceededException;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a chain never waits forever, never retries the impossible, never blames the
 * downstream for a local refusal, and never frees a slot while the call behind it still runs.
 */
class SafeDefaultsTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private Retry retry(int attempts) {
    return Retry.builder().maxAttempts(attempts).backoff(Backoff.constant(Duration.ofMillis(100)))
        .ticker(ticker).events(events).build();
  }

  // ---- 2. the retry stops for what no retry can cure ----

  @Test
  void readmeChain_withTheBreakerOpen_failsFastWithoutRetrying() {
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1))
        .cooldown(Duration.ofSeconds(10)).ticker(ticker).events(events).build();
    breaker.forceOpen();
    List<RetryEvent> retries = new ArrayList<>();
    Retry retry = retry(5);
    events.subscribe(RetryEvent.Attempt.class, retry.name(), retries::add);
    Supplier<String> guarded = Decorators.ofSupplier(() -> "live")
        .withThrottle(Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).build())
        .withBreaker(breaker)
        .withRetry(retry)
        .withFallback(e -> "cached answer")
        .decorate();
    // a retry that waited would park on the manual ticker, which nobody advances: the bound catches it
    String answer = assertTimeoutPreemptively(Duration.ofSeconds(20), guarded::get);
    assertThat(answer).isEqualTo("cached answer");
    assertThat(retries).isEmpty();
  }

  @Test
  void costAboveACapacity_isNeverRetried_evenByAClassifierThatSaysRetry() throws Exception {
    Throttle small = Throttle.builder().rate(5, Duration.ofSeconds(1)).ticker(ticker).build();
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry(4);
    assertThatThrownBy(() -> retry.run(() -> {
      calls.incrementAndGet();
      small.acquire(9);
      return "x";
    }, e -> io.throttlenet.retry.RetryAction.retry())).isInstanceOf(CostExceedsCapacityException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void defaultRetry_doesNotRetryProgrammingErrors_butRetriesFailures() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry(3);
    assertThatThrownBy(() -> retry.run(() -> {
      calls.incrementAndGet();
      throw new IllegalArgumentException("bad");
    })).isInstanceOf(IllegalArgumentException.class);
    assertThat(calls).hasValue(1);
    calls.set(0);
    assertThatThrownBy(() -> retry.run(() -> {
      calls.incrementAndGet();
      throw new NullPointerException("null");
    })).isInstanceOf(NullPointerException.class);
    assertThat(calls).hasValue(1);
    calls.set(0);
    assertThatThrownBy(() -> Ticking.whileTicking(ticker, () -> retry.run(() -> {
      calls.incrementAndGet();
      throw new IOException("transient");
    }))).hasCauseInstanceOf(IOException.class);
    assertThat(calls).hasValue(3);
  }

  @Test
  void multiLimiterChain_withACostAboveADimension_failsWhenBuilt() {
    MultiLimiter llm = MultiLimiter.builder().name("llm")
        .dimension("requests", Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).build())
        .dimension("tokens", Throttle.builder().rate(1000, Duration.ofSeconds(1)).ticker(ticker).build())
        .build();
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> "x").withThrottle(llm, Costs.of("requests", 1, "tokens", 2000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("llm[tokens]").hasMessageContaining("1000").hasMessageContaining("2000");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> "x")
        .withThrottle(llm, Costs.of("tokens", 1001), r -> Costs.of("tokens", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("llm[tokens]");
  }

  // ---- 1. bounded waits ----

  @Test
  void throttleStep_waitsAtMostItsBound_andRefusesALongerWaitAtOnce() {
    Throttle perMinute = Throttle.builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build();
    Supplier<String> call = Decorators.ofSupplier(() -> "x").withThrottle(perMinute).decorate();
    assertThat(call.get()).isEqualTo("x");
    assertThatThrownBy(call::get).isInstanceOf(MaxWaitExceededException.class)
        .hasMessageContaining(perMinute.name());
    assertThat(perMinute.availablePermits()).isZero(); // the refused call charged nothing
    CompletionStage<String> async = Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("y"))
        .withThrottle(perMinute).get();
    assertThat(async.toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void multiLimiterStep_waitsAtMostItsBound() {
    MultiLimiter llm = MultiLimiter.builder()
        .dimension("requests", Throttle.builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build())
        .build();
    Supplier<String> call = Decorators.ofSupplier(() -> "x").withThrottle(llm, Costs.of("requests", 1)).decorate();
    call.get();
    assertThatThrownBy(call::get).isInstanceOf(MaxWaitExceededException.class);
    Supplier<String> settled = Decorators.ofSupplier(() -> "x")
        .withThrottle(llm, Costs.of("requests", 1), r -> Costs.of("requests", 1), Duration.ofSeconds(1)).decorate();
    assertThatThrownBy(settled::get).isInstanceOf(MaxWaitExceededException.class);
    assertThat(Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("y"))
        .withThrottle(llm, Costs.of("requests", 1)).get().toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void bulkheadStep_waitsAtMostItsMaxWait_andCapsItsWaiters() throws Exception {
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).maxWait(Duration.ofSeconds(1)).maxWaiters(1)
        .ticker(ticker).events(events).build();
    CompletableFuture<String> first = new CompletableFuture<>();
    Supplier<CompletionStage<String>> chain = Decorators.ofCompletionStage(() -> first)
        .withBulkhead(bulkhead).decorate();
    CompletionStage<String> running = chain.get();
    CompletableFuture<String> waiting = chain.get().toCompletableFuture();
    CompletableFuture<String> refused = chain.get().toCompletableFuture();
    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::join).hasCauseInstanceOf(BulkheadFullException.class);
    assertThat(waiting).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(BulkheadFullException.class);
    assertThat(bulkhead.waiting()).isZero();
    first.complete("done");
    assertThat(running.toCompletableFuture()).isCompletedWithValue("done");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void bulkheadVerbs_refuseWhenTheLineIsFull() throws Exception {
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).maxWaiters(1).ticker(ticker).build();
    var slot = bulkhead.acquire();
    CompletableFuture<?> queued = bulkhead.acquireAsync().toCompletableFuture();
    assertThatThrownBy(bulkhead::acquire).isInstanceOf(BulkheadFullException.class);
    assertThat(bulkhead.tryAcquire(Duration.ofSeconds(5))).isEmpty();
    slot.success();
    assertThat(queued).isCompleted();
  }

  @Test
  void queueStep_hasADefaultDeadline() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofMinutes(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(empty).build();
    Supplier<String> call = Decorators.ofSupplier(() -> "x").withQueue(queue, "k", 0).decorate();
    assertThatThrownBy(call::get).isInstanceOf(DeadlineExceededException.class); // 60 s > 30 s: refused at once
    assertThat(queue.size()).isZero();
  }

  // ---- the timeout step ----

  @Test
  void timeout_async_failsTheStageAndReleasesTheWaitInside() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofSeconds(10)).initialPermits(0).ticker(ticker).build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(() -> {
          calls.incrementAndGet();
          return CompletableFuture.completedFuture("late");
        })
        .withThrottle(empty)
        .withTimeout(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build())
        .get().toCompletableFuture();
    ticker.advance(Duration.ofSeconds(2));
    assertThatThrownBy(stage::join).hasCauseInstanceOf(CallTimeoutException.class);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(calls).hasValue(0); // the permit wait was cancelled: the call never started
    assertThat(empty.availablePermits()).isEqualTo(1); // and the booking came back
  }

  @Test
  void timeout_sync_interruptsAWaitInside_andLeavesNoInterruptBehind() throws Exception {
    Throttle empty = Throttle.builder().rate(1, Duration.ofSeconds(10)).initialPermits(0).ticker(ticker).build();
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> call = Decorators.ofSupplier(() -> {
          calls.incrementAndGet();
          return "x";
        })
        .withThrottle(empty)
        .withTimeout(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build())
        .decorate();
    CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        call.get();
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
      interruptedAfter.complete(Thread.currentThread().isInterrupted());
    });
    caller.start();
    ticker.awaitSleepers(1);
    ticker.advance(Duration.ofSeconds(2));
    caller.join();
    assertThat(thrown.get()).isInstanceOf(CallTimeoutException.class);
    assertThat(interruptedAfter.get()).isFalse();
    assertThat(calls).hasValue(0);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(empty.availablePermits()).isEqualTo(1); // the interrupted wait gave its booking back
  }

  // ---- 4. the breaker judges the downstream only ----

  @Test
  void breaker_doesNotCountRefusalsOfStepsInsideIt() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofMinutes(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(empty).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(3)).ticker(ticker).events(events).build();
    Supplier<String> call = Decorators.ofSupplier(() -> "x").withQueue(queue, "k", 0).withBreaker(breaker).decorate();
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(call::get).isInstanceOf(DeadlineExceededException.class);
    }
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);

    CircuitBreaker strict = CircuitBreaker.builder().trip(Trip.consecutive(3)).recordRejections(true)
        .ticker(ticker).events(events).build();
    Supplier<String> strictCall = Decorators.ofSupplier(() -> "x").withQueue(queue, "k", 0).withBreaker(strict).decorate();
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(strictCall::get).isInstanceOf(DeadlineExceededException.class);
    }
    assertThat(strict.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void halfOpenProbe_interruptedWhileWaitingForASlot_givesItsProbeBack() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).cooldown(Duration.ofSeconds(1))
        .halfOpenProbes(1).ticker(ticker).events(events).build();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    Supplier<String> call = Decorators.ofSupplier(() -> "ok").withBulkhead(bulkhead).withBreaker(breaker).decorate();
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> {
      throw new IllegalStateException("down");
    }).withBreaker(breaker).get()).isInstanceOf(IllegalStateException.class);
    ticker.advance(Duration.ofSeconds(1));
    var held = bulkhead.acquire();
    Thread.currentThread().interrupt();
    assertThatThrownBy(call::get).isInstanceOf(CompletionException.class).hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isTrue();
    assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN); // 0 calls reached the downstream
    held.success();
    assertThat(call.get()).isEqualTo("ok"); // the probe slot was given back
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
  }

  // ---- 5. a cancel never frees what a running call holds ----

  /** Calls whose stages ignore a cancel: the work goes on until the test completes it. */
  private static final class Uncancellable implements Supplier<CompletionStage<String>> {
    final List<CompletableFuture<String>> started = new ArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    @Override
    public synchronized CompletionStage<String> get() {
      CompletableFuture<String> work = new CompletableFuture<>();
      started.add(work);
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      work.whenComplete((r, t) -> running.decrementAndGet());
      return work.minimalCompletionStage();
    }

    synchronized CompletableFuture<String> work(int i) {
      return started.get(i);
    }
  }

  @Test
  void cancelledCallers_behindAThrottleStep_neverExceedTheBulkheadLimit() {
    Uncancellable call = new Uncancellable();
    Throttle throttle = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).build();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    Supplier<CompletionStage<String>> chain = Decorators.ofCompletionStage(call)
        .withThrottle(throttle).withBulkhead(bulkhead).decorate();
    List<CompletableFuture<String>> callers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      callers.add(chain.get().toCompletableFuture());
    }
    for (int i = 0; i < 5; i++) {
      callers.get(i).cancel(false); // each caller gives up; the call it started runs on
      ticker.advance(Duration.ofMillis(10));
    }
    assertThat(call.maxRunning).hasValue(1);
    assertThat(call.started).hasSize(1);
    assertThat(bulkhead.inFlight()).isEqualTo(1); // held until the call really ends
    call.work(0).complete("done");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void cancelledProbe_behindAThrottleStep_keepsItsSlotUntilTheCallEnds() {
    Uncancellable call = new Uncancellable();
    Throttle throttle = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).cooldown(Duration.ofSeconds(1))
        .halfOpenProbes(1).ticker(ticker).events(events).build();
    Supplier<CompletionStage<String>> chain = Decorators.ofCompletionStage(call)
        .withThrottle(throttle).withBreaker(breaker).decorate();
    chain.get();
    call.work(0).completeExceptionally(new IOException("down"));
    ticker.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 3; i++) {
      CompletableFuture<String> probe = chain.get().toCompletableFuture();
      probe.cancel(false);
    }
    assertThat(call.maxRunning).hasValue(1); // one probe at a time, cancelled or not
    assertThat(call.started).hasSize(2);
    call.work(1).complete("ok");
    assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN); // a cancelled probe records nothing
    assertThat(chain.get().toCompletableFuture()).isNotCompletedExceptionally(); // its slot came back
  }

  // ---- issue 13, item 16: a null stage fails the same way with or without steps ----

  @Test
  void aCallReturningNoStage_failsWithTheSameClearNpe_withOrWithoutSteps() {
    assertThatThrownBy(() -> Decorators.ofCompletionStage(() -> null).get())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("the call's stage");
    CompletableFuture<Object> stepped = Decorators.ofCompletionStage(() -> null)
        .withRetry(retry(1)).get().toCompletableFuture();
    assertThatThrownBy(stepped::join).hasCauseInstanceOf(NullPointerException.class)
        .hasMessageContaining("the call's stage");
  }

  // ---- found by review: a step outside the timeout, a cancel racing a retry, foreign interrupts ----

  @Test
  void asyncTimeout_insideABulkhead_failsTheCallerAtTheDeadline_whileTheSlotWaitsForTheCall() {
    Uncancellable call = new Uncancellable();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    CompletableFuture<String> stage = Decorators.ofCompletionStage(call)
        .withTimeout(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build())
        .withBulkhead(bulkhead)
        .get().toCompletableFuture();
    ticker.advance(Duration.ofSeconds(2));
    assertThatThrownBy(stage::join).hasCauseInstanceOf(CallTimeoutException.class); // not held back
    assertThat(bulkhead.inFlight()).isEqualTo(1); // the call still runs
    call.work(0).complete("late");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void cancelDuringARetryAttemptThatThrows_stillFreesTheOuterSlot() {
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    AtomicInteger attempts = new AtomicInteger();
    List<CompletableFuture<String>> caller = new ArrayList<>();
    Supplier<CompletionStage<String>> call = () -> {
      if (attempts.incrementAndGet() == 1) {
        return CompletableFuture.failedFuture(new IOException("first"));
      }
      caller.get(0).cancel(false); // the caller gives up while this attempt is being made
      throw new IllegalStateException("second attempt fails as it starts");
    };
    caller.add(Decorators.ofCompletionStage(call).withRetry(retry(3)).withBulkhead(bulkhead).get().toCompletableFuture());
    ticker.advance(Duration.ofMillis(100)); // the retry's delay: the second attempt runs
    assertThat(attempts).hasValue(2);
    assertThat(caller.get(0)).isCancelled();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void syncTimeout_neverClearsAnInterruptItDidNotCause() {
    Supplier<String> call = Decorators.ofSupplier(() -> {
          ticker.advance(Duration.ofSeconds(3)); // the deadline passes while the call runs
          return "late";
        })
        .withTimeout(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build())
        .decorate();
    Thread.currentThread().interrupt(); // somebody else asked this thread to stop
    assertThatThrownBy(call::get).isInstanceOf(CallTimeoutException.class);
    assertThat(Thread.interrupted()).isTrue(); // still there for the caller to see
  }

  // ---- 6. names never collide ----

  @Test
  void unnamedComponents_getUniqueNames_andUnnamedChainsPublishApart() {
    assertThat(Throttle.perSecond(1).name()).isNotEqualTo(Throttle.perSecond(1).name());
    assertThat(CircuitBreaker.builder().build().name()).isNotEqualTo(CircuitBreaker.builder().build().name());
    assertThat(ConcurrencyLimit.of(1).name()).isNotEqualTo(ConcurrencyLimit.of(1).name());
    Set<String> chains = new HashSet<>();
    events.subscribe(CallEvent.Finished.class, e -> chains.add(e.component()));
    Decorators.ofSupplier(() -> "a").withEvents(events).get();
    Decorators.ofSupplier(() -> "b").withEvents(events).get();
    assertThat(chains).hasSize(2).allMatch(n -> n.startsWith("call-"));
    Set<String> onTheDefaultRegistry = new HashSet<>();
    var subscription = EventRegistry.defaultRegistry()
        .subscribe(CallEvent.Finished.class, e -> onTheDefaultRegistry.add(e.component()));
    try {
      Decorators.ofSupplier(() -> "c").get(); // no step at all: still a chain of its own
      Decorators.ofSupplier(() -> "d").get();
    } finally {
      subscription.close();
    }
    assertThat(onTheDefaultRegistry).hasSize(2);
  }

  // ---- 7. one meaning for close() ----

  @Test
  void closingAnyPermitWithoutAReport_countsAFailure() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).ticker(ticker).build();
    io.throttlenet.core.Permit permit = breaker.acquire(); // a breaker permit is a core Permit too
    permit.close();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    List<io.throttlenet.queue.ConcurrencyEvent.Released> released = new ArrayList<>();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).events(events).build();
    events.subscribe(io.throttlenet.queue.ConcurrencyEvent.Released.class, released::add);
    try (io.throttlenet.core.Permit slot = bulkhead.acquire()) {
      assertThat(slot).isNotNull();
    }
    assertThat(released).extracting(io.throttlenet.queue.ConcurrencyEvent.Released::outcome)
        .containsExactly(io.throttlenet.core.Outcome.FAILURE);
  }

  // ---- 8. per-tenant steps ----

  record Request(String tenant, String body) {}

  @Test
  void perKeyStep_takesTheTenantFromEachArgument() {
    PerKey<String> perTenant = PerKey.<String>builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build();
    Function<Request, String> call = Decorators.<Request, String>ofFunction(Request::body)
        .withThrottle(perTenant, Request::tenant).decorate();
    assertThat(call.apply(new Request("a", "1"))).isEqualTo("1");
    assertThat(call.apply(new Request("b", "2"))).isEqualTo("2");
    assertThatThrownBy(() -> call.apply(new Request("a", "3"))).isInstanceOf(MaxWaitExceededException.class);
    Supplier<String> fixed = Decorators.ofSupplier(() -> "c").withThrottle(perTenant, "c").decorate();
    assertThat(fixed.get()).isEqualTo("c");
    assertThatThrownBy(fixed::get).isInstanceOf(MaxWaitExceededException.class);
  }

  @Test
  void layeredStep_withoutAnEndpointScope_needsOnlyTheTenant() throws Exception {
    Layered<String> layered = Layered.<String>builder()
        .global(Throttle.builder().rate(100, Duration.ofMinutes(1)).ticker(ticker).build())
        .perKey(PerKey.<String>builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build())
        .ticker(ticker)
        .build();
    Function<Request, String> call = Decorators.<Request, String>ofFunction(Request::body)
        .withThrottle(layered, Request::tenant).decorate();
    assertThat(call.apply(new Request("a", "1"))).isEqualTo("1");
    assertThatThrownBy(() -> call.apply(new Request("a", "2"))).isInstanceOf(MaxWaitExceededException.class);
    assertThat(layered.tryAcquire("b")).isTrue();
    assertThat(layered.tryAcquire("b")).isFalse();
    Layered<String> withEndpoints = Layered.<String>builder()
        .perEndpoint(PerKey.<String>builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build())
        .ticker(ticker)
        .build();
    assertThatThrownBy(() -> withEndpoints.acquire("a")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> "x").withThrottle(withEndpoints, "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint");
    assertThat(Decorators.ofSupplier(() -> "x")
        .withThrottle(withEndpoints, "a", "/v1/chat", 1, ChronoUnit.FOREVER.getDuration()).get()).isEqualTo("x");
  }
}
