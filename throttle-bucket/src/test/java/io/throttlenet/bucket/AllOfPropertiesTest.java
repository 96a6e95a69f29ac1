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
}
