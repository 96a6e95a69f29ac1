package io.throttlenet.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where Redis-backed limiters keep their state: one Lettuce connection (commands are pipelined
 * over it, so one is enough for many limiters and threads) and the limiters' Lua script.
 *
 * <pre>{@code
 * try (RedisStore redis = RedisStore.connect("redis://127.0.0.1:6379")) {
 *   RedisThrottle api = RedisThrottle.builder(redis).key("github").rate(5_000, Duration.ofHours(1)).build();
 *   api.acquire();
 * }
 * }</pre>
 *
 * <p>{@link #connect} configures Lettuce for limiting: commands issued while disconnected fail at
 * once ({@code DisconnectedBehavior.REJECT_COMMANDS}) instead of queueing, so an outage is
 * detected within the limiter's timeout; a 1 s command timeout; reconnection every 10 ms to 1 s.
 * A connection you make yourself ({@link #of}) should be configured the same way; the limiters'
 * own timeouts apply in any case. If Redis is down when {@link #connect} is called, the store is
 * made anyway: its limiters apply their outage policy, and it tries to connect again when used
 * (at most every 100 ms), so an instance starting during an outage runs on its policy instead of
 * failing to start.
 *
 * <p>On Redis Cluster, make the store over a cluster connection ({@link
 * #of(StatefulRedisClusterConnection)}): each limiter's keys share one hash tag, so every script
 * runs on the one node that owns them.
 *
 * <p>The script is sent once ({@code EVALSHA}, falling back to {@code EVAL} when the server does
 * not know it, after a restart or a {@code SCRIPT FLUSH}). Continuations of asynchronous
 * acquires run on the {@linkplain #of(StatefulRedisConnection, Executor) executor} given
 * (default: the common fork-join pool), never on Lettuce's I/O thread, so a continuation that
 * calls Redis synchronously cannot block the connection it waits on. Thread-safe.
 */
public final class RedisStore implements AutoCloseable {
  static final String SCRIPT = loadScript();
  private static final String SHA = sha1(SCRIPT);

  /** How often a store that has never connected tries again, on demand. */
  private static final long CONNECT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Executor executor;
  private final RedisClient ownedClient;
  private final ClientResources ownedResources;
  private final RedisURI uri;
  private final LongAdder roundTrips = new LongAdder();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile StatefulConnection<String, String> connection; // null until connected
  private volatile RedisScriptingAsyncCommands<String, String> commands;
  private volatile long lastAttempt;
  private volatile boolean closed;

  private RedisStore(
      StatefulConnection<String, String> connection,
      RedisScriptingAsyncCommands<String, String> commands,
      Executor executor,
      RedisClient ownedClient,
      ClientResources ownedResources,
      RedisURI uri) {
    this.connection = connection;
    this.commands = commands;
    this.executor = executor;
    this.ownedClient = ownedClient;
    this.ownedResources = ownedResources;
    this.uri = uri;
    this.lastAttempt = System.nanoTime();
  }

  /**
   * Connects to {@code uri} (for example {@code redis://127.0.0.1:6379}) with the settings
   * described above. {@link #close()} closes the connection and the client.
   *
   * @throws NullPointerException if {@code uri} is null
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisStore connect(String uri) {
    Checks.nonNull(uri, "uri");
    return connect(RedisURI.create(uri));
  }

  /**
   * Connects to {@code uri}; see {@link #connect(String)}.
   *
   * @throws NullPointerException if {@code uri} is null
   */
  public static RedisStore connect(RedisURI uri) {
    Checks.nonNull(uri, "uri");
    ClientResources resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
            .build());
    StatefulRedisConnection<String, String> connection;
    try {
      connection = client.connect();
    } catch (RedisConnectionException down) {
      connection = null; // the limiters apply their outage policy until a connection succeeds
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      resources.shutdown(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    return new RedisStore(
        connection,
        connection == null ? null : connection.async(),
        ForkJoinPool.commonPool(),
        client,
        resources,
        uri);
  }

  /**
   * A store over a connection you manage (and close). Configure it with {@code
   * DisconnectedBehavior.REJECT_COMMANDS}, or outages are detected only by the limiters' timeouts.
   *
   * @throws NullPointerException if {@code connection} is null
   */
  public static RedisStore of(StatefulRedisConnection<String, String> connection) {
    return of(connection, ForkJoinPool.commonPool());
  }

  /**
   * A store over a connection you manage, completing asynchronous acquires on {@code executor}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static RedisStore of(StatefulRedisConnection<String, String> connection, Executor executor) {
    Checks.nonNull(connection, "connection");
    Checks.nonNull(executor, "executor");
    return new RedisStore(connection, connection.async(), executor, null, null, null);
  }

  /**
   * A store over a Redis Cluster connection you manage (and close), for example from {@code
   * RedisClusterClient.create("redis://10.0.0.1:7000").connect()}. Each script is sent to the node
   * that owns its keys' slot; a {@link RedisMultiLimiter}'s keys share one hash tag, so all its
   * dimensions live on one node and are still charged in one script. Configure the client as for
   * {@link #of(StatefulRedisConnection)}; a node that answers {@code MOVED}, {@code TRYAGAIN} or
   * {@code CLUSTERDOWN} during a failover or resharding is handled by Lettuce's redirects or, past
   * the limiter's timeout, by its outage policy.
   *
   * @throws NullPointerException if {@code connection} is null
   */
  public static RedisStore of(StatefulRedisClusterConnection<String, String> connection) {
    return of(connection, ForkJoinPool.commonPool());
  }

  /**
   * A store over a Redis Cluster connection you manage, completing asynchronous acquires on
   * {@code executor}; see {@link #of(StatefulRedisClusterConnection)}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static RedisStore of(
      StatefulRedisClusterConnection<String, String> connection, Executor executor) {
    Checks.nonNull(connection, "connection");
    Checks.nonNull(executor, "executor");
    return new RedisStore(connection, connection.async(), executor, null, null, null);
  }

  /** Scripts sent to Redis through this store so far (a monotonic count, for monitoring). */
  public long roundTrips() {
    return roundTrips.sum();
  }

  /** True once a connection to Redis was made (it may be down now; Lettuce reconnects). */
  public boolean isConnected() {
    return connection != null;
  }

  /** Closes the connection and client if {@link #connect} made them; otherwise does nothing. */
  @Override
  public void close() {
    if (ownedClient != null && !closed) {
      closed = true;
      StatefulConnection<String, String> c = connection;
      if (c != null) {
        c.close();
      }
      ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      ownedResources.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisStore[" + connection + "]";
  }

  Executor executor() {
    return executor;
  }

  /**
   * Runs the limiters' script once; the stage completes on Lettuce's I/O thread with the script's
   * array of integers, or the failure.
   */
  CompletableFuture<List<Long>> run(String[] keys, String[] args) {
    RedisScriptingAsyncCommands<String, String> commands = this.commands;
    if (commands == null) {
      reconnect();
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected to " + uri + " yet"));
    }
    roundTrips.increment();
    CompletionStage<List<Long>> sha = commands.evalsha(SHA, ScriptOutputType.MULTI, keys, args);
    return sha.handle(
            (result, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(result);
              }
              if (unwrap(failure) instanceof RedisNoScriptException) {
                roundTrips.increment();
                CompletionStage<List<Long>> eval = commands.eval(SCRIPT, ScriptOutputType.MULTI, keys, args);
                return eval.toCompletableFuture();
              }
              return CompletableFuture.<List<Long>>failedFuture(unwrap(failure));
            })
        .thenCompose(stage -> stage)
        .toCompletableFuture();
  }

  /**
   * A store made by {@link #connect} while Redis was down tries again when used, at most every
   * 100 ms, without blocking the caller; from its first connection on, Lettuce reconnects.
   */
  private void reconnect() {
    long now = System.nanoTime();
    if (closed || now - lastAttempt < CONNECT_RETRY_NANOS || !connecting.compareAndSet(false, true)) {
      return;
    }
    lastAttempt = now;
    ownedClient.connectAsync(StringCodec.UTF8, uri).whenComplete((c, failure) -> {
      if (c != null && !closed) {
        connection = c;
        commands = c.async();
      } else if (c != null) {
        c.closeAsync();
      }
      lastAttempt = System.nanoTime();
      connecting.set(false);
    });
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String loadScript() {
    try (InputStream in = RedisStore.class.getResourceAsStream("gcra.lua")) {
      if (in == null) {
        throw new IllegalStateException("gcra.lua is missing from throttle-redis");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String script) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
