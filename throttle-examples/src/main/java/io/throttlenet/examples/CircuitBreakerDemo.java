package io.throttlenet.examples;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import java.io.IOException;
import java.time.Duration;

/**
 * A circuit breaker in front of a throttled downstream that fails for a while: it trips after
 * three failures in a row, sheds calls during its cooldown without touching the throttle, probes
 * once the cooldown is over, and closes when the probe succeeds.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.CircuitBreakerDemo}
 */
public final class CircuitBreakerDemo {
  private CircuitBreakerDemo() {}

  public static void main(String[] args) throws Exception {
    Throttle throttle = Throttle.builder().rate(50, Duration.ofSeconds(1)).name("downstream").build();
    CircuitBreaker breaker =
        CircuitBreaker.builder()
            .name("downstream-breaker")
            .trip(Trip.consecutive(3))
            .cooldown(Duration.ofMillis(300))
            .build(throttle);
    long start = System.nanoTime();
    long downUntil = start + Duration.ofMillis(400).toNanos(); // the downstream recovers at 400 ms
    for (int i = 1; i <= 40; i++) {
      long now = System.nanoTime();
      String line;
      try (CircuitBreaker.Permit permit = breaker.acquire()) {
        if (now - downUntil < 0) {
          permit.failure(new IOException("503"));
          line = "failed (downstream down)";
        } else {
          permit.success();
          line = "succeeded";
        }
      } catch (CircuitOpenException open) {
        line = "shed: " + open.getMessage();
      }
      System.out.printf("%4d ms  call %2d %-55s breaker %s%n", (now - start) / 1_000_000, i, line, breaker.state());
      Thread.sleep(25); // the demo's own pacing, to make the timeline readable
    }
  }
}
