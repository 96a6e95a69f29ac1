package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private CircuitBreaker.Builder builder() {
    return CircuitBreaker.builder().ticker(ticker).events(events).cooldown(Duration.ofSeconds(10));
  }

  private static void fail(CircuitBreaker b) throws InterruptedException {
    b.acquire().failure(new IOException("down"));
  }

  private static void succeed(CircuitBreaker b) throws InterruptedException {
    b.acquire().success();
  }

  @Test
  void consecutiveFailures_trip_andASuccessResetsTheCount() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(3)).build();
    fail(b);
    fail(b);
    succeed(b);
    fail(b);
    fail(b);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    fail(b);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThatThrownBy(b::acquire)
        .isInstanceOf(CircuitOpenException.class)
        .satisfies(e -> assertThat(((CircuitOpenException) e).retryAfter()).contains(Duration.ofSeconds(10)));
  }

  @Test
  void open_rejectsUntilTheCooldownHasFullyElapsed() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(10).minusMillis(1));
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    ticker.advance(Duration.ofMillis(1));
    CircuitBreaker.Permit probe = b.acquire();
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    probe.success();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void halfOpen_failedProbeReopens() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(10));
    fail(b);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void halfOpen_admitsAtMostTheProbesAndNeedsEnoughSuccesses() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).halfOpenProbes(2).successesToClose(2).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(10));
    CircuitBreaker.Permit p1 = b.acquire();
    CircuitBreaker.Permit p2 = b.acquire();
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    p1.success();
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    p2.success();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void open_shedsWithoutTouchingTheWrappedLimiter() throws Exception {
    RateLimiter limiter = limiter(5);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b);
    assertThat(limiter.availablePermits()).isEqualTo(4);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
      assertThat(b.tryAcquire()).isEmpty();
    }
    assertThat(limiter.availablePermits()).isEqualTo(4);
  }

  @Test
  void droppedPermit_countsAsAFailure() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(2)).build();
    b.acquire().close();
    try (CircuitBreaker.Permit p = b.acquire()) {
      assertThat(p).isNotNull(); // never reported
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void failureRate_twoOfFourAtHalf_withMinimumFour() throws Exception {
    CircuitBreaker b = builder().trip(Trip.failureRate(0.5, 4, 4)).build();
    fail(b);
    fail(b);
    succeed(b);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED); // only 3 calls seen
    succeed(b);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void timeWindow_ignoresFailuresThatAgedOut() throws Exception {
    CircuitBreaker b = builder().trip(Trip.failuresWithin(3, Duration.ofSeconds(10))).build();
    fail(b);
    fail(b);
    ticker.advance(Duration.ofSeconds(11));
    fail(b);
    fail(b);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    fail(b);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void slowCalls_trip() throws Exception {
    CircuitBreaker b = builder().trip(Trip.slowCallRate(Duration.ofSeconds(1), 1.0, 2, 2)).build();
    for (int i = 0; i < 2; i++) {
      CircuitBreaker.Permit p = b.acquire();
      ticker.advance(Duration.ofSeconds(2));
      p.success();
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void staleSuccessFromBeforeTheTrip_doesNotCloseAHalfOpenBreaker() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    CircuitBreaker.Permit slow = b.acquire(); // issued while closed
    fail(b); // trips
    ticker.advance(Duration.ofSeconds(10));
    CircuitBreaker.Permit probe = b.acquire(); // half-open now
    slow.success(); // from an earlier generation: must not count as a probe
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class); // the probe slot is taken
    probe.failure(new IOException());
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void probeNeverReported_isReclaimedAfterTheProbeTimeout() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).probeTimeout(Duration.ofSeconds(30)).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(10));
    b.acquire(); // lost: never reported, never closed
    ticker.advance(Duration.ofSeconds(29));
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    ticker.advance(Duration.ofSeconds(1));
    // The lost probe counts as failed: open again for a cooldown, then probing resumes.
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    ticker.advance(Duration.ofSeconds(10));
    succeed(b);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void halfOpenProbe_waitingOnTheLimiterAndInterrupted_givesItsSlotBack() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b); // trips
    ticker.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire()).isTrue(); // someone else takes the limiter's only permit
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                b.acquire(); // half-open probe, then waits for the limiter
              } catch (Throwable e) {
                thrown.set(e);
              }
            });
    t.start();
    ticker.awaitSleepers(1);
    t.interrupt();
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(b.tryAcquire()).isEmpty(); // the limiter is still empty...
    ticker.advance(Duration.ofSeconds(1));
    assertThat(b.tryAcquire()).isPresent(); // ...but the probe slot was given back
  }

  @Test
  void acquireAsync_failsFastWhenOpen_andCancellationFreesTheProbe() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b);
    assertThat(b.acquireAsync().toCompletableFuture()).isCompletedExceptionally();
    ticker.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire()).isTrue(); // the probe will have to wait for the limiter
    CompletableFuture<CircuitBreaker.Permit> waiting = b.acquireAsync().toCompletableFuture();
    assertThat(waiting).isNotDone();
    waiting.cancel(false);
    ticker.advance(Duration.ofSeconds(1));
    Optional<CircuitBreaker.Permit> probe = b.tryAcquire();
    assertThat(probe).isPresent();
    probe.get().success();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void cooldown_growsOnRepeatedTrips_upToItsCap() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).cooldownGrowth(2, Duration.ofSeconds(30)).build();
    fail(b);
    ticker.advance(Duration.ofSeconds(10));
    fail(b); // probe fails: 20 s
    assertThatThrownBy(b::acquire).satisfies(e -> assertThat(((CircuitOpenException) e).retryAfter()).contains(Duration.ofSeconds(20)));
    ticker.advance(Duration.ofSeconds(20));
    fail(b); // 30 s (capped, not 40)
    assertThatThrownBy(b::acquire).satisfies(e -> assertThat(((CircuitOpenException) e).retryAfter()).contains(Duration.ofSeconds(30)));
    ticker.advance(Duration.ofSeconds(30));
    succeed(b);
    fail(b); // after closing, the growth starts over
    assertThatThrownBy(b::acquire).satisfies(e -> assertThat(((CircuitOpenException) e).retryAfter()).contains(Duration.ofSeconds(10)));
  }

  @Test
  void retryAfterSeenWhileOpen_extendsTheOpenPeriod() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    fail(b);
    b.onRetryAfter(Duration.ofSeconds(60));
    ticker.advance(Duration.ofSeconds(59));
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    ticker.advance(Duration.ofSeconds(1));
    succeed(b);
  }

  @Test
  void forcedOpenDisabledAndReset() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    b.forceOpen();
    ticker.advance(Duration.ofDays(1));
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    b.disable();
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    assertThat(b.state()).isEqualTo(BreakerState.DISABLED);
    b.reset();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void classification_ignoredExceptionsAndFailingResults() throws Exception {
    CircuitBreaker b =
        builder()
            .trip(Trip.consecutive(2))
            .ignoreExceptions(IllegalArgumentException.class)
            .recordResult(r -> Integer.valueOf(503).equals(r))
            .build();
    var call = b.decorate(() -> 503);
    call.get();
    b.acquire().failure(new IllegalArgumentException("ignored"));
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    call.get();
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void decorate_recordsThrownFailuresAndPassesThemThroughUnwrapped() {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    var call = b.decorate(() -> { throw new IOException("boom"); });
    assertThatThrownBy(call::get).isInstanceOf(IOException.class).hasMessage("boom");
    assertThatThrownBy(call::get).isInstanceOf(CircuitOpenException.class);
  }

  @Test
  void events_transitionsRejectionsOutcomes() throws Exception {
    List<BreakerEvent> seen = new ArrayList<>();
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build();
    events.subscribe(BreakerEvent.class, b.name(), seen::add);
    succeed(b);
    fail(b);
    assertThatThrownBy(b::acquire).isInstanceOf(CircuitOpenException.class);
    assertThat(seen).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Success", "Failure", "StateTransition", "CallNotPermitted");
    BreakerEvent.StateTransition t = (BreakerEvent.StateTransition) seen.get(2);
    assertThat(t.from()).isEqualTo(BreakerState.CLOSED);
    assertThat(t.to()).isEqualTo(BreakerState.OPEN);
    assertThat(t.reason()).contains("1 consecutive failures");
  }

  @Test
  void trip_lastCallsAboveTheMaximum_isRefusedInsteadOfRunningOutOfMemory() {
    // Issue 13, item 17: failureRate(0.5, Integer.MAX_VALUE, 1) was accepted and build() threw OOM.
    assertThatThrownBy(() -> Trip.failureRate(0.5, Integer.MAX_VALUE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lastCalls must be <= 1000000, was 2147483647");
    assertThatThrownBy(() -> Trip.slowCallRate(Duration.ofSeconds(1), 0.5, Trip.MAX_LAST_CALLS + 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lastCalls must be <= 1000000, was 1000001");
    CircuitBreaker atMaximum =
        builder().trip(Trip.failureRate(0.5, Trip.MAX_LAST_CALLS, 1)).build();
    assertThat(atMaximum.tryAcquire()).isPresent();
  }

  @Test
  void badInput_isRefusedAtBuildTime() {
    assertThatThrownBy(() -> Trip.consecutive(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failures must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.failureRate(1.5, 4, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate must be in (0, 1], was 1.5");
    assertThatThrownBy(() -> Trip.failureRate(0.5, 4, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minimumCalls must be <= lastCalls (4), was 5");
    assertThatThrownBy(() -> CircuitBreaker.builder().cooldown(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cooldown must be > 0, was PT0S");
    assertThatThrownBy(() -> CircuitBreaker.builder().halfOpenProbes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("halfOpenProbes must be >= 1, was 0");
    assertThatThrownBy(() -> CircuitBreaker.builder().cooldownGrowth(0.5, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be a finite number >= 1, was 0.5");
    assertThatThrownBy(() -> CircuitBreaker.builder().build(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter must not be null");
  }

  /** A real limiter of {@code burst} permits, refilling one per second. */
  private RateLimiter limiter(long burst) {
    return Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(burst).ticker(ticker).build();
  }

  @Test
  void rateTripFiringOnASuccess_throughTheDecorator_opensForTheRealCooldown() throws Exception {
    CircuitBreaker b = builder().trip(Trip.failureRate(0.5, 4, 4)).build();
    int[] n = {0};
    var call = b.decorate(() -> {
      if (n[0]++ < 2) {
        throw new IOException("down");
      }
      return "ok";
    });
    for (int i = 0; i < 4; i++) {
      try {
        call.get();
      } catch (IOException expected) {
        // the first two calls fail
      }
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    ticker.advance(Duration.ofSeconds(10).minusNanos(1));
    assertThatThrownBy(call::get).isInstanceOf(CircuitOpenException.class);
    ticker.advance(1);
    assertThat(call.get()).isEqualTo("ok");
  }

  @Test
  void decorateAsync_cancelledWhileWaitingForTheLimiter_givesBackTheProbeAndTheToken() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    fail(b);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire()).isTrue(); // the probe will have to wait a second
    var call = b.decorateAsync(() -> CompletableFuture.completedFuture("x"));
    CompletableFuture<String> out = call.get().toCompletableFuture();
    assertThat(limiter.waitTime(1)).contains(Duration.ofSeconds(2)); // booked behind the probe
    out.cancel(false);
    assertThat(limiter.waitTime(1)).contains(Duration.ofSeconds(1)); // the booking came back
    ticker.advance(Duration.ofSeconds(1));
    assertThat(b.tryAcquire()).isPresent(); // and the probe slot too
  }

  @Test
  void acquireAsync_breakerOpensWhileWaitingForTheLimiter_failsInsteadOfCalling() throws Exception {
    RateLimiter limiter = limiter(1);
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).build(limiter);
    assertThat(limiter.tryAcquire()).isTrue();
    CompletableFuture<CircuitBreaker.Permit> waiting = b.acquireAsync().toCompletableFuture();
    b.forceOpen();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(waiting).isCompletedExceptionally();
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(CircuitOpenException.class);
    assertThat(limiter.availablePermits()).isEqualTo(1); // its booking was given back
  }

  @Test
  void retryAfterHint_isCapped() throws Exception {
    CircuitBreaker b = builder().trip(Trip.consecutive(1)).maxRetryAfter(Duration.ofSeconds(30)).build();
    fail(b);
    b.onRetryAfter(Duration.ofDays(365));
    ticker.advance(Duration.ofSeconds(30));
    succeed(b);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }
}
