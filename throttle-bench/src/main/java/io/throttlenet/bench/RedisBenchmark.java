package io.throttlenet.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.throttlenet.multidim.Costs;
import io.throttlenet.redis.RedisMultiLimiter;
import io.throttlenet.redis.RedisStore;
import io.throttlenet.redis.RedisThrottle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * throttle-net's Redis limiters against Bucket4j's Lettuce backend (compare-and-swap) under JMH,
 * on the same Redis: {@code tryAcquire(1)} on a bucket of 10^6 per second (nearly every call is
 * granted, so both sides do the same work), every thread of a run sharing one Lettuce connection
 * per library, with and without leasing, and the two-dimensional {@link RedisMultiLimiter} (with
 * and without a lease of 100 calls).
 * Besides throughput, each run counts round trips: every command a library's Lettuce client sends
 * (one request, one reply) is counted by a command recorder, and each thread reports its share of
 * them per iteration as the auxiliary counter {@code roundTrips}, next to its {@code acquires}.
 *
 * <p>Each fork starts a private {@code redis-server} on an ephemeral loopback port unless the
 * {@code uri} parameter names one. {@link #main} runs every benchmark with 1, 4 and 16 threads
 * and prints one Markdown table: {@code java -cp throttle-bench/target/benchmarks.jar
 * io.throttlenet.bench.RedisBenchmark [redis://host:port]}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedisBenchmark {
  private static final long RATE = 1_000_000;

  /** The Redis to use; empty: a private server per fork. */
  @Param("")
  public String uri;

  private BenchRedis.Server server;
  private BenchRedis.Counted ours;
  private BenchRedis.Counted theirs;
  private StatefulRedisConnection<String, String> connection;
  private StatefulRedisConnection<byte[], byte[]> bucket4jConnection;
  private RedisThrottle plain;
  private RedisThrottle leased;
  private RedisMultiLimiter llm;
  private RedisMultiLimiter leasedLlm;
  private final Costs call = Costs.of("requests", 1, "tokens", 50);
  private BucketProxy bucket4j;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String target = uri;
    if (target.isEmpty()) {
      server = BenchRedis.start();
      target = server.uri();
    }
    ours = new BenchRedis.Counted(target);
    theirs = new BenchRedis.Counted(target);
    connection = ours.client.connect();
    bucket4jConnection = theirs.client.connect(ByteArrayCodec.INSTANCE);
    RedisStore store = RedisStore.of(connection);
    String key = "jmh-" + UUID.randomUUID();
    Duration second = Duration.ofSeconds(1);
    // A reply later than the default 100 ms (a loaded machine) would switch a limiter to its
    // outage policy, whose fast refusals would pass for throughput: wait for Redis instead.
    Duration timeout = Duration.ofSeconds(10);
    plain =
        RedisThrottle.builder(store).key(key + "-a").rate(RATE, second).timeout(timeout).build();
    leased = RedisThrottle.builder(store).key(key + "-b").rate(RATE, second).timeout(timeout)
        .lease(100, Duration.ofMillis(100)).build();
    llm = RedisMultiLimiter.builder(store).key(key + "-c").timeout(timeout)
        .dimension("requests", RATE, second)
        .dimension("tokens", 100 * RATE, second)
        .build();
    leasedLlm = RedisMultiLimiter.builder(store).key(key + "-d").timeout(timeout)
        .dimension("requests", RATE, second)
        .dimension("tokens", 100 * RATE, second)
        .lease(Costs.of("requests", 100, "tokens", 5_000), Duration.ofMillis(100))
        .build();
    BucketConfiguration config = BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(RATE).refillGreedy(RATE, second))
        .build();
    bucket4j = Bucket4jLettuce.casBasedBuilder(bucket4jConnection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy
            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build()
        .builder()
        .build(key.getBytes(StandardCharsets.UTF_8), () -> config);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    connection.close();
    bucket4jConnection.close();
    ours.close();
    theirs.close();
    if (server != null) {
      server.close();
    }
  }

  /** Commands sent so far by both libraries' clients (a benchmark uses only one of them). */
  long commands() {
    return ours.commands.sum() + theirs.commands.sum();
  }

  /** Per thread: the acquires it made and its share of the round trips of an iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    public long acquires;
    public double roundTrips;
    private long before;

    @Setup(Level.Iteration)
    public void start(RedisBenchmark b) {
      before = b.commands();
    }

    @TearDown(Level.Iteration)
    public void stop(RedisBenchmark b, BenchmarkParams params) {
      roundTrips = (double) (b.commands() - before) / params.getThreads();
    }
  }

  @Benchmark
  public boolean bucket4jLettuceCas(Counters c) {
    c.acquires++;
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  public boolean redisThrottle(Counters c) {
    c.acquires++;
    return plain.tryAcquire();
  }

  @Benchmark
  public boolean redisThrottleLease100(Counters c) {
    c.acquires++;
    return leased.tryAcquire();
  }

  @Benchmark
  public boolean redisMultiLimiter2Dimensions(Counters c) {
    c.acquires++;
    return llm.tryAcquire(call);
  }

  @Benchmark
  public boolean redisMultiLimiter2DimensionsLease100(Counters c) {
    c.acquires++;
    return leasedLlm.tryAcquire(call);
  }

  /** Runs every benchmark with 1, 4 and 16 threads; prints a Markdown table. */
  public static void main(String[] args) throws Exception {
    String target = args.length > 0 ? args[0] : "";
    List<String> rows = new ArrayList<>();
    for (int threads : new int[] {1, 4, 16}) {
      Options options = new OptionsBuilder()
          .include(RedisBenchmark.class.getName() + "\\.")
          .threads(threads)
          .param("uri", target)
          .build();
      Collection<RunResult> results = new Runner(options).run();
      for (RunResult r : results) {
        Result<?> primary = r.getPrimaryResult();
        Result<?> trips = r.getSecondaryResults().get("roundTrips");
        Result<?> acquires = r.getSecondaryResults().get("acquires");
        String name = r.getParams().getBenchmark();
        rows.add(String.format(Locale.ROOT, "| %s | %d | %,.0f ± %,.0f | %.3f |",
            name.substring(name.lastIndexOf('.') + 1), threads, primary.getScore(),
            primary.getScoreError(), trips.getScore() / acquires.getScore()));
      }
    }
    System.out.println("| benchmark | threads | acquires/s | round trips per acquire |");
    System.out.println("|---|---:|---:|---:|");
    rows.forEach(System.out::println);
  }
}
