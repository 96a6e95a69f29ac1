package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of {@link SlidingWindowLog} over a manual ticker started anywhere: immediate grants
 * match a reference log, at most {@code limit} is released in every window (measured when callers
 * are released, with waits and cancellations anywhere in the log), and a frozen clock admits
 * exactly the limit.
 */
class SlidingWindowLogPropertiesTest {

  record Setup(long limit, long windowNanos, long origin) {
    SlidingWindowLog build(ManualTicker ticker) {
      return SlidingWindowLog.builder()
          .limit(limit)
          .window(Duration.ofNanos(windowNanos))
          .ticker(ticker)
          .events(EventRegistry.create())
          .build();
    }
  }

  record Step(long advance, long cost, int patience, int cancelIndex) {}

  private static Gen<Setup> setups() {
    return longs().between(1, 40).zip(longs().between(1, 5_000_000_000L), longs().all(), Setup::new);
  }

  private static Gen<List<Step>> steps() {
    Gen<Step> step =
        longs()
            .between(0, 400)
            .zip(longs().between(0, 45), integers().between(0, 3), integers().between(-8, 8), (a, c, p, x) -> new Step(a, c, p, x));
    return lists().of(step).ofSizeBetween(1, 120);
  }

  @Test
  void tryAcquire_decidesExactlyLikeAReferenceLog() {
    qt().withExamples(300)
        .forAll(setups(), steps())
        .checkAssert(
            (setup, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              SlidingWindowLog log = setup.build(ticker);
              List<long[]> granted = new ArrayList<>(); // {elapsed, cost}
              long elapsed = 0;
              for (Step s : script) {
                long dt = s.advance() * setup.windowNanos() / 200;
                ticker.advance(dt);
                elapsed += dt;
                long inWindow = 0;
                for (long[] g : granted) {
                  if (elapsed - g[0] < setup.windowNanos()) {
                    inWindow += g[1];
                  }
                }
                boolean expected = s.cost() <= setup.limit() && inWindow + s.cost() <= setup.limit();
                assertThat(log.tryAcquire(s.cost())).isEqualTo(expected);
                if (expected && s.cost() > 0) {
                  granted.add(new long[] {elapsed, s.cost()});
                  inWindow += s.cost();
                }
                assertThat(log.availablePermits()).isEqualTo(setup.limit() - inWindow);
              }
            });
  }

  @Test
  void releases_neverExceedTheLimitInAnyWindow() {
    qt().withExamples(300)
        .forAll(setups(), steps())
        .checkAssert(
            (setup, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              SlidingWindowLog log = setup.build(ticker);
              List<long[]> bookings = new ArrayList<>(); // {now, wait, cost, offset of release}
              long elapsed = 0;
              for (Step s : script) {
                long dt = s.advance() * setup.windowNanos() / 200;
                ticker.advance(dt);
                elapsed += dt;
                long maxWait = s.patience() * setup.windowNanos();
                long now = ticker.read();
                long wait = log.reserve(s.cost(), now, maxWait);
                if (wait >= 0 && s.cost() > 0) {
                  bookings.add(new long[] {now, wait, s.cost(), elapsed + wait});
                }
                // Cancel a booking that has not been released yet, anywhere in the log.
                if (s.cancelIndex() >= 0 && s.cancelIndex() < bookings.size()) {
                  long[] b = bookings.get(bookings.size() - 1 - s.cancelIndex());
                  if (b[3] > elapsed) {
                    log.cancel(b[2], b[0], b[1]);
                    bookings.remove(b);
                  }
                }
              }
              bookings.sort((x, y) -> Long.compare(x[3], y[3]));
              for (int i = 0; i < bookings.size(); i++) {
                long sum = 0;
                for (int j = i; j < bookings.size() && bookings.get(j)[3] - bookings.get(i)[3] < setup.windowNanos(); j++) {
                  sum += bookings.get(j)[2];
                }
                assertThat(sum).as("released in one window").isLessThanOrEqualTo(setup.limit());
              }
            });
  }

  @Test
  void frozenClock_admitsExactlyTheLimit() {
    qt().withExamples(300)
        .forAll(setups(), lists().of(longs().between(1, 9)).ofSizeBetween(1, 100))
        .checkAssert(
            (setup, costs) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              SlidingWindowLog log = setup.build(ticker);
              long granted = 0;
              for (long c : costs) {
                if (log.tryAcquire(c)) {
                  granted += c;
                }
              }
              assertThat(granted).isLessThanOrEqualTo(setup.limit());
              assertThat(granted + log.availablePermits()).isEqualTo(setup.limit());
              ticker.advance(setup.windowNanos() - 1);
              assertThat(log.availablePermits()).isEqualTo(setup.limit() - granted);
              ticker.advance(1);
              assertThat(log.tryAcquire(setup.limit())).isTrue();
            });
  }
}
