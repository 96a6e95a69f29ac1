package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The breaker's less travelled paths: admission with and without a limiter (blocking and
 * asynchronous), what each rejection says, outcome events and their durations, probe accounting
 * and the builder's options.
 */
class CircuitBreakerPathsTest {
  private static final Duration TEN_S = Duration.ofSeconds(10);

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private CircuitBreaker.Builder builder() {
    return CircuitBreaker.builder().name("cb").ticker(ticker).events(events).cooldown(TEN_S);
  }

  private RateLimiter limiter(long burst) {
    return Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(burst).ticker(ticker).build();
  }

  private static void fail(CircuitBreaker b) throws InterruptedException {
    b.acquire().failure(new IOException("down"));
  }

  /** A breaker with one consecutive failure to trip, tripped and cooled down: half-open. */
  private CircuitBreaker halfOpen(CircuitBreaker.Builder builder) throws InterruptedException {
    CircuitBreaker b = builder.build();
    fail(b);
    ticker.advance(TEN_S);
    return b;
  }

  /** Counts reads of the time; waits go to the manual ticker. */
  private static final class CountingTicker implements Ticker {
    final ManualTicker inner;
    final AtomicInteger reads = new AtomicInteger();

    CountingTicker(ManualTicker inner) {
      this.inner = inner;
    }

    @Override
    public long read() {
      reads.incrementAndGet();
      return inner.read();
    }
  }

  /** A limiter that answers every reservation with {@code answer}. */
  private RateLimiter refusing(long answer) {
    return refusing(new AtomicLong(answer));
  }

  private RateLimiter refusing(AtomicLong answer) {
    return new RateLimiter() {
      @Override
      public String name() {
        return "stub";
      }

      @Override
      public Ticker ticker() {
        return ticker;
      }

      @Override
      public long capacity() {
        return 0;
      }

      @Override
      public long availablePermits() {
        return 0;
      }

      @Override
      public long reserve(long cost, long nowNanos, long maxWaitNanos) {
        return answer.get();
      }

      @Override
      public void cancel(long cost, long nowNanos, long waitNanos) {}

      @Override
      public long waitNanos(long cost, long nowNanos) {
        return answer.get();
      }

      @Override
      public void pauseUntil(long untilNanos) {}

      @Override
      public void limitAvailable(long permits, long nowNanos) {}

      @Override
      public void reset() {}
    };
  }

  // ---- reading the clock ----

  @Test
  void closedHotPath_withCountTripsAndNoListeners_readsNoClock() throws Exception {
    CountingTicker counting = new CountingTicker(ticker);
    CircuitBreaker b =
        CircuitBreaker.builder().trip(Trip.consecutive(3), Trip.failureRate(0.5, 10, 10)).ticker(counting).events(events).build();
    var call = b.decorate(() -> "ok");
    counting.reads.set(0);
    for (int i = 0; i < 20; i++) {
      assertThat(call.get()).isEqualTo("ok");
    }
    assertThat(counting.reads.get()).isZero();
  }

  @Test
  void decorate_measuresTheCall_forSuccessListeners() throws Exception {
    CircuitBreaker b = builder().build();
    List<BreakerEvent.Success> seen = new ArrayList<>();
    events.subscribe(BreakerEvent.Success.class, seen::add);
    b.decorate(() -> {
      ticker.advance(Duration.ofMillis(250));
      return "ok";
    }).get();
    assertThat(seen).singleElement().satisfies(e -> assertThat(e.duration()).isEqualTo(Duration.ofMillis(250)));
  }

  @Test
  void decorate_measuresTheCall_forFailureListeners() {
    CircuitBreaker b = builder().build();
    List<BreakerEvent.Failure> seen = new ArrayList<>();
    events.subscribe(BreakerEvent.Failure.class, seen::add);
    IOException down = new IOException("down");
    assertThatThrownBy(() -> b.decorate(() -> {
      ticker.advance(Duration.ofMillis(300));
      throw down;
    }).get()).isSameAs(down);
    assertThat(seen).singleElement().satisfies(e -> {
      assertThat(e.duration()).isEqualTo(Duration.ofMillis(300));
      assertThat(e.cause()).containsSame(down);
    });
  }

  @Test
  void decorate_withASlowCallTripAndNoListener_stillMeasuresTheCall() throws Exception {
    CircuitBreaker b = builder().trip(Trip.slowCallRate(Duration.ofSeconds(1), 1, 1, 1)).build();
    b.decorate(() -> {
      ticker.advance(Duration.ofSeconds(2));
      return "slow";
    }).get();
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  // ---- slow-call events ----

  @Test
  void slowCallEvents_areForCallsLongerThanTheSmallestThreshold() throws Exception {
    for (List<Trip> trips :
        List.of(
            List.of(Trip.consecutive(100), Trip.slowCallRate(Duration.ofSeconds(1), 1, 100, 100)),
            List.of(Trip.slowCallRate(Duration.ofSeconds(1), 1, 100, 100), Trip.consecutive(100)),
            List.of(Trip.slowCallRate(Duration.ofSeconds(2), 1, 100, 100), Trip.slowCallRate(Duration.ofSeconds(1), 1, 100, 100)),
            List.of(Trip.slowCallRate(Duration.ofSeconds(1), 1, 100, 100), Trip.slowCallRate(Duration.ofSeconds(2), 1, 100, 100)))) {
      EventRegistry registry = EventRegistry.create();
      List<BreakerEvent.SlowCall> slow = new ArrayList<>();
      registry.subscribe(BreakerEvent.SlowCall.class, slow::add);
      CircuitBreaker b = CircuitBreaker.builder().trip(trips.toArray(Trip[]::new)).ticker(ticker).events(registry).build();
      for (long ms : new long[] {1000, 1500, 999}) {
        CircuitBreaker.Permit p = b.acquire();
        ticker.advance(Duration.ofMillis(ms));
        p.success();
      }
      assertThat(slow).as("%s", trips).extracting(BreakerEvent.SlowCall::duration).containsExactly(Duration.ofMillis(1500));
    }
  }

  @Test
  void slowCallEvents_withoutASlowCallTrip_areNeverPublished() throws Exception {
    List<BreakerEvent.SlowCall> slow = new ArrayList<>();
    events.subscribe(BreakerEvent.SlowCall.class, slow::add);
    CircuitBreaker b = builder().build();
    CircuitBreaker.Permit p = b.acquire();
    ticker.advance(Duration.ofHours(1));
    p.success();
    assertThat(slow).isEmpty();
  }

  // ---- what a rejection says ----

  @Test
  void rejections_nameTheStateAndTheRestOfTheCooldown() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(4));
    assertThatThrownBy(b::acquire)
        .isInstanceOfSatisfying(CircuitOpenException.class, e -> {
          assertThat(e.state()).isEqualTo(BreakerState.OPEN);
          assertThat(e.retryAfter()).contains(Duration.ofSeconds(6));
        })
        .hasMessage("cb: circuit open, retry after PT6S");
    ticker.advance(Duration.ofSeconds(6));
    b.acquire(); // the only probe
    assertThatThrownBy(b::acquire)
        .isInstanceOfSatisfying(CircuitOpenException.class, e -> {
          assertThat(e.state()).isEqualTo(BreakerState.HALF_OPEN);
          assertThat(e.retryAfter()).isEmpty();
        })
        .hasMessage("cb: circuit half-open");
    b.forceOpen();
    assertThatThrownBy(b::acquire)
        .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.state()).isEqualTo(BreakerState.FORCED_OPEN))
        .hasMessage("cb: circuit forced-open");
  }

  @Test
  void rejections_arePublishedWhenForcedOpenAndWhenTheProbesAreTaken() throws Exception {
    List<BreakerEvent.CallNotPermitted> seen = new ArrayList<>();
    events.subscribe(BreakerEvent.CallNotPermitted.class, seen::add);
    CircuitBreaker b = halfOpen(builder().trip(Trip.consecutive(1)));
    b.acquire();
    assertThat(b.tryAcquire()).isEmpty();
    b.forceOpen();
    assertThat(b.tryAcquire()).isEmpty();
    assertThat(seen).extracting(BreakerEvent.CallNotPermitted::state).containsExactly(BreakerState.HALF_OPEN, BreakerState.FORCED_OPEN);
  }

  // ---- probes ----

  @Test
  void oneProbeAtATime_needsTwoSuccessesToClose() throws Exception {
    CircuitBreaker b = halfOpen(builder().trip(Trip.consecutive(1)).halfOpenProbes(1).successesToClose(2));
    CircuitBreaker.Permit first = b.acquire();
    assertThat(b.probesInFlight()).isEqualTo(1);
    assertThat(b.tryAcquire()).isEmpty();
    first.success();
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(b.probesInFlight()).isZero();
    b.acquire().success(); // the slot came back
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(b.probesInFlight()).isZero();
  }

  @Test
  void probeTimeout_countsFromTheLastProbe_andGrowsTheCooldown() throws Exception {
    CircuitBreaker b =
        halfOpen(
            builder()
                .trip(Trip.consecutive(1))
                .halfOpenProbes(2)
                .probeTimeout(Duration.ofSeconds(5))
                .cooldownGrowth(2, Duration.ofMinutes(5)));
    b.acquire(); // the first probe goes half-open, then is lost
    ticker.advance(Duration.ofSeconds(3));
    b.acquire(); // the second, 3 s later, is lost too
    ticker.advance(Duration.ofSeconds(4)); // 7 s after the first probe, 4 s after the last
    assertThatThrownBy(b::acquire).isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.state()).isEqualTo(BreakerState.HALF_OPEN));
    ticker.advance(Duration.ofSeconds(1)); // 5 s since the last probe: the slots are reclaimed
    assertThatThrownBy(b::acquire)
        .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(20)));
  }

  @Test
  void probeFailure_thatThePredicateDoesNotCount_closesTheBreaker() throws Exception {
    CircuitBreaker b = halfOpen(builder().trip(Trip.consecutive(1)).recordFailure(e -> !(e instanceof IllegalStateException)));
    b.acquire().failure(new IllegalStateException("not the downstream's fault"));
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void failureWithoutACause_countsAsAFailureWithoutAskingThePredicate() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).recordFailure(e -> e.getMessage() != null).build();
    b.acquire().failure(null);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aThrowingPredicate_stillRecordsTheFailure() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).recordFailure(e -> {
      throw new IllegalStateException("predicate bug");
    }).build();
    CircuitBreaker.Permit p = b.acquire();
    try {
      p.failure(new IOException());
    } catch (IllegalStateException predicateBug) {
      // may surface; the outcome must be recorded either way
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  // ---- Retry-After while open ----

  @Test
  void retryAfter_extendsButNeverShortensTheOpenPeriod() throws Exception {
    for (long origin : new long[] {0, Long.MAX_VALUE - 1_000_000_000L, Long.MIN_VALUE + 7}) {
      ManualTicker t = ManualTicker.startingAt(origin);
      CircuitBreaker b = CircuitBreaker.builder().trip(Trip.consecutive(1)).cooldown(TEN_S).ticker(t).events(events).build();
      b.onRetryAfter(Duration.ofMinutes(1)); // closed: nothing to extend
      fail(b);
      b.onRetryAfter(Duration.ofSeconds(5));
      assertThatThrownBy(b::acquire).isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfter()).contains(TEN_S));
      b.onRetryAfter(Duration.ofSeconds(20));
      assertThatThrownBy(b::acquire)
          .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(20)));
      t.advance(Duration.ofSeconds(20));
      assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    }
  }

  // ---- a wrapped limiter ----

  @Test
  void acquire_aLimiterThatCanNeverGrant_failsAndGivesTheProbeBack() throws Exception {
    CircuitBreaker never = builder().trip(Trip.consecutive(1)).build(refusing(RateLimiter.NEVER));
    assertThatThrownBy(never::acquire).isInstanceOf(CostExceedsCapacityException.class);
    assertThatThrownBy(() -> never.acquireAsync().toCompletableFuture().join()).hasCauseInstanceOf(CostExceedsCapacityException.class);
    CircuitBreaker tooLong = builder().trip(Trip.consecutive(1)).build(refusing(RateLimiter.rejection(5)));
    assertThatThrownBy(tooLong::acquire).isInstanceOf(MaxWaitExceededException.class);
    assertThatThrownBy(() -> tooLong.acquireAsync().toCompletableFuture().join()).hasCauseInstanceOf(MaxWaitExceededException.class);
    assertThat(never.state()).isEqualTo(BreakerState.CLOSED); // a limiter's refusal is not a failure
  }

  @Test
  void halfOpenProbe_refusedByTheLimiter_getsItsSlotBack() throws Exception {
    AtomicLong answer = new AtomicLong(0);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(refusing(answer));
    fail(b);
    ticker.advance(TEN_S); // half-open
    answer.set(RateLimiter.NEVER);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(b::acquire).isInstanceOf(CostExceedsCapacityException.class);
      assertThat(b.acquireAsync().toCompletableFuture()).isCompletedExceptionally();
    }
    assertThat(b.probesInFlight()).isZero();
    answer.set(0);
    b.acquire().success(); // the probe slot is still free
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void acquireAsync_withoutALimiter_holdsTheProbeSlotUntilTheOutcome() throws Exception {
    CircuitBreaker b = halfOpen(builder().trip(Trip.consecutive(1)));
    CircuitBreaker.Permit probe = b.acquireAsync().toCompletableFuture().join();
    assertThat(b.probesInFlight()).isEqualTo(1);
    assertThat(b.acquireAsync().toCompletableFuture()).isCompletedExceptionally();
    probe.success();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void acquireAsync_withAFreeToken_completesAtOnceAndTakesIt() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b);
    ticker.advance(TEN_S); // half-open, and the limiter is full again
    CompletableFuture<CircuitBreaker.Permit> f = b.acquireAsync().toCompletableFuture();
    assertThat(f).isCompleted();
    assertThat(limiter.availablePermits()).isZero();
    assertThat(b.probesInFlight()).isEqualTo(1); // the probe holds its slot
    f.join().failure(new IOException());
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void acquireAsync_waitingForTheLimiter_isGrantedWithTheBookedToken() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b);
    ticker.advance(TEN_S); // half-open, and the limiter is full again
    assertThat(limiter.tryAcquire()).isTrue();
    CompletableFuture<CircuitBreaker.Permit> probe = b.acquireAsync().toCompletableFuture();
    assertThat(probe).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(probe).isCompleted();
    assertThat(limiter.tryAcquire()).isFalse(); // the probe's token was used, not given back
    assertThat(b.probesInFlight()).isEqualTo(1); // and its slot is held
    probe.join().success();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void acquire_breakerOpensWhileWaitingForTheLimiter_isRejectedAndReturnsTheToken() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    assertThat(limiter.tryAcquire()).isTrue();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        b.acquire();
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    ticker.awaitSleepers(1);
    b.forceOpen();
    ticker.advance(Duration.ofSeconds(1));
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(CircuitOpenException.class);
    assertThat(limiter.availablePermits()).isEqualTo(1); // the booking was given back
  }

  @Test
  void acquire_breakerMovesButStillAdmits_whileWaiting_waitsAgainAndGetsAPermit() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    assertThat(limiter.tryAcquire()).isTrue();
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        CircuitBreaker.Permit p = b.acquire();
        p.failure(new IOException("down"));
        out.set(p);
      } catch (Throwable e) {
        out.set(e);
      }
    });
    t.start();
    ticker.awaitSleepers(1);
    b.reset(); // a new generation, still closed
    ticker.advance(Duration.ofSeconds(1));
    t.join(30_000);
    assertThat(out.get()).isInstanceOf(CircuitBreaker.Permit.class);
    assertThat(limiter.availablePermits()).isZero();
    assertThat(b.state()).isEqualTo(BreakerState.OPEN); // its failure counted in the new generation
  }

  // ---- asynchronous calls ----

  @Test
  void decorateAsync_recordsResultsFailuresAndThrowingSuppliers() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(2)).recordResult("503"::equals).build();
    assertThat(b.decorateAsync(() -> CompletableFuture.completedFuture("200")).get().toCompletableFuture().join()).isEqualTo("200");
    assertThat(b.decorateAsync(() -> CompletableFuture.completedFuture("503")).get().toCompletableFuture().join()).isEqualTo("503");
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    CompletableFuture<String> thrown = b.<String>decorateAsync(() -> {
      throw new IllegalStateException("no stage");
    }).get().toCompletableFuture();
    assertThatThrownBy(thrown::join).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN); // 503, then a supplier that threw
  }

  @Test
  void decorateAsync_successesResetTheCount_andFailuresTrip() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(2)).build();
    b.decorateAsync(() -> CompletableFuture.failedFuture(new IOException())).get();
    b.decorateAsync(() -> CompletableFuture.completedFuture("ok")).get();
    b.decorateAsync(() -> CompletableFuture.failedFuture(new IOException())).get();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    b.decorateAsync(() -> CompletableFuture.failedFuture(new IOException())).get();
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void decorateAsync_aCancelledCall_recordsNothingAndFreesTheProbe() throws Exception {
    CircuitBreaker b = halfOpen(builder().trip(Trip.consecutive(1)));
    CompletableFuture<String> inner = new CompletableFuture<>();
    CompletableFuture<String> out = b.decorateAsync(() -> inner).get().toCompletableFuture();
    assertThat(b.probesInFlight()).isEqualTo(1);
    inner.cancel(false);
    assertThat(out).isCompletedExceptionally();
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(b.probesInFlight()).isZero();
  }

  @Test
  void decorateAsync_aThrowingPredicate_isAttachedToTheCallsFailure() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).recordFailure(e -> {
      throw new IllegalStateException("predicate bug");
    }).build();
    IOException down = new IOException("down");
    CompletableFuture<Object> out = b.decorateAsync(() -> CompletableFuture.failedFuture(down)).get().toCompletableFuture();
    assertThatThrownBy(out::join).hasCause(down);
    assertThat(down.getSuppressed()).singleElement().isInstanceOf(IllegalStateException.class);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  // ---- builder and accessors ----

  @Test
  void eachBuilderOption_setTwice_isRefused() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> CircuitBreaker.builder().cooldown(s).cooldown(s)).hasMessage("cooldown was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().cooldownGrowth(1, s).cooldownGrowth(2, s)).hasMessage("cooldownGrowth was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().halfOpenProbes(1).halfOpenProbes(2)).hasMessage("halfOpenProbes was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().successesToClose(1).successesToClose(2)).hasMessage("successesToClose was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().probeTimeout(s).probeTimeout(s)).hasMessage("probeTimeout was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().maxRetryAfter(s).maxRetryAfter(s)).hasMessage("maxRetryAfter was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().recordFailure(e -> true).recordFailure(e -> true)).hasMessage("recordFailure was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().recordResult(r -> true).recordResult(r -> true)).hasMessage("recordResult was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().ignoreExceptions(IOException.class).ignoreExceptions(IOException.class))
        .hasMessage("ignoreExceptions was already set");
    assertThatThrownBy(() -> CircuitBreaker.builder().successesToClose(0)).hasMessage("successesToClose must be >= 1, was 0");
    assertThatThrownBy(() -> CircuitBreaker.builder().cooldownGrowth(0.99, s)).isInstanceOf(IllegalArgumentException.class);
    assertThat(CircuitBreaker.builder().cooldownGrowth(1, s).build()).isNotNull();
  }

  @Test
  void accessors_nameLimiterAndToString() {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().build(limiter);
    assertThat(b.name()).isEqualTo("cb");
    assertThat(b.limiter()).containsSame(limiter);
    assertThat(b).hasToString("CircuitBreaker[cb, CLOSED]");
    assertThat(CircuitBreaker.builder().build().limiter()).isEmpty();
    assertThat(CircuitBreaker.builder().build().name()).startsWith("circuit-breaker-");
  }
}
