package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Test access to Redis: the shared server on 127.0.0.1:6379 (started by {@code .ci/run}), keys
 * under a random prefix per test so parallel runs never collide, and private servers on ephemeral
 * ports for tests that stop and restart Redis.
 */
final class Redis {
  static final String URI = "redis://127.0.0.1:6379";

  private Redis() {}

  /** A fresh store on the shared server; fails with how to start one if it does not answer. */
  static RedisStore store() {
    RedisStore store = RedisStore.connect(URI);
    if (!store.isConnected()) {
      store.close();
      fail("Redis must run on 127.0.0.1:6379 for these tests (.ci/run starts it: "
          + "redis-server --bind 127.0.0.1 --save '' --appendonly no --daemonize yes)");
    }
    return store;
  }

  /** A key no other test or run uses. */
  static String uniqueKey() {
    return "test-" + UUID.randomUUID();
  }

  /** Plain commands on the shared server, to inspect keys. */
  static <T> T inspect(java.util.function.Function<RedisCommands<String, String>, T> f) {
    RedisClient client = RedisClient.create(URI);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return f.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  /**
   * Runs {@code threads} threads that call {@code tryAcquire} until each has been refused ten
   * times; returns how many calls were admitted in all.
   */
  static long admitUntilRefused(int threads, java.util.function.BooleanSupplier tryAcquire)
      throws InterruptedException {
    java.util.concurrent.atomic.AtomicLong admitted = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> started = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread th = new Thread(() -> {
        int refusals = 0;
        while (refusals < 10) {
          if (tryAcquire.getAsBoolean()) {
            admitted.incrementAndGet();
          } else {
            refusals++;
          }
        }
      });
      th.start();
      started.add(th);
    }
    for (Thread th : started) {
      th.join(60_000);
    }
    return admitted.get();
  }

  static boolean serverBinaryPresent() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, "redis-server").canExecute()) {
        return true;
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A private redis-server on loopback, for outage tests; never the shared one. */
  static final class Server implements AutoCloseable {
    final int port;
    private final List<String> extraArgs;
    private Process process;

    Server(int port, String... extraArgs) {
      this.port = port;
      this.extraArgs = List.of(extraArgs);
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    Server start() throws IOException, InterruptedException {
      List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port",
          Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
      command.addAll(extraArgs);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      awaitPing();
      return this;
    }

    /** Waits (bounded) until the new process answers: waiting for a process, not for time. */
    private void awaitPing() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() - deadline < 0) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          if ("PONG".equals(c.sync().ping())) {
            return;
          }
        } catch (RuntimeException notYet) {
          Thread.sleep(20);
        } finally {
          client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
      }
      fail("redis-server on port " + port + " did not start");
    }

    void stop() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Freezes the server (SIGSTOP): connections stay open, replies never come. */
    void freeze() throws IOException, InterruptedException {
      signal("STOP");
    }

    void thaw() throws IOException, InterruptedException {
      signal("CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
      new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      if (process != null && process.isAlive()) {
        process.destroyForcibly(); // SIGKILL works on a stopped process too
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
