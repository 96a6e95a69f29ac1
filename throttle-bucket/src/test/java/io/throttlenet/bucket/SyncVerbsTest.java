package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The verbs a server's own budget is followed with ({@link RateLimiter#limitAvailable}, {@link
 * RateLimiter#pauseUntil}, {@link RateLimiter#reset}) on every local limiter: what they promise,
 * and that they never break the limiter's own bound.
 */
class SyncVerbsTest {
  private static final long MS = 1_000_000L;
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_000 * MS);

  private Throttle tenPerSecond() {
    return Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).build();
  }

  private SlidingWindowLog tenPerWindow() {
    return SlidingWindowLog.builder().limit(10).window(Duration.ofSeconds(1)).ticker(ticker).build();
  }

  @Test
  void limitAvailable_lowersButNeverRaises_andADebtIsWaitedOut() throws Exception {
    Throttle t = tenPerSecond();
    t.limitAvailable(3, ticker.read());
    assertThat(t.availablePermits()).isEqualTo(3);
    t.limitAvailable(7, ticker.read());
    assertThat(t.availablePermits()).isEqualTo(3);
    t.limitAvailable(-2, ticker.read());
    assertThat(t.availablePermits()).isEqualTo(-2);
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(300));
    Throttle fresh = tenPerSecond();
    fresh.limitAvailable(Long.MIN_VALUE, ticker.read()); // absurd: saturates, never wraps
    assertThat(fresh.availablePermits()).isLessThan(-1_000_000);
    SlidingWindowLog log = tenPerWindow();
    log.limitAvailable(Long.MIN_VALUE, ticker.read());
    assertThat(log.availablePermits()).isLessThanOrEqualTo(0);
    t.limitAvailable(Long.MAX_VALUE, ticker.read());
    assertThat(t.availablePermits()).isNegative();
  }

  @Test
  void pauseUntil_grantsNothingBefore_thenRefillsFromEmpty() {
    Throttle t = tenPerSecond();
    long start = ticker.read();
    t.pauseUntil(start + 1_000 * MS);
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(1));
    ticker.advance(Duration.ofMillis(999));
    assertThat(t.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(100));
    assertThat(t.tryAcquire()).isTrue();
  }

  @Test
  void pauseUntil_neverShortensAPause_andAPastTimeDoesNothing() {
    Throttle t = tenPerSecond();
    long start = ticker.read();
    t.pauseUntil(start + 2_000 * MS);
    t.pauseUntil(start + 500 * MS);
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(2));
    Throttle fresh = tenPerSecond();
    fresh.pauseUntil(start - 1);
    fresh.pauseUntil(start);
    assertThat(fresh.availablePermits()).isEqualTo(10);
  }

  @Test
  void reset_bringsBackTheFullBucket_andEndsAPause() {
    Throttle t = tenPerSecond();
    assertThat(t.tryAcquire(10)).isTrue();
    t.pauseUntil(ticker.read() + 5_000 * MS);
    t.reset();
    assertThat(t.availablePermits()).isEqualTo(10);
    assertThat(t.tryAcquire(10)).isTrue();
  }

  @Test
  void aBookingMadeBeforeARestriction_isNotGivenBack() {
    Throttle t = tenPerSecond();
    assertThat(t.tryAcquire(10)).isTrue();
    long now = ticker.read();
    long wait = t.reserve(2, now, Long.MAX_VALUE); // a waiter booked 200 ms ahead
    assertThat(wait).isEqualTo(200 * MS);
    t.limitAvailable(-5, now); // the server says more was spent
    t.cancel(2, now, wait);
    assertThat(t.availablePermits()).isEqualTo(-5);
  }

  @Test
  void slidingWindowLog_followsTheSameContract() {
    SlidingWindowLog log = tenPerWindow();
    long start = ticker.read();
    assertThat(log.tryAcquire(2)).isTrue();
    log.limitAvailable(3, start);
    assertThat(log.availablePermits()).isEqualTo(3);
    log.limitAvailable(5, start);
    assertThat(log.availablePermits()).isEqualTo(3);
    ticker.advance(Duration.ofSeconds(1)); // the stand-in leaves the window like any booking
    assertThat(log.availablePermits()).isEqualTo(10);

    log.pauseUntil(ticker.read() + 400 * MS);
    assertThat(log.tryAcquire()).isFalse();
    assertThat(log.waitTime(1)).contains(Duration.ofMillis(400));
    log.pauseUntil(ticker.read() + 100 * MS); // never shortens
    ticker.advance(Duration.ofMillis(399));
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(log.tryAcquire(10)).isTrue(); // only real bookings count from then

    log.reset();
    assertThat(log.availablePermits()).isEqualTo(10);
  }

  @Test
  void slidingWindowLog_doesNotGiveBackABookingMadeBeforeARestriction() {
    SlidingWindowLog log = tenPerWindow();
    long now = ticker.read();
    assertThat(log.tryAcquire(10)).isTrue();
    long wait = log.reserve(4, now, Long.MAX_VALUE);
    assertThat(wait).isEqualTo(1_000 * MS);
    log.limitAvailable(-1, now);
    log.cancel(4, now, wait);
    assertThat(log.waitTime(1)).contains(Duration.ofSeconds(1));
  }

  @Test
  void allOf_pausesEveryPartAtOnce_andWakesItsLineWhenThePauseEnds() {
    Throttle a = tenPerSecond();
    SlidingWindowLog b = tenPerWindow();
    AllOf all = Throttle.allOf(a, b);
    assertThat(all.tryAcquire(10)).isTrue(); // both empty; the next permit comes from a at 100 ms
    CompletableFuture<Void> waiter = all.acquireAsync(1).toCompletableFuture();
    all.pauseUntil(ticker.read() + 1_500 * MS);
    assertThat(a.tryAcquire()).isFalse();
    assertThat(b.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1_499));
    assertThat(waiter).isNotDone();
    ticker.advance(Duration.ofMillis(1));
    assertThat(waiter).isCompleted();

    all.limitAvailable(0, ticker.read());
    assertThat(a.availablePermits()).isLessThanOrEqualTo(0);
    assertThat(b.availablePermits()).isLessThanOrEqualTo(0);
    CompletableFuture<Void> next = all.acquireAsync(5).toCompletableFuture();
    all.reset();
    assertThat(next).isCompleted(); // served at once, not at its old timer
    assertThat(all.availablePermits()).isEqualTo(5);
  }

  /** One step of the property: advance, then one of the verbs. */
  record Step(long advanceMs, int verb, long amount) {}

  private static Gen<List<Step>> steps() {
    Gen<Step> step =
        longs().between(0, 400).zip(integers().between(0, 4), longs().between(-5, 12), Step::new);
    return lists().of(step).ofSizeBetween(1, 80);
  }

  /**
   * Whatever mix of grants, restrictions, pauses and time: no grant inside a pause, at most the
   * restricted amount right after a restriction, and never more than {@code burst + rate·t} in any
   * interval of length {@code t} (restrictions and pauses only take away).
   */
  @Test
  void property_syncVerbsOnlyTakeAway() {
    qt().withExamples(300)
        .forAll(steps(), integers().between(0, 1))
        .checkAssert(
            (steps, kind) -> {
              ManualTicker clock = ManualTicker.startingAt(Long.MAX_VALUE - 100_000 * MS);
              RateLimiter l =
                  kind == 0
                      ? Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(clock).build()
                      : SlidingWindowLog.builder()
                          .limit(10)
                          .window(Duration.ofSeconds(1))
                          .ticker(clock)
                          .build();
              List<long[]> grants = new ArrayList<>(); // {time, cost}
              long pausedUntil = Long.MIN_VALUE;
              for (Step s : steps) {
                clock.advance(s.advanceMs() * MS);
                long now = clock.read();
                switch (s.verb()) {
                  case 0, 1 -> {
                    long cost = Math.max(1, Math.min(10, s.amount()));
                    if (l.tryAcquire(cost)) {
                      assertThat(pausedUntil == Long.MIN_VALUE || now - pausedUntil >= 0)
                          .as("granted inside a pause")
                          .isTrue();
                      grants.add(new long[] {now, cost});
                    }
                  }
                  case 2 -> {
                    l.limitAvailable(s.amount(), now);
                    assertThat(l.availablePermits()).isLessThanOrEqualTo(Math.max(s.amount(), 0));
                  }
                  case 3 -> {
                    long until = now + s.amount() * 100 * MS;
                    l.pauseUntil(until);
                    if (until - now > 0
                        && (pausedUntil == Long.MIN_VALUE || until - pausedUntil > 0)) {
                      pausedUntil = until;
                    }
                  }
                  default -> assertThat(l.availablePermits()).isLessThanOrEqualTo(10);
                }
              }
              for (int i = 0; i < grants.size(); i++) {
                long sum = 0;
                for (int j = i; j < grants.size(); j++) {
                  sum += grants.get(j)[1];
                  long span = grants.get(j)[0] - grants.get(i)[0];
                  long bound = kind == 0 ? 10 + span / (100 * MS) : 10 * (1 + span / (1_000 * MS));
                  assertThat(sum).as("released in %d ns", span).isLessThanOrEqualTo(bound);
                }
              }
            });
  }
}
