package io.throttlenet.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.throttlenet.multidim.Costs;
import io.throttlenet.redis.RedisMultiLimiter;
import io.throttlenet.redis.RedisStore;
import io.throttlenet.redis.RedisThrottle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * throttle-net's Redis token bucket against Bucket4j's Lettuce backend (compare-and-swap), in the
 * same run on the same Redis: acquires per second ({@code tryAcquire(1)} on a bucket of 10^6/s,
 * so nearly all are granted and both sides do the same work) with 1, 4 and 16 threads sharing one
 * Lettuce connection per library, and round trips per acquire (commands each library's Lettuce
 * client sent, counted by a command recorder: every command is one request and one reply), with
 * and without leasing.
 *
 * <p>Runs against a private {@code redis-server} it starts on an ephemeral loopback port, away from
 * other tests; pass a URI to use another server. Short by default (1 s warm-up, 3 s measured per cell) because the machine is shared.
 * Run: {@code java -cp throttle-bench/target/benchmarks.jar io.throttlenet.bench.RedisComparison
 * [redis://host:port] [seconds]}.
 */
public final class RedisComparison {
  private static final long RATE = 1_000_000;

  private RedisComparison() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 3;
    if (args.length > 0) {
      run(args[0], seconds);
      return;
    }
    try (BenchRedis.Server server = BenchRedis.start()) {
      run(server.uri(), seconds);
    }
  }

  private static void run(String uri, long seconds) throws Exception {
    BenchRedis.Counted ours = new BenchRedis.Counted(uri);
    BenchRedis.Counted theirs = new BenchRedis.Counted(uri);
    try (StatefulRedisConnection<String, String> connection = ours.client.connect();
        StatefulRedisConnection<byte[], byte[]> b4j = theirs.client.connect(ByteArrayCodec.INSTANCE)) {
      RedisStore store = RedisStore.of(connection);
      LettuceBasedProxyManager<byte[]> proxies = Bucket4jLettuce.casBasedBuilder(b4j)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
          .build();
      BucketConfiguration config = BucketConfiguration.builder()
          .addLimit(limit -> limit.capacity(RATE).refillGreedy(RATE, Duration.ofSeconds(1)))
          .build();
      System.out.println("| library | threads | acquires/s | round trips per acquire |");
      System.out.println("|---|---|---|---|");
      for (int threads : new int[] {1, 4, 16}) {
        String key = "bench-" + UUID.randomUUID();
        RedisThrottle plain = RedisThrottle.builder(store).key(key + "-a").rate(RATE, Duration.ofSeconds(1)).build();
        RedisThrottle leased = RedisThrottle.builder(store).key(key + "-b").rate(RATE, Duration.ofSeconds(1))
            .lease(100, Duration.ofMillis(100)).build();
        BucketProxy bucket = proxies.builder().build(key.getBytes(StandardCharsets.UTF_8), () -> config);
        cell("Bucket4j 8.14.0 Lettuce (CAS)", threads, seconds, theirs.commands, () -> bucket.tryConsume(1));
        cell("throttle-net `RedisThrottle`", threads, seconds, ours.commands, plain::tryAcquire);
        cell("throttle-net `RedisThrottle`, lease 100", threads, seconds, ours.commands, leased::tryAcquire);
        RedisMultiLimiter llm = RedisMultiLimiter.builder(store).key(key + "-c")
            .dimension("requests", RATE, Duration.ofSeconds(1))
            .dimension("tokens", 100 * RATE, Duration.ofSeconds(1))
            .build();
        Costs call = Costs.of("requests", 1, "tokens", 50);
        cell("throttle-net `RedisMultiLimiter`, 2 dimensions", threads, seconds, ours.commands, () -> llm.tryAcquire(call));
      }
    } finally {
      ours.close();
      theirs.close();
    }
  }

  private static void cell(String name, int threads, long seconds, LongAdder commands, BooleanSupplier acquire)
      throws InterruptedException {
    measure(threads, 1, acquire); // warm-up
    long before = commands.sum();
    long ops = measure(threads, seconds, acquire);
    long trips = commands.sum() - before;
    System.out.printf(Locale.ROOT, "| %s | %d | %,d | %.3f |%n", name, threads, ops / seconds, (double) trips / ops);
  }

  private static long measure(int threads, long seconds, BooleanSupplier acquire) throws InterruptedException {
    LongAdder ops = new LongAdder();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        while (System.nanoTime() - end < 0) {
          acquire.getAsBoolean();
          ops.increment();
        }
      });
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join();
    }
    return ops.sum();
  }
}
