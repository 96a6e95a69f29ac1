package io.throttlenet.bench;

import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
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

/**
 * Scenario 10: a {@code Layered} admission (global ceiling, per-tenant share, per-endpoint cap)
 * over 100 tenants and 10 endpoints, all live; no peer offers the same atomic stack.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LayeredBenchmark {
  private Layered<String> layered;
  private String[] tenants;
  private String[] endpoints;
  private int i;

  @Setup
  public void setUp() {
    Duration second = Duration.ofSeconds(1);
    layered = Layered.<String>builder()
        .global(Throttle.builder().rate(1_000_000_000, second).burst(1_000_000).build())
        .perKey(PerKey.<String>builder().rate(100_000_000, second).burst(100_000).build())
        .perEndpoint(PerKey.<String>builder().rate(100_000_000, second).burst(100_000).build())
        .build();
    tenants = new String[100];
    endpoints = new String[10];
    for (int t = 0; t < tenants.length; t++) {
      tenants[t] = "tenant-" + t;
    }
    for (int e = 0; e < endpoints.length; e++) {
      endpoints[e] = "/v1/endpoint-" + e;
    }
  }

  @Benchmark
  public boolean throttleNet() {
    int n = i++;
    return layered.tryAcquire(tenants[n % tenants.length], endpoints[(n / 7) % endpoints.length]);
  }
}
