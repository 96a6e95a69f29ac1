package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of {@link Throttle} over a manual ticker started anywhere in the {@code long} range:
 * it decides exactly like a reference token bucket, it never releases more than {@code burst +
 * rate·t} in any interval of length {@code t} (measured when callers are released, with waits and
 * cancellations in the mix), and a cancelled last booking leaves no trace.
 */
class ThrottlePropertiesTest {

  /** A bucket's parameters and the ticker's starting point. */
  record Setup(long permits, long periodNanos, long burst, long origin) {
    long interval() {
      return (periodNanos + permits - 1) / permits;
    }

    Throttle build(ManualTicker ticker, EventRegistry events) {
      return Throttle.builder()
          .rate(permits, Duration.ofNanos(periodNanos))
          .burst(burst)
          .ticker(ticker)
          .events(events)
          .build();
    }
  }

  /** One step: move time, then ask for a cost with a given patience, maybe cancel it again. */
  record Step(long advanceUnits, long advanceJitter, long cost, int patience, boolean cancel) {}

  private static Gen<Setup> setups() {
    return longs()
        .between(1, 1_000)
        .zip(
            longs().between(1_000, 10_000_000_000L),
            longs().between(1, 50),
            longs().all(),
            Setup::new);
  }

  private static Gen<List<Step>> steps() {
    Gen<Step> step =
        longs()
            .between(0, 200)
            .zip(
                longs().between(0, 3),
                longs().between(0, 55),
                integers().between(0, 3),
                integers().between(0, 4),
                (a, j, c, p, x) -> new Step(a, j, c, p, x == 0));
    return lists().of(step).ofSizeBetween(1, 120);
  }

  @Test
  void tryAcquire_decidesExactlyLikeAReferenceTokenBucket() {
    qt().withExamples(300)
        .forAll(setups(), steps())
        .checkAssert(
            (setup, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              Throttle t = setup.build(ticker, EventRegistry.create());
              long interval = setup.interval();
              long tolerance = setup.burst() * interval;
              long credit = tolerance; // the reference: available time, capped at the tolerance
              for (Step s : script) {
                long dt = s.advanceUnits() * interval / 64 + s.advanceJitter();
                ticker.advance(dt);
                credit = Math.min(tolerance, credit + dt);
                boolean expected = s.cost() <= setup.burst() && credit >= s.cost() * interval;
                if (expected) {
                  credit -= s.cost() * interval;
                }
                assertThat(t.tryAcquire(s.cost())).as("tryAcquire(%d) after %s", s.cost(), s).isEqualTo(expected);
                assertThat(t.availablePermits()).isEqualTo(credit / interval);
              }
            });
  }

  @Test
  void releases_neverExceedBurstPlusRateTimesInterval() {
    qt().withExamples(300)
        .forAll(setups(), steps())
        .checkAssert(
            (setup, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              EventRegistry events = EventRegistry.create();
              AtomicLong refunded = new AtomicLong();
              events.subscribe(LimiterEvent.Cancelled.class, e -> refunded.addAndGet(e.refunded()));
              Throttle t = setup.build(ticker, events);
              long interval = setup.interval();
              List<long[]> releases = new ArrayList<>(); // {offset from origin, cost, now, wait}
              long[] last = null; // the latest booking, while it is still in the limiter
              long elapsed = 0;
              for (Step s : script) {
                long dt = s.advanceUnits() * interval / 64 + s.advanceJitter();
                ticker.advance(dt);
                elapsed += dt;
                long maxWait = s.patience() == 0 ? 0 : s.patience() * interval * setup.burst();
                long now = ticker.read();
                long wait = t.reserve(s.cost(), now, maxWait);
                if (wait >= 0 && s.cost() > 0) {
                  last = new long[] {elapsed + wait, s.cost(), now, wait};
                  releases.add(last);
                }
                if (s.cancel() && !releases.isEmpty()) {
                  // Cancel a booking not yet released: the latest (always returned if it waits)
                  // or an older one (returned only if nothing was booked after it).
                  long[] b = releases.get(releases.size() - 1 - (int) (s.advanceJitter() % releases.size()));
                  if (b[0] > elapsed) {
                    long before = refunded.get();
                    t.cancel(b[1], b[2], b[3]);
                    releases.remove(b); // never released: it does not count
                    if (b == last) {
                      assertThat(refunded.get() - before).isEqualTo(b[1]);
                      last = null;
                    }
                  }
                }
              }
              assertRateBound(releases, setup);
            });
  }

  @Test
  void cancel_ofTheLastBooking_restoresTheExactState() {
    qt().withExamples(300)
        .forAll(setups(), steps(), longs().between(1, 50))
        .checkAssert(
            (setup, script, cost) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              Throttle t = setup.build(ticker, EventRegistry.create());
              Throttle twin = setup.build(ticker, EventRegistry.create());
              long interval = setup.interval();
              for (Step s : script) {
                ticker.advance(s.advanceUnits() * interval / 64 + s.advanceJitter());
                long now = ticker.read();
                long a = t.reserve(s.cost(), now, interval * 2);
                long b = twin.reserve(s.cost(), now, interval * 2);
                assertThat(a).isEqualTo(b);
                // t books one more cost and cancels it; twin never saw it.
                long extra = t.reserve(cost, now, Long.MAX_VALUE);
                if (extra >= 0) {
                  t.cancel(cost, now, extra);
                }
                if (extra > 0) {
                  for (long probe = 1; probe <= setup.burst(); probe += 7) {
                    assertThat(t.waitNanos(probe, now)).isEqualTo(twin.waitNanos(probe, now));
                  }
                } else if (extra == 0) {
                  // An immediate grant cannot be recognised later and stays charged: replay it.
                  assertThat(twin.reserve(cost, now, 0)).isZero();
                }
              }
            });
  }

  @Test
  void frozenClock_grantsExactlyTheBurstWhateverTheCosts() {
    qt().withExamples(300)
        .forAll(setups(), lists().of(longs().between(1, 7)).ofSizeBetween(1, 200))
        .checkAssert(
            (setup, costs) -> {
              Throttle t = setup.build(ManualTicker.startingAt(setup.origin()), EventRegistry.create());
              long granted = 0;
              for (long c : costs) {
                if (t.tryAcquire(c)) {
                  granted += c;
                }
              }
              assertThat(granted).isLessThanOrEqualTo(setup.burst());
              assertThat(granted + t.availablePermits()).isEqualTo(setup.burst());
            });
  }

  @Test
  void setRate_neverCreatesPermits() {
    qt().withExamples(300)
        .forAll(setups(), lists().of(longs().between(1, 2_000)).ofSizeBetween(1, 30), longs().between(0, 50))
        .checkAssert(
            (setup, rates, taken) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              Throttle t = setup.build(ticker, EventRegistry.create());
              long first = Math.min(taken, setup.burst());
              assertThat(t.tryAcquire(first)).isTrue();
              long available = t.availablePermits();
              for (long permits : rates) {
                t.setRate(permits, Duration.ofSeconds(1));
                long now = t.availablePermits();
                assertThat(now).isLessThanOrEqualTo(available);
                available = now;
              }
              assertThat(available).isGreaterThanOrEqualTo(0);
            });
  }

  /** Checks cost released in [a, b] <= burst + permits/period * (b - a) for every pair of releases. */
  static void assertRateBound(List<long[]> releases, Setup setup) {
    releases.sort((x, y) -> Long.compare(x[0], y[0]));
    int n = releases.size();
    for (int i = 0; i < n; i++) {
      long sum = 0;
      for (int j = i; j < n; j++) {
        sum += releases.get(j)[1];
        long span = releases.get(j)[0] - releases.get(i)[0];
        // sum <= burst + permits * span / period, in integers
        java.math.BigInteger lhs =
            java.math.BigInteger.valueOf(sum - setup.burst()).multiply(java.math.BigInteger.valueOf(setup.periodNanos()));
        java.math.BigInteger rhs =
            java.math.BigInteger.valueOf(setup.permits()).multiply(java.math.BigInteger.valueOf(span));
        assertThat(lhs.compareTo(rhs))
            .as("released %d in %d ns (burst %d, %d per %d ns)", sum, span, setup.burst(), setup.permits(), setup.periodNanos())
            .isLessThanOrEqualTo(0);
      }
    }
  }

  @Test
  void rejectionEncoding_roundTrips() {
    qt().forAll(longs().between(0, Long.MAX_VALUE - 1))
        .checkAssert(w -> assertThat(RateLimiter.requiredWait(RateLimiter.rejection(w))).isEqualTo(w));
  }
}
