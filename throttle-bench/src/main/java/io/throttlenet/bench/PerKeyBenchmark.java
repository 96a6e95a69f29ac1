package io.throttlenet.bench;

import io.throttlenet.bucket.PerKey;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * Scenario 4: one permit for a random key out of 10,000 live keys. The peers have no bounded
 * per-key limiter, so they are measured as users build one: a {@code ConcurrentHashMap} of
 * buckets (unbounded, no expiry), which is the floor a bounded cache is compared to.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PerKeyBenchmark {
  private static final int KEYS = 10_000;
  private static final int MASK = 16_383;

  private final String[] keys = new String[MASK + 1];
  private int next;
  private PerKey<String> perKey;
  private final ConcurrentHashMap<String, io.github.bucket4j.Bucket> bucket4j = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, io.github.resilience4j.ratelimiter.RateLimiter> resilience4j =
      new ConcurrentHashMap<>();

  @Setup
  public void setUp() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "tenant-" + r.nextInt(KEYS);
    }
    perKey = PerKey.<String>builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000).build();
    for (int i = 0; i < KEYS; i++) {
      String k = "tenant-" + i;
      perKey.tryAcquire(k);
      bucket4j.put(k, Peers.bucket4j(1_000_000, 1_000_000_000, Duration.ofSeconds(1)));
      resilience4j.put(k, Peers.resilience4j(Integer.MAX_VALUE, Duration.ofMillis(1)));
    }
  }

  private String key() {
    return keys[next++ & MASK];
  }

  @Benchmark
  public boolean throttleNet() {
    return perKey.tryAcquire(key());
  }

  @Benchmark
  public boolean bucket4j_inConcurrentHashMap() {
    return bucket4j.computeIfAbsent(key(), k -> Peers.bucket4j(1_000_000, 1_000_000_000, Duration.ofSeconds(1))).tryConsume(1);
  }

  @Benchmark
  public boolean resilience4j_inConcurrentHashMap() {
    return resilience4j
        .computeIfAbsent(key(), k -> Peers.resilience4j(Integer.MAX_VALUE, Duration.ofMillis(1)))
        .acquirePermission();
  }
}
