package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.throttlenet.core.EventRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped, frozen and restarted mid-test. Each test runs its own redis-server on an
 * ephemeral loopback port (never the shared one) and is skipped only if no redis-server binary
 * is installed. Decisions are checked against the timeout with generous slack for a loaded
 * machine: what matters is that the policy applies within the timeout's order, not 60 s later.
 */
class OutageTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration TIMEOUT = Duration.ofMillis(100);
  private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final EventRegistry events = EventRegistry.create();
  private final List<RedisEvent> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() {
    assumeTrue(Redis.serverBinaryPresent(), "redis-server is not installed");
    events.subscribe(RedisEvent.class, seen::add);
  }

  private RedisThrottle throttle(RedisStore store, OutagePolicy policy, long burst) {
    return RedisThrottle.builder(store).key(Redis.uniqueKey()).rate(1, HOUR).burst(burst)
        .outage(policy).timeout(TIMEOUT).probeInterval(Duration.ofMillis(50))
        .events(events).name("shared").build();
  }

  /** Retries until Redis answers again: bounded, and waiting for a process, not testing time. */
  private static void awaitRecovery(RedisThrottle t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (;;) {
      long available = t.availablePermits(); // the probe: tries Redis once per probe interval
      if (!t.isRedisDown() && available >= 0) {
        return;
      }
      assertThat(System.nanoTime() - deadline).as("recovered in time").isNegative();
      Thread.onSpinWait();
    }
  }

  private static long timed(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return System.nanoTime() - start;
  }

  @Test
  void failClosed_redisKilled_refusesWithinTimeout_thenRecovers() throws Exception {
    int port = Redis.freePort();
    try (Redis.Server server = new Redis.Server(port).start(); RedisStore store = RedisStore.connect(server.uri())) {
      RedisThrottle t = throttle(store, OutagePolicy.failClosed(), 5);
      assertThat(t.tryAcquire(2)).isTrue();
      server.stop();
      boolean[] result = new boolean[1];
      assertThat(timed(() -> result[0] = t.tryAcquire())).isLessThan(TIMEOUT.toNanos() + SLACK_NANOS);
      assertThat(result[0]).isFalse();
      assertThat(t.isRedisDown()).isTrue();
      assertThatThrownBy(t::acquire).isInstanceOf(RedisUnavailableException.class).hasMessageContaining("shared");
      assertThatThrownBy(() -> t.waitNanos(1, 0)).isInstanceOf(RedisUnavailableException.class);
      assertThat(t.availablePermits()).isZero();
      assertThat(seen).hasSize(1).first().isInstanceOf(RedisEvent.Unavailable.class);
      assertThat(((RedisEvent.Unavailable) seen.get(0)).policy()).isEqualTo(OutagePolicy.failClosed());

      new Redis.Server(port).start(); // a new, empty server: the budget is full again
      awaitRecovery(t);
      assertThat(seen).hasSize(2).last().isInstanceOf(RedisEvent.Recovered.class);
      assertThat(t.tryAcquire(5)).isTrue();
      assertThat(t.tryAcquire()).isFalse();
    } finally {
      killStray(port);
    }
  }

  @Test
  void failOpen_redisFrozen_grantsAfterTheTimeout_thenRecovers() throws Exception {
    int port = Redis.freePort();
    try (Redis.Server server = new Redis.Server(port).start(); RedisStore store = RedisStore.connect(server.uri())) {
      RedisThrottle t = throttle(store, OutagePolicy.failOpen(), 1);
      assertThat(t.tryAcquire()).isTrue();
      assertThat(t.tryAcquire()).isFalse();
      server.freeze(); // connected, but no reply ever comes: only the timeout can tell
      long first = timed(() -> assertThat(t.tryAcquire()).isTrue());
      assertThat(first).isGreaterThanOrEqualTo(TIMEOUT.toNanos()).isLessThan(TIMEOUT.toNanos() + SLACK_NANOS);
      for (int i = 0; i < 50; i++) {
        assertThat(t.tryAcquire()).isTrue(); // unmetered, mostly without asking the frozen server
      }
      assertThat(t.acquireAsync(1).toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
      assertThat(seen).hasSize(1).first().isInstanceOf(RedisEvent.Unavailable.class);
      server.thaw();
      awaitRecovery(t);
      assertThat(seen).last().isInstanceOf(RedisEvent.Recovered.class);
      assertThat(t.tryAcquire()).isFalse(); // the shared bucket is back, still empty
    }
  }

  @Test
  void fallback_redisKilled_localShareOfTheBudget() throws Exception {
    int port = Redis.freePort();
    try (Redis.Server server = new Redis.Server(port).start(); RedisStore store = RedisStore.connect(server.uri())) {
      RedisThrottle t = throttle(store, OutagePolicy.fallback(4), 40);
      assertThat(t.tryAcquire(40)).isTrue();
      server.stop();
      int admitted = 0;
      for (int i = 0; i < 30; i++) {
        admitted += t.tryAcquire() ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(10); // 40 / 4, from a local bucket starting full
      assertThat(t.availablePermits()).isZero();
      assertThat(seen).hasSize(1);
    } finally {
      killStray(port);
    }
  }

  @Test
  void failClosed_async_failsWithUnavailable() throws Exception {
    int port = Redis.freePort();
    try (Redis.Server server = new Redis.Server(port).start(); RedisStore store = RedisStore.connect(server.uri())) {
      RedisThrottle t = throttle(store, OutagePolicy.failClosed(), 2);
      server.stop();
      assertThatThrownBy(() -> t.acquireAsync(1).toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RedisUnavailableException.class);
    }
  }

  @Test
  void multiAndPerKey_fallback_localShares() throws Exception {
    int port = Redis.freePort();
    try (Redis.Server server = new Redis.Server(port).start(); RedisStore store = RedisStore.connect(server.uri())) {
      RedisMultiLimiter llm = RedisMultiLimiter.builder(store).key(Redis.uniqueKey())
          .dimension("requests", 10, HOUR).dimension("tokens", 1000, HOUR)
          .outage(OutagePolicy.fallback(2)).timeout(TIMEOUT).events(events).name("llm").build();
      RedisPerKey<String> tenants = RedisPerKey.<String>builder(store).key(Redis.uniqueKey()).rate(10, HOUR)
          .outage(OutagePolicy.fallback(5)).timeout(TIMEOUT).events(events).name("tenants").build();
      assertThat(llm.tryAcquire(io.throttlenet.multidim.Costs.of("requests", 10))).isTrue();
      server.stop();
      int admitted = 0;
      for (int i = 0; i < 20; i++) {
        admitted += llm.tryAcquire(io.throttlenet.multidim.Costs.of("requests", 1, "tokens", 10)) ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(5); // half of 10 requests, locally
      assertThat(llm.isRedisDown()).isTrue();
      int a = 0;
      int b = 0;
      for (int i = 0; i < 10; i++) {
        a += tenants.tryAcquire("a") ? 1 : 0;
        b += tenants.tryAcquire("b") ? 1 : 0;
      }
      assertThat(a).isEqualTo(2); // a fifth of each tenant's 10
      assertThat(b).isEqualTo(2);
      assertThat(seen).extracting(e -> ((RedisEvent.Unavailable) e).component()).containsExactlyInAnyOrder("llm", "tenants");
    } finally {
      killStray(port);
    }
  }

  @Test
  void redisDownAtStart_policyApplies_thenConnectsWhenItComes() throws Exception {
    int port = Redis.freePort();
    try (RedisStore store = RedisStore.connect("redis://127.0.0.1:" + port)) {
      assertThat(store.isConnected()).isFalse();
      RedisThrottle t = throttle(store, OutagePolicy.failClosed(), 3);
      assertThat(timed(() -> assertThat(t.tryAcquire()).isFalse())).isLessThan(TIMEOUT.toNanos() + SLACK_NANOS);
      assertThat(seen).hasSize(1).first().isInstanceOf(RedisEvent.Unavailable.class);
      try (Redis.Server server = new Redis.Server(port).start()) {
        assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + port);
        awaitRecovery(t);
        assertThat(store.isConnected()).isTrue();
        assertThat(seen).last().isInstanceOf(RedisEvent.Recovered.class);
        assertThat(t.tryAcquire(3)).isTrue();
        assertThat(t.tryAcquire()).isFalse();
      }
    }
  }

  @Test
  void multiFallback_acquireWaitsOnTheLocalShare() throws Exception {
    int port = Redis.freePort();
    io.throttlenet.core.ManualTicker ticker = io.throttlenet.core.ManualTicker.create();
    try (RedisStore store = RedisStore.connect("redis://127.0.0.1:" + port)) { // never up
      RedisMultiLimiter llm = RedisMultiLimiter.builder(store).key(Redis.uniqueKey())
          .dimension("requests", 4, Duration.ofSeconds(4)).outage(OutagePolicy.fallback(2))
          .timeout(TIMEOUT).ticker(ticker).events(events).build();
      io.throttlenet.multidim.Costs one = io.throttlenet.multidim.Costs.of("requests", 1);
      assertThat(llm.tryAcquire(io.throttlenet.multidim.Costs.of("requests", 2))).isTrue(); // the local share: 2
      assertThat(llm.tryAcquire(one)).isFalse();
      java.util.concurrent.CompletableFuture<Void> waiting = llm.acquireAsync(one).toCompletableFuture();
      assertThat(llm.acquireAsync(one, Duration.ZERO).toCompletableFuture())
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(io.throttlenet.core.MaxWaitExceededException.class);
      Thread sync = new Thread(() -> {
        try {
          llm.acquire(one);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      sync.start();
      ticker.advance(Duration.ofSeconds(2)); // the local share refills one every 2 s
      ticker.advance(Duration.ofSeconds(2));
      assertThat(waiting).succeedsWithin(Duration.ofSeconds(5));
      sync.join(10_000);
      assertThat(sync.isAlive()).isFalse();
      assertThatThrownBy(() -> llm.acquire(io.throttlenet.multidim.Costs.of("requests", 3)))
          .isInstanceOf(io.throttlenet.core.CostExceedsCapacityException.class); // above the share's 2
    }
  }

  /** The restarted server of a test is not tracked by its try block: stop whatever holds the port. */
  private static void killStray(int port) {
    try {
      RedisStore s = RedisStore.connect("redis://127.0.0.1:" + port);
      s.close();
      new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "shutdown", "nosave")
          .start().waitFor(10, TimeUnit.SECONDS);
    } catch (Exception nothingThere) {
      // already gone
    }
  }
}
