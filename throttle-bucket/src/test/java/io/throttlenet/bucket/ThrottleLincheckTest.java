package io.throttlenet.bucket;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link Throttle}: every concurrent history of tryAcquire, availablePermits,
 * the sync verbs (limitAvailable, pauseUntil, reset) and rate changes (which convert the state lock-free) must be explained by some sequential order
 * of the same operations.
 *
 * <p>The clock does not move during the parallel part. An operation is evaluated at the instant it
 * reads the clock, so a clock advance racing with it is not something a sequential history of the
 * limiter can describe (the same holds for every clock-based limiter); time-dependent behaviour is
 * covered by the property tests instead. The state still varies: the bucket starts part-full, costs
 * range over 1..3 against a burst of 3, and rate changes rescale it.
 */
@Param(name = "cost", gen = IntGen.class, conf = "1:3")
public class ThrottleLincheckTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 50_000_000L);
  private final Throttle throttle =
      Throttle.builder()
          .rate(100, Duration.ofSeconds(1))
          .burst(3)
          .initialPermits(2)
          .ticker(ticker)
          .build();
  private boolean slow;

  @Operation
  public boolean tryAcquire(@Param(name = "cost") int cost) {
    return throttle.tryAcquire(cost);
  }

  @Operation
  public long availablePermits() {
    return throttle.availablePermits();
  }

  /** A server said fewer are left (0..2, against a burst of 3). */
  @Operation
  public void limitAvailable(@Param(name = "cost") int cost) {
    throttle.limitAvailable(cost - 1, ticker.read());
  }

  /** A shared cool-down of 15 ms: one permit refills at 10 ms, so it drains the bucket. */
  @Operation
  public void pause() {
    throttle.pauseUntil(ticker.read() + 15_000_000L);
  }

  @Operation
  public void reset() {
    throttle.reset();
  }

  @Operation(nonParallelGroup = "reconfigure")
  public void toggleRate() {
    slow = !slow;
    throttle.setRate(slow ? 50 : 100, Duration.ofSeconds(1));
  }

  @Test
  public void modelChecking() {
    new ModelCheckingOptions()
        .iterations(30)
        .invocationsPerIteration(500)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(2)
        .check(ThrottleLincheckTest.class);
  }

  @Test
  public void stress() {
    new StressOptions()
        .iterations(30)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(2)
        .check(ThrottleLincheckTest.class);
  }
}
