package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads calling through a breaker while time moves: only legal transitions happen, and no
 * more than the allowed probes are ever in flight while half-open.
 */
class CircuitBreakerConcurrencyTest {
  private static final Map<BreakerState, Set<BreakerState>> LEGAL =
      Map.of(
          BreakerState.CLOSED, Set.of(BreakerState.OPEN),
          BreakerState.OPEN, Set.of(BreakerState.HALF_OPEN),
          BreakerState.HALF_OPEN, Set.of(BreakerState.OPEN, BreakerState.CLOSED));

  @Test
  void racingCallers_makeOnlyLegalTransitions_andRespectTheProbeLimit() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    ConcurrentLinkedQueue<BreakerEvent.StateTransition> transitions = new ConcurrentLinkedQueue<>();
    events.subscribe(BreakerEvent.StateTransition.class, transitions::add);
    int probes = 2;
    CircuitBreaker b =
        CircuitBreaker.builder()
            .trip(Trip.consecutive(3))
            .cooldown(Duration.ofMillis(5))
            .halfOpenProbes(probes)
            .successesToClose(2)
            .ticker(ticker)
            .events(events)
            .build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger maxProbes = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread th =
          new Thread(
              () -> {
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                try {
                  start.await();
                } catch (Exception e) {
                  return;
                }
                while (!stop.get()) {
                  var permit = b.tryAcquire();
                  if (permit.isEmpty()) {
                    continue;
                  }
                  calls.incrementAndGet();
                  maxProbes.accumulateAndGet(b.probesInFlight(), Math::max);
                  int roll = r.nextInt(10);
                  if (roll < 4) {
                    permit.get().failure(new IOException());
                  } else if (roll < 5) {
                    permit.get().close();
                  } else {
                    permit.get().success();
                  }
                }
              });
      th.start();
      all.add(th);
    }
    start.await();
    // Time moves until the callers have done enough to go round the state machine several times
    // (on a loaded machine they may get little CPU, so a fixed number of steps could end before
    // they did anything); the real-time cap only turns a hang into a failure.
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((calls.get() < 20_000 || transitions.size() < 6) && System.nanoTime() - giveUp < 0) {
      ticker.advance(Duration.ofMillis(1));
      Thread.onSpinWait();
    }
    stop.set(true);
    for (Thread th : all) {
      th.join(60_000);
    }
    assertThat(calls.get()).isPositive();
    assertThat(maxProbes.get()).isLessThanOrEqualTo(probes);
    assertThat(transitions).as("the race must have moved the breaker").isNotEmpty();
    for (BreakerEvent.StateTransition t : transitions) {
      assertThat(LEGAL.get(t.from())).as("%s -> %s", t.from(), t.to()).contains(t.to());
    }
  }
}
