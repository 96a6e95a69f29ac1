package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

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
 * Properties of {@link MultiLimiter} over a manual ticker: on a frozen clock the number of calls
 * granted is set by the tightest dimension, and settling a reservation leaves exactly the state
 * that charging the actual costs in the first place would have left.
 */
class MultiLimiterPropertiesTest {

  private static MultiLimiter limiter(ManualTicker ticker, long a, long b, long c) {
    EventRegistry events = EventRegistry.create();
    return MultiLimiter.builder()
        .dimension("a", Throttle.builder().rate(a, Duration.ofSeconds(7)).ticker(ticker).events(events).build())
        .dimension("b", Throttle.builder().rate(b, Duration.ofSeconds(3)).ticker(ticker).events(events).build())
        .dimension("c", Throttle.builder().rate(c, Duration.ofSeconds(1)).ticker(ticker).events(events).build())
        .events(events)
        .build();
  }

  @Test
  void frozenClock_grantsAreBoundByTheTightestDimension() {
    qt().withExamples(300)
        .forAll(lists().of(longs().between(1, 500)).ofSize(3), lists().of(longs().between(0, 60)).ofSize(3), longs().all())
        .checkAssert(
            (caps, costs, origin) -> {
              MultiLimiter m = limiter(ManualTicker.startingAt(origin), caps.get(0), caps.get(1), caps.get(2));
              Costs call = Costs.of("a", costs.get(0), "b", costs.get(1), "c", costs.get(2));
              long expected = Long.MAX_VALUE;
              for (int d = 0; d < 3; d++) {
                if (costs.get(d) > 0) {
                  expected = Math.min(expected, caps.get(d) / costs.get(d));
                }
              }
              long granted = 0;
              while (granted < 1_000 && m.tryAcquire(call)) {
                granted++;
              }
              assertThat(granted).isEqualTo(Math.min(expected, 1_000));
              String[] names = {"a", "b", "c"};
              for (int d = 0; d < 3; d++) {
                assertThat(m.availablePermits(names[d])).isEqualTo(caps.get(d) - granted * costs.get(d));
              }
            });
  }

  @Test
  void settle_leavesTheStateOfHavingChargedTheActualCost() {
    qt().withExamples(300)
        .forAll(
            lists().of(longs().between(0, 200)).ofSize(6), // prior load a,b,c then estimate a,b,c
            lists().of(longs().between(0, 400)).ofSize(3), // actual a,b,c
            longs().between(0, 5_000), // ms between grant and settle
            longs().all())
        .checkAssert(
            (load, actual, laterMillis, origin) -> {
              ManualTicker ticker = ManualTicker.startingAt(origin);
              MultiLimiter settled = limiter(ticker, 400, 400, 400);
              MultiLimiter direct = limiter(ticker, 400, 400, 400);
              Costs prior = Costs.of("a", load.get(0), "b", load.get(1), "c", load.get(2));
              Costs estimate = Costs.of("a", load.get(3), "b", load.get(4), "c", load.get(5));
              Costs real = Costs.of("a", actual.get(0), "b", actual.get(1), "c", actual.get(2));
              assertThat(settled.tryAcquire(prior)).isTrue();
              assertThat(direct.tryAcquire(prior)).isTrue();
              var reservation = settled.tryReserve(estimate);
              if (reservation.isEmpty() || !direct.tryAcquire(real)) {
                return; // only compare where both ways were admitted
              }
              ticker.advance(Duration.ofMillis(laterMillis));
              reservation.get().settle(real);
              for (String d : List.of("a", "b", "c")) {
                assertThat(settled.availablePermits(d)).as(d).isEqualTo(direct.availablePermits(d));
                Costs probe = Costs.of(d, 37);
                assertThat(settled.waitTime(probe)).isEqualTo(direct.waitTime(probe));
              }
            });
  }

  /** A caller of the line's script: advance, then ask for costs a, b, c (0: that dimension not named). */
  record Caller(long advanceMillis, long a, long b, long c, boolean reserves) {}

  @Test
  void theLine_servesMixedCallersInArrivalOrder_andLeavesNothingBehind() {
    Gen<Caller> caller = longs().between(0, 2_000).zip(
        longs().between(0, 3), longs().between(0, 3), longs().between(0, 3),
        (ms, a, b, c) -> new Caller(ms, a, b, c, (ms + a + b + c) % 2 == 0));
    qt().withExamples(200)
        .forAll(lists().of(longs().between(1, 6)).ofSize(3), lists().of(caller).ofSizeBetween(1, 40))
        .checkAssert(
            (caps, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(-1);
              MultiLimiter m = limiter(ticker, caps.get(0), caps.get(1), caps.get(2));
              List<Integer> served = new ArrayList<>();
              List<CompletableFuture<?>> all = new ArrayList<>();
              for (Caller c : script) {
                ticker.advance(Duration.ofMillis(c.advanceMillis()));
                Costs costs = Costs.of(
                    "a", Math.min(c.a(), caps.get(0)), "b", Math.min(c.b(), caps.get(1)), "c", Math.min(c.c(), caps.get(2)));
                int index = all.size();
                CompletableFuture<?> f = c.reserves()
                    ? m.reserveAsync(costs).thenAccept(Reservation::close).toCompletableFuture()
                    : m.acquireAsync(costs).toCompletableFuture();
                f.thenRun(() -> served.add(index));
                all.add(f);
              }
              ticker.advance(Duration.ofHours(1));
              assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
              for (int i = 1; i < served.size(); i++) {
                assertThat(served.get(i)).as("served in arrival order").isGreaterThan(served.get(i - 1));
              }
              assertThat(m.waiting()).isZero();
              assertThat(ticker.pendingTasks()).as("timers left behind").isZero();
            });
  }
}
