package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of {@link ServerWindow} over random schedules of grants, waits, releases and cancels
 * on a manual ticker started anywhere: whatever instant within its grant and its release a server
 * counts each call at, no window of the server's ever holds more than the limit; and once every
 * call is released, every waiter is granted within two windows.
 */
class ServerWindowPropertiesTest {

  record Setup(long limit, long windowNanos, long origin) {}

  /** kind 0: tryAcquire, 1: acquireAsync, 2: release, 3: cancel. */
  record Step(long advance, int kind, long cost, int index) {}

  /** One call: granted at {@code granted}, released at {@code released} (or never). */
  static final class Call {
    final long cost;
    long granted;
    Long released;
    boolean cancelled;
    ServerWindow.Permit permit;

    Call(long cost) {
      this.cost = cost;
    }
  }

  private static Gen<Setup> setups() {
    return longs()
        .between(1, 30)
        .zip(longs().between(100, 5_000_000_000L), longs().all(), Setup::new);
  }

  private static Gen<List<Step>> steps() {
    Gen<Step> step =
        longs()
            .between(0, 60)
            .zip(
                integers().between(0, 3),
                longs().between(1, 40),
                integers().between(0, 1_000),
                Step::new);
    return lists().of(step).ofSizeBetween(1, 150);
  }

  @Test
  void noServerWindowEverHoldsMoreThanTheLimit_andEveryWaiterIsGrantedOnceAllIsReleased() {
    qt().withExamples(400)
        .forAll(setups(), steps())
        .checkAssert(
            (setup, script) -> {
              ManualTicker ticker = ManualTicker.startingAt(setup.origin());
              long window = setup.windowNanos();
              ServerWindow w =
                  ServerWindow.builder()
                      .dimension("c", setup.limit(), Duration.ofNanos(window))
                      .ticker(ticker)
                      .events(EventRegistry.create())
                      .build();
              List<Call> calls = new ArrayList<>();
              List<Call> live = new ArrayList<>();
              List<CompletableFuture<ServerWindow.Permit>> pending = new ArrayList<>();
              for (Step s : script) {
                ticker.advance(window / 40 * s.advance());
                long cost = 1 + (s.cost() - 1) % setup.limit();
                switch (s.kind()) {
                  case 0 -> {
                    Call c = new Call(cost);
                    w.tryAcquire(Costs.of("c", cost))
                        .ifPresent(
                            p -> {
                              c.permit = p;
                              c.granted = ticker.read();
                              calls.add(c);
                              live.add(c);
                            });
                  }
                  case 1 -> {
                    Call c = new Call(cost);
                    CompletableFuture<ServerWindow.Permit> f = w.acquireAsync(Costs.of("c", cost));
                    pending.add(f);
                    f.thenAccept(
                        p -> {
                          c.permit = p;
                          c.granted = ticker.read();
                          calls.add(c);
                          live.add(c);
                        });
                  }
                  default -> {
                    if (!live.isEmpty()) {
                      Call c = live.remove(s.index() % live.size());
                      if (s.kind() == 2) {
                        c.permit.release();
                        c.released = ticker.read();
                      } else {
                        c.permit.cancel();
                        c.cancelled = true;
                      }
                    }
                  }
                }
              }
              assertWithinLimit(calls, setup.limit(), window);
              // liveness: release everything, repeatedly, as waiters are granted
              for (int round = 0; round < 200 && !(live.isEmpty() && w.waiting() == 0); round++) {
                for (Call c : new ArrayList<>(live)) {
                  c.permit.release();
                  c.released = ticker.read();
                  live.remove(c);
                }
                ticker.advance(window);
              }
              assertThat(pending).allMatch(CompletableFuture::isDone);
              assertThat(w.waiting()).isZero();
              assertThat(w.inFlight("c")).isZero();
              assertWithinLimit(calls, setup.limit(), window);
            });
  }

  /**
   * For each grant instant g: every call the server could count in a window ending at or after g
   * alongside the newest call was granted by g and released (if at all) less than a window before
   * g; their costs must fit the limit.
   */
  private static void assertWithinLimit(List<Call> calls, long limit, long window) {
    for (Call newest : calls) {
      long g = newest.granted;
      long sum = 0;
      for (Call c : calls) {
        if (c.cancelled || g - c.granted < 0) {
          continue;
        }
        if (c.released == null || c.released + window - g > 0) {
          sum += c.cost;
        }
      }
      assertThat(sum).as("cost a server window could hold at a grant").isLessThanOrEqualTo(limit);
    }
  }
}
