package io.throttlenet.bucket;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link AllOf} together with direct users of its parts: every history must
 * be explained by a sequential order in which each composite grant charges both parts at once, and
 * each composite limit, pause or reset changes both parts at once.
 * The clock is frozen during the parallel part (see {@link ThrottleLincheckTest}).
 */
@Param(name = "cost", gen = IntGen.class, conf = "1:2")
public class AllOfLincheckTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-5);
  private final Throttle a =
      Throttle.builder().rate(100, Duration.ofSeconds(1)).burst(3).initialPermits(2).ticker(ticker).build();
  private final SlidingWindowLog b =
      SlidingWindowLog.builder().limit(3).window(Duration.ofSeconds(1)).ticker(ticker).build();
  private final AllOf all = Throttle.allOf(a, b);

  @Operation
  public boolean both(@Param(name = "cost") int cost) {
    return all.tryAcquire(cost);
  }

  @Operation
  public boolean onlyA(@Param(name = "cost") int cost) {
    return a.tryAcquire(cost);
  }

  @Operation
  public boolean onlyB(@Param(name = "cost") int cost) {
    return b.tryAcquire(cost);
  }

  @Operation
  public long available() {
    return all.availablePermits();
  }

  @Operation
  public long availableA() {
    return a.availablePermits();
  }

  /** A server said at most 0 or 1 is left: both parts are limited at one instant. */
  @Operation
  public void limitAll(@Param(name = "cost") int cost) {
    all.limitAvailable(cost - 1, ticker.read());
  }

  @Operation
  public void pauseAll() {
    all.pauseUntil(ticker.read() + 15_000_000L);
  }

  @Operation
  public void resetAll() {
    all.reset();
  }

  @Test
  public void modelChecking() {
    new ModelCheckingOptions()
        .iterations(30)
        .invocationsPerIteration(400)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(2)
        .check(AllOfLincheckTest.class);
  }
}
