package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Random schedules of arrivals, cancellations and time steps: the queue never holds more than
 * its capacity, nobody is dispatched after its deadline, and in the end every caller has had
 * exactly one outcome (dispatched, expired, dropped, refused or cancelled): no lost wake-up.
 */
class AdmissionQueuePropertiesTest {

  record Op(int kind, int key, int priority, int cost, int deadlineMs, int advanceMs) {}

  private static Gen<Op> ops() {
    return integers()
        .between(0, 9)
        .zip(
            integers().between(0, 2),
            integers().between(0, 2),
            integers().between(1, 3),
            integers().between(0, 3_000),
            (kind, key, priority, cost, ms) -> new Op(kind, key, priority, cost, ms, ms / 3));
  }

  @Test
  void everyCallerGetsExactlyOneOutcome_withinCapacity_neverAfterItsDeadline() {
    qt().withExamples(200)
        .forAll(lists().of(ops()).ofSizeBetween(1, 80), integers().between(1, 8), integers().between(0, 2))
        .checkAssert(
            (script, capacity, policy) -> {
              ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);
              Throttle limiter =
                  Throttle.builder().rate(4, Duration.ofSeconds(1)).burst(3).initialPermits(1).ticker(ticker).build();
              AdmissionQueue<Integer> q =
                  AdmissionQueue.<Integer>builder(limiter)
                      .capacity(capacity)
                      .overflow(Overflow.values()[policy])
                      .events(EventRegistry.create())
                      .build();
              List<CompletableFuture<Void>> all = new ArrayList<>();
              List<long[]> deadlines = new ArrayList<>(); // {deadline or MIN, dispatched-at or MIN}
              for (Op op : script) {
                if (op.kind() < 6) {
                  boolean withDeadline = op.kind() % 2 == 0;
                  long now = ticker.read();
                  long[] track = {withDeadline ? now + op.deadlineMs() * 1_000_000L : Long.MIN_VALUE, Long.MIN_VALUE};
                  CompletableFuture<Void> f =
                      q.acquireAsync(op.key(), op.priority(), op.cost(), withDeadline ? Duration.ofMillis(op.deadlineMs()) : null)
                          .toCompletableFuture();
                  f.thenRun(() -> track[1] = ticker.read());
                  all.add(f);
                  deadlines.add(track);
                } else if (op.kind() < 7 && !all.isEmpty()) {
                  all.get(op.deadlineMs() % all.size()).cancel(false);
                } else {
                  ticker.advance(Duration.ofMillis(op.advanceMs()));
                }
                assertThat(q.size()).isLessThanOrEqualTo(capacity);
              }
              ticker.advance(Duration.ofHours(1));
              assertThat(q.size()).isZero();
              assertThat(all).allMatch(CompletableFuture::isDone);
              for (long[] d : deadlines) {
                if (d[0] != Long.MIN_VALUE && d[1] != Long.MIN_VALUE) {
                  assertThat(d[1] - d[0]).as("dispatched after its deadline").isLessThanOrEqualTo(0);
                }
              }
            });
  }
}
