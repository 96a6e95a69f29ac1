package io.throttlenet.bench;

import io.throttlenet.bucket.Throttle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

/** Scenario 3: the cost of saying no, on an empty limiter that refills once an hour. */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DenialBenchmark {
  private Throttle throttle;
  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j;
  private io.github.bucket4j.Bucket bucket4j;
  private com.google.common.util.concurrent.RateLimiter guava;
  private dev.failsafe.RateLimiter<Object> failsafe;

  @Setup
  public void setUp() {
    throttle = Throttle.builder().rate(1, Duration.ofHours(1)).initialPermits(0).build();
    resilience4j = Peers.resilience4j(1, Duration.ofHours(1));
    resilience4j.acquirePermission();
    bucket4j = Peers.bucket4j(1, 1, Duration.ofHours(1));
    bucket4j.tryConsume(1);
    guava = com.google.common.util.concurrent.RateLimiter.create(1.0 / 3600);
    guava.tryAcquire();
    failsafe = Peers.failsafe(1, Duration.ofHours(1));
    failsafe.tryAcquirePermit();
  }

  @Benchmark
  public boolean throttleNet() {
    return throttle.tryAcquire();
  }

  @Benchmark
  public boolean resilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  public boolean bucket4j() {
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  public boolean guava() {
    return guava.tryAcquire();
  }

  @Benchmark
  public boolean failsafe() {
    return failsafe.tryAcquirePermit();
  }
}
