package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of {@link AllOf}: on a frozen clock it grants exactly the minimum of its parts, a
 * refusal changes no part, and, with time moving and waiters in the mix, each part's own rate
 * bound holds for everything it released (directly or through the composite) measured at the
 * moment of release.
 */
class AllOfPropertiesTest {

  /** permits per period (ms) and burst of a token-bucket part. */
  record Bucket(long permits, long periodMillis, long burst) {
    Throttle build(ManualTicker ticker) {
      return Throttle.builder()
          .rate(permits, Duration.ofMillis(periodMillis))
          .burst(burst)
          .ticker(ticker)
          .events(EventRegistry.create())
          .build();
    }

    ThrottlePropertiesTest.Setup setup() {
      return new ThrottlePropertiesTest.Setup(permits, periodMillis * 1_000_000L, burst, 0);
    }
  }

  private static Gen<Bucket> buckets() {
    return longs().between(1, 20).zip(longs().between(1, 2_000), longs().between(1, 12), Bucket::new);
  }

  @Test
  void frozenClock_grantsTheMinimumOfItsParts() {
    qt().withExamples(200)
        .forAll(lists().of(buckets()).ofSizeBetween(1, 4), longs().between(1, 12), longs().all())
        .checkAssert(
            (specs, limit, origin) -> {
              ManualTicker ticker = ManualTicker.startingAt(origin);
              List<RateLimiter> parts = new ArrayList<>();
              for (Bucket b : specs) {
                parts.add(b.build(ticker));
              }
              parts.add(SlidingWindowLog.builder().limit(limit).window(Duration.ofSeconds(1)).ticker(ticker).build());
              AllOf all = AllOf.builder().addAll(parts.toArray(RateLimiter[]::new)).build();
              long min = parts.stream().mapToLong(RateLimiter::capacity).min().orElseThrow();
              int granted = 0;
              for (int i = 0; i < 40; i++) {
                if (all.tryAcquire()) {
                  granted++;
                }
              }
              assertThat(granted).isEqualTo((int) Math.min(min, 40));
              for (RateLimiter p : parts) {
                assertThat(p.availablePermits()).isEqualTo(p.capacity() - granted);
              }
            });
  }

  @Test
  void refusal_changesNoPart() {
    qt().withExamples(200)
        .forAll(buckets(), buckets(), lists().of(longs().between(1, 12)).ofSizeBetween(1, 40))
        .checkAssert(
            (a, b, costs) -> {
              ManualTicker ticker = ManualTicker.create();
              Throttle x = a.build(ticker);
              Throttle y = b.build(ticker);
              AllOf all = Throttle.allOf(x, y);
              for (long cost : costs) {
                long[] before = {x.waitNanos(1, ticker.read()), y.waitNanos(1, ticker.read()), x.availablePermits(), y.availablePermits()};
                if (!all.tryAcquire(cost)) {
                  long[] after = {x.waitNanos(1, ticker.read()), y.waitNanos(1, ticker.read()), x.availablePermits(), y.availablePermits()};
                  assertThat(after).containsExactly(before);
                }
                ticker.advance(Duration.ofMillis(cost * 7));
              }
            });
  }

  /** A step: advance, then the composite asks asynchronously and the fast part's own user asks. */
  record Step(long advanceMillis, long compositeCost, long directCost) {}

  @Test
  void eachPartsRateBoundHolds_measuredAtRelease() {
    Gen<Step> step = longs().between(0, 300).zip(longs().between(0, 4), longs().between(0, 4), Step::new);
    qt().withExamples(200)
        .forAll(buckets(), buckets(), lists().of(step).ofSizeBetween(1, 60), integers().between(0, 1)) // 1: the fast part also has direct users
        .checkAssert(
            (fastSpec, slowSpec, script, withDirect) -> {
              ManualTicker ticker = ManualTicker.create();
              Throttle fast = fastSpec.build(ticker);
              Throttle slow = slowSpec.build(ticker);
              AllOf all = Throttle.allOf(fast, slow);
              List<long[]> fastReleases = new ArrayList<>();
              List<long[]> slowReleases = new ArrayList<>();
              long origin = ticker.read();
              for (Step s : script) {
                ticker.advance(Duration.ofMillis(s.advanceMillis()));
                long cost = Math.min(s.compositeCost(), Math.min(fast.capacity(), slow.capacity()));
                CompletableFuture<Void> f = all.acquireAsync(cost).toCompletableFuture();
                f.thenRun(
                    () -> {
                      long at = ticker.read() - origin;
                      fastReleases.add(new long[] {at, cost});
                      slowReleases.add(new long[] {at, cost});
                    });
                long direct = Math.min(s.directCost(), fast.capacity());
                if (withDirect == 1 && fast.tryAcquire(direct)) {
                  fastReleases.add(new long[] {ticker.read() - origin, direct});
                }
              }
              ticker.advance(Duration.ofHours(1)); // let every waiter through
              ThrottlePropertiesTest.assertRateBound(fastReleases, fastSpec.setup());
              ThrottlePropertiesTest.assertRateBound(slowReleases, slowSpec.setup());
            });
  }

  /** A step of the line's script: advance, then a caller joins (kind 0: unbounded, 1: bounded by
   * {@code boundMillis}, 2: unbounded and cancelled at the next step). */
  record Join(long advanceMillis, long cost, int kind, long boundMillis) {}

  @Test
  void theLine_servesInArrivalOrder_everyCallerEndsOnce_andNothingIsLeftScheduled() {
    Gen<Join> join = longs().between(0, 400).zip(longs().between(1, 4), integers().between(0, 2),
        longs().between(0, 1_500), Join::new);
    qt().withExamples(200)
        .forAll(buckets(), buckets(), lists().of(join).ofSizeBetween(1, 40))
        .checkAssert(
            (fastSpec, slowSpec, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_000_000_000L);
              Throttle fast = fastSpec.build(ticker);
              Throttle slow = slowSpec.build(ticker);
              AllOf all = Throttle.allOf(fast, slow);
              List<Integer> granted = new ArrayList<>();
              List<CompletableFuture<Void>> callers = new ArrayList<>();
              List<long[]> releases = new ArrayList<>();
              long origin = ticker.read();
              CompletableFuture<Void> toCancel = null;
              for (Join j : script) {
                ticker.advance(Duration.ofMillis(j.advanceMillis()));
                if (toCancel != null) {
                  toCancel.cancel(false);
                  toCancel = null;
                }
                long cost = Math.min(j.cost(), Math.min(fast.capacity(), slow.capacity()));
                int index = callers.size();
                CompletableFuture<Void> f = (j.kind() == 1
                    ? all.acquireAsync(cost, Duration.ofMillis(j.boundMillis()))
                    : all.acquireAsync(cost)).toCompletableFuture();
                f.thenRun(() -> {
                  granted.add(index);
                  releases.add(new long[] {ticker.read() - origin, cost});
                });
                callers.add(f);
                if (j.kind() == 2) {
                  toCancel = f;
                }
              }
              if (toCancel != null) {
                toCancel.cancel(false);
              }
              ticker.advance(Duration.ofHours(1));
              assertThat(callers).allMatch(CompletableFuture::isDone);
              for (int i = 1; i < granted.size(); i++) {
                assertThat(granted.get(i)).as("served in arrival order").isGreaterThan(granted.get(i - 1));
              }
              assertThat(all.waiting()).isZero();
              assertThat(ticker.pendingTasks()).as("timers left behind").isZero();
              ThrottlePropertiesTest.assertRateBound(releases, fastSpec.setup());
              ThrottlePropertiesTest.assertRateBound(releases, slowSpec.setup());
            });
  }
}
