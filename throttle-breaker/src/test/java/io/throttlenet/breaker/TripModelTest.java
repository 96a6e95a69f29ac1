package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The rate, slow-call and time-window trips, driven through a breaker on a manual ticker, against
 * reference models that keep every outcome in a plain list. After each call the breaker must be
 * open exactly when the model says the trip fired; then both start a fresh closed period.
 */
class TripModelTest {
  private static final long MS = 1_000_000L;

  /** A closed period's reference: outcomes in, "tripped?" out. */
  interface Model {
    boolean record(boolean failed, long durationNanos, long now);
  }

  /** The last {@code n} calls: bad if failed (or, for slow-call trips, slower than the threshold). */
  static Model lastCalls(double rate, int n, int minimum, long slowNanos) {
    Deque<Boolean> last = new ArrayDeque<>();
    return (failed, duration, now) -> {
      last.addLast(slowNanos > 0 ? duration > slowNanos : failed);
      if (last.size() > n) {
        last.removeFirst();
      }
      long bad = last.stream().filter(b -> b).count();
      return last.size() >= minimum && bad >= rate * last.size();
    };
  }

  /**
   * A window of ten buckets of {@code window / 10}, counted from the period's first outcome: an
   * outcome counts while its bucket is one of the ten latest. {@code count > 0}: that many failures
   * trip; otherwise {@code rate} of at least {@code minimum} calls.
   */
  static Model window(long windowNanos, int count, double rate, int minimum) {
    long bucket = Math.max(1, windowNanos / 10);
    List<long[]> outcomes = new ArrayList<>(); // {time since the first outcome, failed ? 1 : 0}
    long[] first = new long[1];
    return (failed, duration, now) -> {
      if (outcomes.isEmpty()) {
        first[0] = now;
      }
      long t = now - first[0];
      outcomes.add(new long[] {t, failed ? 1 : 0});
      long calls = 0;
      long failures = 0;
      for (long[] o : outcomes) {
        if (t / bucket - o[0] / bucket < 10) {
          calls++;
          failures += o[1];
        }
      }
      return count > 0 ? failures >= count : calls >= minimum && failures >= rate * calls;
    };
  }

  interface ModelFactory {
    Model fresh();
  }

  /**
   * Runs {@code ops} on a breaker tripped by {@code trip} and on the model. An op: 0 success, 1
   * failure, 2 slow success, 3 slow failure (slow = {@code slowMs}), 4..5 time passes; odd
   * multiples of 6 go through {@link CircuitBreaker#decorate}, the rest through permits.
   */
  private static void check(Trip trip, ModelFactory models, long slowMs, long stepMs, long origin, List<Integer> ops)
      throws Exception {
    ManualTicker ticker = ManualTicker.startingAt(origin);
    CircuitBreaker b =
        CircuitBreaker.builder().trip(trip).cooldown(Duration.ofHours(1)).ticker(ticker).events(EventRegistry.create()).build();
    Model model = models.fresh();
    int step = 0;
    for (int op : ops) {
      step++;
      int kind = op % 6;
      if (kind >= 4) {
        ticker.advance(stepMs * MS * (kind - 3));
        continue;
      }
      boolean failed = kind % 2 == 1;
      long duration = kind >= 2 ? slowMs * MS : (op / 6) % 3 * MS; // fast calls take 0-2 ms
      boolean viaDecorator = (op / 6) % 2 == 1;
      if (viaDecorator) {
        CheckedSupplier<String> call =
            b.decorate(
                () -> {
                  ticker.advance(duration);
                  if (failed) {
                    throw new IOException("down");
                  }
                  return "ok";
                });
        try {
          call.get();
        } catch (IOException expected) {
          // the call's own failure, passed through
        }
      } else {
        CircuitBreaker.Permit p = b.acquire();
        ticker.advance(duration);
        if (failed) {
          p.failure(new IOException("down"));
        } else {
          p.success();
        }
      }
      boolean tripped = model.record(failed, duration, ticker.read());
      assertThat(b.state()).as("after op %d (%d) of %s", step, op, ops).isEqualTo(tripped ? BreakerState.OPEN : BreakerState.CLOSED);
      if (tripped) {
        b.reset();
        model = models.fresh();
      }
    }
  }

  private static Gen<List<Integer>> ops() {
    return lists().of(integers().between(0, 35)).ofSizeBetween(1, 80);
  }

  @Test
  void failureRate_agreesWithTheLastCallsModel() {
    qt().withExamples(300)
        .forAll(integers().between(1, 10), integers().between(1, 12), ops(), longs().all())
        .checkAssert(
            (ratePercentTenths, n, ops, origin) -> {
              double rate = ratePercentTenths / 10.0;
              int minimum = 1 + Math.floorMod(origin, n);
              try {
                check(Trip.failureRate(rate, n, minimum), () -> lastCalls(rate, n, minimum, 0), 50, 1, origin, ops);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void slowCallRate_agreesWithTheLastCallsModel() {
    qt().withExamples(300)
        .forAll(integers().between(1, 10), integers().between(1, 12), ops(), longs().all())
        .checkAssert(
            (rateTenths, n, ops, origin) -> {
              double rate = rateTenths / 10.0;
              int minimum = 1 + Math.floorMod(origin, n);
              long slowMs = 1 + Math.floorMod(origin >> 8, 3L); // 1..3 ms: fast calls take 0..2
              try {
                check(
                    Trip.slowCallRate(Duration.ofMillis(slowMs), rate, n, minimum),
                    () -> lastCalls(rate, n, minimum, slowMs * MS),
                    slowMs + Math.floorMod(origin >> 16, 2L), // slow ops: at or just above the threshold
                    1,
                    origin,
                    ops);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void failuresWithin_agreesWithTheWindowModel() {
    qt().withExamples(300)
        .forAll(integers().between(1, 8), integers().between(1, 200), ops(), longs().all())
        .checkAssert(
            (count, windowMs, ops, origin) -> {
              long stepMs = 1 + Math.floorMod(origin, Math.max(1, windowMs / 3));
              try {
                check(Trip.failuresWithin(count, Duration.ofMillis(windowMs)), () -> window(windowMs * MS, count, 0, 0), 5, stepMs, origin, ops);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void failureRateWithin_agreesWithTheWindowModel() {
    qt().withExamples(300)
        .forAll(integers().between(1, 10), integers().between(1, 200), ops(), longs().all())
        .checkAssert(
            (rateTenths, windowMs, ops, origin) -> {
              double rate = rateTenths / 10.0;
              int minimum = 1 + Math.floorMod(origin >> 4, 6);
              long stepMs = 1 + Math.floorMod(origin, Math.max(1, windowMs / 3));
              try {
                check(
                    Trip.failureRateWithin(rate, Duration.ofMillis(windowMs), minimum),
                    () -> window(windowMs * MS, 0, rate, minimum),
                    5,
                    stepMs,
                    origin,
                    ops);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void counters_releaseTheirLockAfterEachOutcome() throws Exception {
    for (Trip trip :
        List.of(Trip.failureRate(1, 5, 5), Trip.failureRateWithin(1, Duration.ofSeconds(1), 5), Trip.failuresWithin(5, Duration.ofSeconds(1)))) {
      Trip.Counter counter = trip.newCounter();
      assertThat(counter.record(true, 0, 0)).isFalse();
      // Another thread records at once; a lock left held would time this out.
      Boolean other = CompletableFuture.supplyAsync(() -> counter.record(true, 0, 0)).get(30, TimeUnit.SECONDS);
      assertThat(other).as("%s", trip).isFalse();
    }
  }

  @Test
  void badArguments_areRefusedNamingTheArgument() {
    assertThatThrownBy(() -> Trip.failureRate(0.5, 0, 1)).hasMessage("lastCalls must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.failureRate(0.5, 5, 0)).hasMessage("minimumCalls must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.failureRate(0.5, 5, 6)).hasMessage("minimumCalls must be <= lastCalls (5), was 6");
    assertThatThrownBy(() -> Trip.failureRate(0, 5, 1)).hasMessage("rate must be in (0, 1], was 0.0");
    assertThatThrownBy(() -> Trip.failureRate(1.01, 5, 1)).hasMessage("rate must be in (0, 1], was 1.01");
    assertThat(Trip.failureRate(1, 5, 5)).hasToString("failure rate 1.0 over the last 5 calls");
    assertThatThrownBy(() -> Trip.failuresWithin(0, Duration.ofSeconds(1))).hasMessage("failures must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.failureRateWithin(0, Duration.ofSeconds(1), 1)).hasMessage("rate must be in (0, 1], was 0.0");
    assertThatThrownBy(() -> Trip.failureRateWithin(0.5, Duration.ofSeconds(1), 0)).hasMessage("minimumCalls must be >= 1, was 0");
    assertThat(Trip.failureRateWithin(0.5, Duration.ofSeconds(1), 3)).hasToString("failure rate 0.5 within PT1S");
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> Trip.slowCallRate(s, 0, 5, 1)).hasMessage("rate must be in (0, 1], was 0.0");
    assertThatThrownBy(() -> Trip.slowCallRate(s, 0.5, 0, 1)).hasMessage("lastCalls must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.slowCallRate(s, 0.5, 5, 0)).hasMessage("minimumCalls must be >= 1, was 0");
    assertThatThrownBy(() -> Trip.slowCallRate(s, 0.5, 5, 6)).hasMessage("minimumCalls must be <= lastCalls (5), was 6");
    assertThatThrownBy(() -> Trip.slowCallRate(Duration.ZERO, 0.5, 5, 1)).hasMessage("slowerThan must be > 0, was PT0S");
    assertThat(Trip.slowCallRate(s, 0.5, 5, 2).slowNanos()).isEqualTo(1_000_000_000L);
  }
}
