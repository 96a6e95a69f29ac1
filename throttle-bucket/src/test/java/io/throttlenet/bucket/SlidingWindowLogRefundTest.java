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
 * Refunds of a {@link SlidingWindowLog} taking part in a composite (what a settled or undone
 * multi-dimensional charge does), against a model that keeps every booking in a list.
 */
class SlidingWindowLogRefundTest {

  /** The model: bookings (time, cost); one counts while less than a window old. */
  private static final class Model {
    final long limit;
    final long window;
    final List<long[]> bookings = new ArrayList<>();

    Model(long limit, long window) {
      this.limit = limit;
      this.window = window;
    }

    long available(long now) {
      bookings.removeIf(b -> now - b[0] >= window);
      return limit - bookings.stream().mapToLong(b -> b[1]).sum();
    }

    /** Takes back up to {@code units} from the bookings made at exactly {@code time}. */
    void refund(long time, long units, long now) {
      available(now); // what has left the window is not given back
      long left = units;
      for (long[] b : bookings) {
        if (b[0] == time && left > 0) {
          long take = Math.min(b[1], left);
          b[1] -= take;
          left -= take;
        }
      }
      bookings.removeIf(b -> b[1] == 0);
    }
  }

  @Test
  void refunds_ofAnyEarlierCharge_agreeWithTheModel() {
    // an op: 0..3 charge (cost 1 + op / 10 % 4), 4..6 refund part of an earlier charge, 7..9 wait
    qt().withExamples(300)
        .forAll(
            integers().between(1, 20),
            longs().between(1, 50),
            lists().of(integers().between(0, 999)).ofSizeBetween(1, 80),
            longs().all())
        .checkAssert(
            (limit, windowMs, ops, origin) -> {
              ManualTicker ticker = ManualTicker.startingAt(origin);
              long window = windowMs * 1_000_000L;
              SlidingWindowLog log =
                  SlidingWindowLog.builder().limit(limit).window(Duration.ofNanos(window)).ticker(ticker).build();
              Part[] parts = Parts.of(log);
              Model model = new Model(limit, window);
              List<long[]> charges = new ArrayList<>(); // {handle, cost, time}
              for (int op : ops) {
                int kind = op % 10;
                long now = ticker.read();
                if (kind < 4) {
                  long cost = 1 + op / 10 % 4;
                  long[] handles = new long[1];
                  long wait = Atomic.tryCharge(parts, new long[] {cost}, 0, now, handles);
                  assertThat(wait == 0).as("charge %d at %d", cost, now).isEqualTo(model.available(now) >= cost);
                  if (wait == 0) {
                    model.bookings.add(new long[] {now, cost});
                    charges.add(new long[] {handles[0], cost, now});
                  }
                } else if (kind < 7) {
                  if (charges.isEmpty()) {
                    continue;
                  }
                  long[] c = charges.get(op / 10 % charges.size());
                  long units = 1 + op / 100 % c[1];
                  Atomic.refund(parts, new long[] {units}, new long[] {c[0]}, c[2], now);
                  model.refund(c[2], units, now);
                } else {
                  ticker.advance(window * (kind - 6) * (1 + op / 10 % 7) / 14);
                }
                assertThat(log.availablePermits()).as("after op %d of %s", op, ops).isEqualTo(model.available(ticker.read()));
              }
            });
  }
}
