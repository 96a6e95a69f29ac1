package io.throttlenet.bench;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.Permit;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
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
 * Scenario 9: a bulkhead's uncontended round trip (take a slot, run {@code () -> 42}, give the
 * slot back), throttle-net's {@code ConcurrencyLimit} against Resilience4j's semaphore bulkhead;
 * and the admission queue's fast path (nobody queued, the limiter grants at once).
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BulkheadBenchmark {
  private ConcurrencyLimit limit;
  private CheckedSupplier<Integer> limitDecorated;
  private Bulkhead resilience4j;
  private Supplier<Integer> resilience4jDecorated;
  private AdmissionQueue<String> queue;

  @Setup
  public void setUp() {
    limit = ConcurrencyLimit.of(64);
    limitDecorated = limit.decorate(() -> 42);
    resilience4j = Bulkhead.of("b", BulkheadConfig.custom().maxConcurrentCalls(64).maxWaitDuration(Duration.ZERO).build());
    resilience4jDecorated = Bulkhead.decorateSupplier(resilience4j, () -> 42);
    queue = AdmissionQueue.<String>builder(Throttle.builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000).build())
        .build();
  }

  @Benchmark
  public boolean throttleNetTryAcquireRelease() {
    var permit = limit.tryAcquire();
    permit.ifPresent(Permit::success);
    return permit.isPresent();
  }

  @Benchmark
  public boolean resilience4jTryAcquireRelease() {
    boolean ok = resilience4j.tryAcquirePermission();
    if (ok) {
      resilience4j.onComplete();
    }
    return ok;
  }

  @Benchmark
  public Integer throttleNetDecorated() throws Exception {
    return limitDecorated.get();
  }

  @Benchmark
  public Integer resilience4jDecorated() {
    return resilience4jDecorated.get();
  }

  @Benchmark
  public boolean throttleNetQueueFastPath() {
    return queue.tryAcquire("k", 1).isPresent();
  }
}
