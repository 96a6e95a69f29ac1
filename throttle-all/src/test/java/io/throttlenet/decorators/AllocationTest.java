package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The synchronous success path of a throttle + retry + breaker chain allocates nothing beyond
 * the user's lambda while nobody listens. Measured with the JVM's per-thread allocation counter
 * over many calls, so one byte per call would show as hundreds of kilobytes.
 */
class AllocationTest {
  private static final int CALLS = 200_000;
  private static final long MARGIN_BYTES = 4_096;

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  @Test
  void throttleRetryBreaker_successPath_allocatesNothing() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    Throttle throttle = Throttle.builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000)
        .ticker(ticker).events(events).build();
    Retry retry = Retry.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(1)))
        .ticker(ticker).events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(5)).ticker(ticker).events(events).build();
    String answer = "answer";
    Supplier<String> call = Decorators.ofSupplier(() -> answer)
        .withThrottle(throttle).withBreaker(breaker).withRetry(retry)
        .withEvents(events).withTicker(ticker)
        .decorate();
    Runnable run = () -> {
      for (int i = 0; i < CALLS; i++) {
        if (call.get() != answer) {
          throw new AssertionError("wrong answer");
        }
        if ((i & 1023) == 0) {
          ticker.advance(2_000_000);
        }
      }
    };
    run.run(); // warm up
    long before = allocatedBytes();
    run.run();
    assertThat(allocatedBytes() - before).isLessThan(MARGIN_BYTES);

    // the measurement sees allocation: with a listener, every call builds its event
    events.subscribe(CallEvent.Finished.class, e -> { });
    before = allocatedBytes();
    run.run();
    assertThat(allocatedBytes() - before).isGreaterThan(MARGIN_BYTES * 100);
  }
}
