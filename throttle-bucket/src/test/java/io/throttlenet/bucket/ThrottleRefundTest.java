package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Charges and refunds of a {@link Throttle} taking part in a composite, against a sequential GCRA
 * model: a theoretical arrival time {@code tat}; a charge moves it {@code cost × interval} past
 * {@code max(tat, now)}; a refund gives back what the charge still weighs, {@code min(cost ×
 * interval, handle - now)}, where the handle is the end of the charge's slice.
 */
class ThrottleRefundTest {

  private static final class Model {
    final long burst;
    final long interval;
    long tat;

    Model(long burst, long interval, long start, long initial) {
      this.burst = burst;
      this.interval = interval;
      this.tat = start + burst * interval - initial * interval;
    }

    long available(long now) {
      long owed = Math.max(tat - now, 0);
      return Math.min(Math.floorDiv(burst * interval - owed, interval), burst);
    }

    /** The charge's handle, or 0 if refused (never a real handle here: times are positive-offset). */
    boolean tryCharge(long cost, long now) {
      long base = Math.max(tat - now, 0) + now;
      if (base + cost * interval - burst * interval - now > 0) {
        return false;
      }
      tat = base + cost * interval;
      return true;
    }

    void refund(long cost, long handle, long now) {
      long back = Math.min(cost * interval, handle - now);
      if (back > 0) {
        tat -= back;
      }
    }
  }

  @Test
  void chargesAndRefunds_agreeWithTheGcraModel() {
    // an op: 0..3 charge (cost 1 + op / 10 % 3), 4..6 refund part of an earlier charge, 7..9 wait
    qt().withExamples(300)
        .forAll(
            integers().between(1, 8),
            longs().between(1, 40),
            lists().of(integers().between(0, 999)).ofSizeBetween(1, 80),
            longs().all())
        .checkAssert(
            (burst, intervalMs, ops, origin) -> {
              ManualTicker ticker = ManualTicker.startingAt(origin);
              long interval = intervalMs * 1_000_000L;
              long initial = Math.floorMod(origin, burst + 1);
              Throttle t =
                  Throttle.builder()
                      .rate(1, Duration.ofNanos(interval))
                      .burst(burst)
                      .initialPermits(initial)
                      .ticker(ticker)
                      .build();
              Part[] parts = Parts.of(t);
              Model model = new Model(burst, interval, origin, initial);
              List<long[]> charges = new ArrayList<>(); // {handle, cost, chargedAt}
              assertThat(t.availablePermits()).isEqualTo(model.available(origin));
              for (int op : ops) {
                int kind = op % 10;
                long now = ticker.read();
                if (kind < 4) {
                  long cost = 1 + op / 10 % 3;
                  long[] handles = new long[1];
                  long wait = Atomic.tryCharge(parts, new long[] {cost}, 0, now, handles);
                  assertThat(wait == 0).as("charge %d", cost).isEqualTo(model.tryCharge(cost, now));
                  if (wait == 0) {
                    charges.add(new long[] {handles[0], cost, now});
                  }
                } else if (kind < 7) {
                  if (charges.isEmpty()) {
                    continue;
                  }
                  long[] c = charges.get(op / 10 % charges.size());
                  long units = 1 + op / 100 % c[1];
                  Atomic.refund(parts, new long[] {units}, new long[] {c[0]}, c[2], now);
                  model.refund(units, c[0], now);
                } else {
                  ticker.advance(interval * (kind - 6) * (1 + op / 10 % 5) / 4);
                }
                assertThat(t.availablePermits()).as("after op %d of %s", op, ops).isEqualTo(model.available(ticker.read()));
              }
            });
  }
}
