package io.throttlenet.examples;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.decorators.Decorators;
import io.throttlenet.decorators.Slf4jEventLogger;
import io.throttlenet.micrometer.ThrottleMetrics;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The README's {@code Decorators} chain, with metrics and logs attached to the same event
 * registry: a flaky search call goes through a throttle, a breaker and a retry, falls back to a
 * cached answer while the downstream is down and the breaker open, recovers through a half-open
 * probe, and afterwards the meters say what happened. Events are also logged through SLF4J.
 *
 * <p>Run: {@code mvn -B -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.ChainWithMetrics} (without {@code -q}: {@code exec:java}
 * runs inside Maven, whose own SLF4J logger then prints the WARN and INFO lines; a plain {@code
 * java} run uses slf4j-simple).
 */
public final class ChainWithMetrics {
  private ChainWithMetrics() {}

  public static void main(String[] args) throws Exception {
    EventRegistry events = EventRegistry.create();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, meters);
    Slf4jEventLogger.attach(events);

    Throttle throttle = Throttle.builder().name("search-api").rate(20, Duration.ofSeconds(1)).events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().name("search-breaker").trip(Trip.consecutive(4))
        .cooldown(Duration.ofMillis(150)).events(events).build();
    Retry retry = Retry.builder().name("search-retry").maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(20)))
        .ignoreExceptions(CircuitOpenException.class).events(events).build();
    metrics.availablePermits(throttle).stateGauge("breaker.state", "search-breaker", breaker::state);

    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    Callable<String> search = () -> { // down from 100 ms to 350 ms after the start
      int n = calls.incrementAndGet();
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      if (elapsedMillis >= 100 && elapsedMillis < 350) {
        throw new IOException("503 from search");
      }
      return "fresh result " + n;
    };
    Callable<String> guarded = Decorators.ofCallable(search)
        .withThrottle(throttle)
        .withBreaker(breaker)
        .withRetry(retry)
        .withFallback(e -> "cached result")
        .named("search")
        .withEvents(events)
        .decorate();

    for (int i = 1; i <= 20; i++) {
      System.out.printf("request %2d -> %-16s breaker %s%n", i, guarded.call(), breaker.state());
      Thread.sleep(30); // the example's own pacing, so that the breaker's cooldown can pass
    }

    System.out.println();
    System.out.println("meters (throttlenet.*):");
    meters.getMeters().stream()
        .sorted(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()))
        .forEach(m -> {
          double value = m.measure().iterator().next().getValue();
          if (value != 0) {
            System.out.printf("  %-32s %-60s %8.1f%n", m.getId().getName(), m.getId().getTags(), value);
          }
        });
  }
}
