package io.throttlenet.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import io.throttlenet.multidim.Costs;
import io.throttlenet.redis.RedisMultiLimiter;
import io.throttlenet.redis.RedisStore;
import io.throttlenet.redis.RedisThrottle;
import java.io.File;
import java.net.ServerSocket;
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
    Process server = null;
    String uri;
    if (args.length > 0) {
      uri = args[0];
    } else {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
              "--save", "", "--appendonly", "no")
          .redirectOutput(new File("/dev/null")).redirectErrorStream(true).start();
      uri = "redis://127.0.0.1:" + port;
      awaitPing(uri);
    }
    try {
      run(uri, seconds);
    } finally {
      if (server != null) {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void run(String uri, long seconds) throws Exception {
    Counted ours = new Counted(uri);
    Counted theirs = new Counted(uri);
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

  /** A Lettuce client whose every command (one request, one reply: a round trip) is counted. */
  private static final class Counted {
    final LongAdder commands = new LongAdder();
    final ClientResources resources;
    final RedisClient client;

    Counted(String uri) {
      CommandLatencyRecorder recorder = new CommandLatencyRecorder() {
        @Override
        public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword type, long first, long done) {
          commands.increment();
        }
      };
      resources = ClientResources.builder().commandLatencyRecorder(recorder).build();
      client = RedisClient.create(resources, uri);
    }

    void close() {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      resources.shutdown(0, 1, TimeUnit.SECONDS);
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

  private static void awaitPing(String uri) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      RedisClient c = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> conn = c.connect(StringCodec.UTF8)) {
        conn.sync().ping();
        return;
      } catch (RuntimeException notYet) {
        Thread.sleep(25);
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      }
    }
    throw new IllegalStateException("redis-server did not start at " + uri);
  }
}
