package io.throttlenet.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the Redis benchmarks share: a private {@code redis-server} on an ephemeral loopback port
 * (away from tests and other runs), and Lettuce clients whose commands are counted. Not
 * thread-safe; the counters are.
 */
final class BenchRedis {
  private BenchRedis() {}

  /** A private server: {@link Server#close()} stops it. */
  record Server(Process process, String uri) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static Server start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process process =
        new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
            .redirectOutput(new File("/dev/null"))
            .redirectErrorStream(true)
            .start();
    Server server = new Server(process, "redis://127.0.0.1:" + port);
    awaitPing(server.uri());
    return server;
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

  /** A Lettuce client whose every command (one request, one reply: a round trip) is counted. */
  static final class Counted {
    final LongAdder commands = new LongAdder();
    final ClientResources resources;
    final RedisClient client;

    Counted(String uri) {
      CommandLatencyRecorder recorder =
          new CommandLatencyRecorder() {
            @Override
            public void recordCommandLatency(
                SocketAddress local,
                SocketAddress remote,
                ProtocolKeyword type,
                long first,
                long done) {
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
}
