package io.throttlenet.breaker;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the breaker's admission and reporting, as separate steps (a call is admitted,
 * then, later, reported: calls in flight when the breaker trips are normal, so admit-and-report
 * is not one atomic step). Each thread holds at most one permit. The clock is frozen (see the
 * bucket module's Lincheck tests for why), so an open breaker stays open until reset.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class CircuitBreakerLincheckTest {
  private final CircuitBreaker breaker =
      CircuitBreaker.builder()
          .trip(Trip.consecutive(2))
          .cooldown(Duration.ofSeconds(1))
          .ticker(ManualTicker.create())
          .events(EventRegistry.create())
          .build();
  private final CircuitBreaker.Permit[] held = new CircuitBreaker.Permit[3];

  @Operation
  public boolean admit(@Param(name = "thread") int thread) {
    if (held[thread] != null) {
      return true;
    }
    held[thread] = breaker.tryAcquire().orElse(null);
    return held[thread] != null;
  }

  @Operation
  public boolean succeed(@Param(name = "thread") int thread) {
    CircuitBreaker.Permit p = held[thread];
    held[thread] = null;
    if (p == null) {
      return false;
    }
    p.success();
    return true;
  }

  @Operation
  public boolean fail(@Param(name = "thread") int thread) {
    CircuitBreaker.Permit p = held[thread];
    held[thread] = null;
    if (p == null) {
      return false;
    }
    p.failure(new IOException());
    return true;
  }

  @Operation
  public void reset() {
    breaker.reset();
  }

  @Operation
  public BreakerState state() {
    return breaker.state();
  }

  @Test
  public void modelChecking() {
    new ModelCheckingOptions()
        .iterations(25)
        .invocationsPerIteration(300)
        .threads(2)
        .actorsPerThread(4)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(CircuitBreakerLincheckTest.class);
  }
}
