package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What an {@link AllOf} publishes on each path, and which limit a too-large cost names. */
class AllOfEventsTest {
  private static final Duration S = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(-5);
  private final EventRegistry events = EventRegistry.create();
  private final List<LimiterEvent> seen = new ArrayList<>();

  /** "big": 5 per second; "small": burst 2, 2 per second. */
  private AllOf allOf() {
    Throttle big = Throttle.builder().name("big").rate(5, S).ticker(ticker).build();
    Throttle small = Throttle.builder().name("small").rate(2, S).ticker(ticker).build();
    events.subscribe(LimiterEvent.class, "both", seen::add);
    return AllOf.builder().add(big).add(small).name("both").events(events).build();
  }

  private static LimiterEvent.Rejected rejected(long cost, LimiterEvent.Reason reason, Optional<Duration> retryAfter) {
    return new LimiterEvent.Rejected("both", cost, reason, retryAfter);
  }

  @Test
  void grantsAndRefusals_arePublished() throws Exception {
    AllOf a = allOf();
    assertThat(a.tryAcquire(1)).isTrue();
    assertThat(a.acquireAsync(1).toCompletableFuture()).isCompleted();
    assertThat(a.tryAcquire(1)).isFalse(); // small is empty: 0.5 s
    assertThat(seen).containsExactly(
        new LimiterEvent.Acquired("both", 1, Duration.ZERO),
        new LimiterEvent.Acquired("both", 1, Duration.ZERO),
        rejected(1, LimiterEvent.Reason.INSUFFICIENT_PERMITS, Optional.of(Duration.ofMillis(500))));
  }

  @Test
  void behindTheLine_refusalsAndTheWaitedGrant_arePublished() {
    AllOf a = allOf();
    assertThat(a.tryAcquire(2)).isTrue();
    CompletableFuture<Void> waiter = a.acquireAsync(1).toCompletableFuture();
    assertThat(waiter).isNotDone();
    seen.clear();
    assertThat(a.tryAcquire(1)).isFalse();
    assertThat(a.tryAcquire(3)).isFalse();
    ticker.advance(Duration.ofMillis(500));
    assertThat(waiter).isCompleted();
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).isInstanceOfSatisfying(LimiterEvent.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(LimiterEvent.Reason.INSUFFICIENT_PERMITS);
      assertThat(r.retryAfter()).isPresent();
    });
    assertThat(seen.get(1)).isEqualTo(rejected(3, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
    assertThat(seen.get(2)).isEqualTo(new LimiterEvent.Acquired("both", 1, Duration.ofMillis(500)));
  }

  @Test
  void aCostAboveTheSmallestCapacity_namesThatLimit_andIsPublished() throws Exception {
    AllOf a = allOf();
    assertThatThrownBy(() -> a.acquire(5))
        .isInstanceOfSatisfying(CostExceedsCapacityException.class, e -> assertThat(e.capacity()).isEqualTo(2))
        .hasMessageContaining("small");
    assertThatThrownBy(() -> a.acquireAsync(3).toCompletableFuture().join()).hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThat(a.tryAcquire(3, S)).isFalse();
    assertThat(a.reserve(3, ticker.read(), 0)).isEqualTo(io.throttlenet.core.RateLimiter.NEVER);
    assertThat(seen).hasSize(4).containsOnly(
        rejected(5, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()),
        rejected(3, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
    assertThat(a.tryAcquire(2, S)).isTrue(); // exactly the smallest capacity fits
  }

  @Test
  void accessors() {
    AllOf a = allOf();
    assertThat(a.name()).isEqualTo("both");
    assertThat(a.capacity()).isEqualTo(2);
    assertThat(a.toString()).contains("both");
  }
  @Test
  void immediateGrants_throughEveryVerb_arePublished() throws Exception {
    AllOf a = allOf();
    assertThat(a.tryAcquire(1, S)).isTrue();
    a.acquire(1);
    assertThat(seen).containsExactly(
        new LimiterEvent.Acquired("both", 1, Duration.ZERO),
        new LimiterEvent.Acquired("both", 1, Duration.ZERO));
  }

  @Test
  void reserve_publishesARefusalOnlyForAWaitBeyondItsBound() {
    AllOf a = allOf();
    assertThat(a.tryAcquire(2)).isTrue(); // small: the next permit in 0.5 s
    seen.clear();
    long now = ticker.read();
    long withinBound = a.reserve(1, now, Duration.ofMillis(500).toNanos());
    assertThat(io.throttlenet.core.RateLimiter.requiredWait(withinBound)).isEqualTo(Duration.ofMillis(500).toNanos());
    assertThat(seen).isEmpty(); // not refused: a composite only books immediate grants
    a.reserve(1, now, Duration.ofMillis(500).toNanos() - 1);
    assertThat(seen).containsExactly(
        rejected(1, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, Optional.of(Duration.ofMillis(500))));
  }

  @Test
  void waitNanos_ofExactlyTheCapacity_isAWait_andAboveItNever() {
    AllOf a = allOf();
    long now = ticker.read();
    assertThat(a.waitNanos(2, now)).isZero();
    assertThat(a.tryAcquire(2)).isTrue();
    assertThat(a.waitNanos(2, now)).isEqualTo(S.toNanos());
    assertThat(a.waitNanos(3, now)).isEqualTo(io.throttlenet.core.RateLimiter.NEVER);
  }

  @Test
  void behindTheLine_aCostOfExactlyTheCapacity_isRefusedForPermits_withItsWait() {
    AllOf a = allOf();
    assertThat(a.tryAcquire(2)).isTrue();
    assertThat(a.acquireAsync(1).toCompletableFuture()).isNotDone();
    seen.clear();
    assertThat(a.tryAcquire(2)).isFalse();
    assertThat(seen).containsExactly(rejected(2, LimiterEvent.Reason.INSUFFICIENT_PERMITS, Optional.of(S)));
  }

  @Test
  void aWaitBeyondTheBound_isPublishedAsGivenUp() {
    AllOf a = allOf();
    assertThat(a.tryAcquire(2)).isTrue();
    seen.clear();
    CompletableFuture<Void> f = a.acquireAsync(1, Duration.ofMillis(499)).toCompletableFuture();
    assertThat(f).isCompletedExceptionally();
    assertThat(seen).containsExactly(
        rejected(1, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, Optional.of(Duration.ofMillis(500))));
  }
}
