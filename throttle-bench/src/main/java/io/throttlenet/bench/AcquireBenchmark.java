package io.throttlenet.bench;

import io.throttlenet.bucket.Throttle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenarios 1 and 2: a single permit taken from a limiter whose rate is high enough never to
 * deny, uncontended (ns/op) and with two threads on one limiter (ops/µs); with the floor of one
 * {@code System.nanoTime()} plus one compare-and-set.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AcquireBenchmark {
  private Throttle throttle;
  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j;
  private io.github.bucket4j.Bucket bucket4j;
  private com.google.common.util.concurrent.RateLimiter guava;
  private dev.failsafe.RateLimiter<Object> failsafe;
  private final AtomicLong floorState = new AtomicLong();

  @Setup
  public void setUp() {
    throttle = Throttle.builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000).build();
    resilience4j = Peers.resilience4j(Integer.MAX_VALUE, Duration.ofMillis(1));
    bucket4j = Peers.bucket4j(1_000_000, 1_000_000_000, Duration.ofSeconds(1));
    guava = com.google.common.util.concurrent.RateLimiter.create(1e9);
    failsafe = Peers.failsafe(Integer.MAX_VALUE, Duration.ofMillis(1));
  }

  /** The floor: what any clock-based limiter must do at least. */
  private boolean floor() {
    long now = System.nanoTime();
    long s = floorState.get();
    return floorState.compareAndSet(s, Math.max(s, now) + 1);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean floor_nanoTimePlusCas() {
    return floor();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean throttleNet() {
    return throttle.tryAcquire();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean resilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean bucket4j() {
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean guava() {
    return guava.tryAcquire();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean failsafe() {
    return failsafe.tryAcquirePermit();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_floor_nanoTimePlusCas() {
    return floor();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_throttleNet() {
    return throttle.tryAcquire();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_resilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_bucket4j() {
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_guava() {
    return guava.tryAcquire();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(2)
  public boolean contended_failsafe() {
    return failsafe.tryAcquirePermit();
  }
}
