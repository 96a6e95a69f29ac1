package io.throttlenet.queue;

import io.throttlenet.core.Permit;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the bulkhead's non-blocking acquire and its release: each thread holds at
 * most one permit; histories of acquire, release, in-flight reads and limit changes must match a
 * sequential order.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class ConcurrencyLimitLincheckTest {
  private final ConcurrencyLimit bulkhead =
      ConcurrencyLimit.builder().limit(1).ticker(ManualTicker.create()).events(EventRegistry.create()).build();
  private final Permit[] held = new Permit[3];

  @Operation
  public boolean acquire(@Param(name = "thread") int thread) {
    if (held[thread] != null) {
      return true;
    }
    held[thread] = bulkhead.tryAcquire().orElse(null);
    return held[thread] != null;
  }

  @Operation
  public boolean release(@Param(name = "thread") int thread) {
    Permit p = held[thread];
    held[thread] = null;
    if (p == null) {
      return false;
    }
    p.success();
    return true;
  }

  @Operation
  public int inFlight() {
    return bulkhead.inFlight();
  }

  @Operation(nonParallelGroup = "limit")
  public void widen() {
    bulkhead.setLimit(2);
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
        .check(ConcurrencyLimitLincheckTest.class);
  }
}
