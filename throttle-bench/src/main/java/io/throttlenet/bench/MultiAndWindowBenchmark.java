package io.throttlenet.bench;

import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
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
 * Scenarios 7 and 8: a MultiLimiter with three dimensions (atomic, all or nothing), against three
 * separate throttles taken one after another (not atomic: the floor); and a sliding-window log
 * holding a limit of 1000 per window, busy but never refusing. No peer offers either.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MultiAndWindowBenchmark {
  private MultiLimiter multi;
  private Costs call;
  private Throttle requests;
  private Throttle input;
  private Throttle output;
  private SlidingWindowLog log;

  @Setup
  public void setUp() {
    Duration second = Duration.ofSeconds(1);
    multi =
        MultiLimiter.builder()
            .dimension("requests", Throttle.builder().rate(10_000_000, second).burst(1_000_000).build())
            .dimension("input_tokens", Throttle.builder().rate(1_000_000_000, second).burst(100_000_000).build())
            .dimension("output_tokens", Throttle.builder().rate(1_000_000_000, second).burst(100_000_000).build())
            .build();
    call = Costs.of("requests", 1, "input_tokens", 15, "output_tokens", 2);
    requests = Throttle.builder().rate(10_000_000, second).burst(1_000_000).build();
    input = Throttle.builder().rate(1_000_000_000, second).burst(100_000_000).build();
    output = Throttle.builder().rate(1_000_000_000, second).burst(100_000_000).build();
    // 1000 per 10 µs: about twice what one thread can ask for, so it stays busy without refusing.
    log = SlidingWindowLog.builder().limit(1000).window(Duration.ofNanos(10_000)).build();
  }

  @Benchmark
  public boolean multiLimiter_threeDimensions() {
    return multi.tryAcquire(call);
  }

  @Benchmark
  public boolean threeSeparateThrottles_notAtomic() {
    return requests.tryAcquire(1) & input.tryAcquire(15) & output.tryAcquire(2);
  }

  @Benchmark
  public boolean slidingWindowLog_limit1000() {
    return log.tryAcquire();
  }
}
