package io.throttlenet.bench;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.retry.RetryConfig;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 5: throttle + retry + breaker around {@code () -> 42} on the success path, decorated
 * once, in the same order for every library (throttle innermost, then retry, breaker outermost:
 * Resilience4j's {@code Decorators} order). throttle-net is measured twice: through its {@code
 * Decorators} chain (what users write) and nested by hand through the common {@code Decorator}
 * interface (what the chain must not add to).
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChainBenchmark {
  private CheckedSupplier<Integer> throttleNet;
  private Supplier<Integer> throttleNetDecorators;
  private Supplier<Integer> resilience4j;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    Throttle throttle = Throttle.builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000).build();
    Retry retry = Retry.of(Backoff.ofDefaults()).maxAttempts(3);
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(5)).build();
    throttleNet = breaker.decorate(retry.decorate(throttle.decorate(() -> 42)));
    throttleNetDecorators =
        io.throttlenet.decorators.Decorators.ofSupplier(() -> 42)
            .withThrottle(throttle)
            .withRetry(retry)
            .withBreaker(breaker)
            .decorate();

    resilience4j =
        Decorators.ofSupplier(() -> 42)
            .withRateLimiter(Peers.resilience4j(Integer.MAX_VALUE, Duration.ofMillis(1)))
            .withRetry(io.github.resilience4j.retry.Retry.of("r", RetryConfig.ofDefaults()))
            .withCircuitBreaker(
                io.github.resilience4j.circuitbreaker.CircuitBreaker.of("cb", CircuitBreakerConfig.ofDefaults()))
            .decorate();

    failsafe =
        dev.failsafe.Failsafe.with(
            dev.failsafe.CircuitBreaker.<Integer>ofDefaults(),
            dev.failsafe.RetryPolicy.<Integer>ofDefaults(),
            dev.failsafe.RateLimiter.<Integer>burstyBuilder(Integer.MAX_VALUE, Duration.ofMillis(1)).build());
  }

  @Benchmark
  public Integer throttleNet() throws Exception {
    return throttleNet.get();
  }

  @Benchmark
  public Integer throttleNetDecorators() {
    return throttleNetDecorators.get();
  }

  @Benchmark
  public Integer resilience4j() {
    return resilience4j.get();
  }

  @Benchmark
  public Integer failsafe() {
    return failsafe.get(() -> 42);
  }
}
