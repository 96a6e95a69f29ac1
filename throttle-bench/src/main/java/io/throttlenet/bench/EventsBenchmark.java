package io.throttlenet.bench;

import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scenario 6: what publishing costs an emitter, with nobody listening (should be nothing) and
 * with one listener, against the same code with no event at all.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventsBenchmark {
  private EventPublisher<LimiterEvent.Acquired> unheard;
  private EventPublisher<LimiterEvent.Acquired> heard;
  private long counter;
  private long sink;

  @Setup
  public void setUp() {
    EventRegistry registry = EventRegistry.create();
    unheard = registry.publisher(LimiterEvent.Acquired.class, "quiet");
    heard = registry.publisher(LimiterEvent.Acquired.class, "busy");
    registry.subscribe(LimiterEvent.Acquired.class, "busy", e -> sink += e.cost());
  }

  @Benchmark
  public long noEventCode() {
    return ++counter;
  }

  @Benchmark
  public long publish_noSubscriber() {
    long c = ++counter;
    if (unheard.hasListeners()) {
      unheard.publish(new LimiterEvent.Acquired("quiet", c, Duration.ZERO));
    }
    return c;
  }

  @Benchmark
  public long publish_oneSubscriber(Blackhole bh) {
    long c = ++counter;
    if (heard.hasListeners()) {
      heard.publish(new LimiterEvent.Acquired("busy", c, Duration.ZERO));
    }
    bh.consume(sink);
    return c;
  }
}
