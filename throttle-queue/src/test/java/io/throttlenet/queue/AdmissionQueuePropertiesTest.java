package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
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
        .forAll(
            lists().of(ops()).ofSizeBetween(1, 80),
            integers().between(1, 8),
            integers().between(0, 2),
            integers().between(3, 12))
        .checkAssert(
            (script, capacity, policy, maxCost) -> {
              ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);
              Throttle limiter =
                  Throttle.builder().rate(4, Duration.ofSeconds(1)).burst(3).initialPermits(1).ticker(ticker).build();
              AdmissionQueue<Integer> q =
                  AdmissionQueue.<Integer>builder(limiter)
                      .capacity(capacity)
                      .maxQueuedCost(maxCost)
                      .overflow(Overflow.values()[policy])
                      .events(EventRegistry.create())
                      .build();
              List<CompletableFuture<Permit>> all = new ArrayList<>();
              List<long[]> deadlines = new ArrayList<>(); // {deadline or MIN, dispatched-at or MIN}
              for (Op op : script) {
                if (op.kind() < 6) {
                  boolean withDeadline = op.kind() % 2 == 0;
                  long now = ticker.read();
                  long[] track = {withDeadline ? now + op.deadlineMs() * 1_000_000L : Long.MIN_VALUE, Long.MIN_VALUE};
                  CompletableFuture<Permit> f =
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
                assertThat(q.queuedCost()).isLessThanOrEqualTo(maxCost);
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

  /**
   * The same over a bulkhead, where only slots given back move the queue: the release hook must
   * never lose a wake-up, and the limit is never exceeded.
   */
  @Test
  void overABulkhead_everyCallerGetsExactlyOneOutcome_andTheLimitHolds() {
    qt().withExamples(200)
        .forAll(lists().of(ops()).ofSizeBetween(1, 80), integers().between(1, 6), integers().between(1, 3))
        .checkAssert(
            (script, capacity, slots) -> {
              ManualTicker ticker = ManualTicker.startingAt(-7_000_000_000L);
              ConcurrencyLimit limit = ConcurrencyLimit.builder().limit(slots).ticker(ticker).build();
              AdmissionQueue<Integer> q =
                  AdmissionQueue.<Integer>builder(limit)
                      .capacity(capacity)
                      .overflow(Overflow.DROP_LOWEST_PRIORITY)
                      .events(EventRegistry.create())
                      .build();
              List<CompletableFuture<Permit>> all = new ArrayList<>();
              List<Permit> held = new ArrayList<>();
              for (Op op : script) {
                if (op.kind() < 5) {
                  Duration deadline = op.kind() % 2 == 0 ? Duration.ofMillis(op.deadlineMs()) : null;
                  CompletableFuture<Permit> f =
                      q.acquireAsync(op.key(), op.priority(), op.cost(), deadline).toCompletableFuture();
                  f.thenAccept(held::add);
                  all.add(f);
                } else if (op.kind() < 6 && !all.isEmpty()) {
                  all.get(op.deadlineMs() % all.size()).cancel(false);
                } else if (op.kind() < 8 && !held.isEmpty()) {
                  held.remove(op.deadlineMs() % held.size()).success();
                } else {
                  ticker.advance(Duration.ofMillis(op.advanceMs()));
                }
                assertThat(limit.inFlight()).isLessThanOrEqualTo(slots).isEqualTo(held.size());
                assertThat(q.size()).isLessThanOrEqualTo(capacity);
              }
              while (!held.isEmpty()) {
                held.remove(0).success(); // each release hands the slot to the next waiter
              }
              assertThat(q.size()).isZero();
              assertThat(all).allMatch(CompletableFuture::isDone);
              assertThat(limit.inFlight()).isZero();
            });
  }
}
