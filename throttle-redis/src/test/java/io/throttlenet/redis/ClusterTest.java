package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.throttlenet.multidim.Costs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limiters on a real Redis Cluster: three masters started privately on loopback (each with
 * its cluster bus at port + 10000), joined by {@code redis-cli --cluster create}, reached through
 * Lettuce's cluster client. Buckets spread over the nodes by key; a multi-dimensional limiter's
 * keys share one hash tag, so its script runs on one node. Rates are one permit an hour or slower,
 * so counts are exact.
 */
class ClusterTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir static Path dir;
  private static final List<Redis.Server> nodes = new ArrayList<>();
  private static RedisClusterClient client;
  private static StatefulRedisClusterConnection<String, String> connection;

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(Redis.serverBinaryPresent(), "redis-server is not installed");
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (int i = 0; i < 3; i++) {
      int port = clusterPort();
      Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
      nodes.add(new Redis.Server(port, "--cluster-enabled", "yes", "--cluster-config-file",
          "nodes.conf", "--dir", nodeDir.toString()).start());
      create.add("127.0.0.1:" + port);
    }
    create.add("--cluster-yes");
    Process joining = new ProcessBuilder(create).redirectErrorStream(true).start();
    String output = new String(joining.getInputStream().readAllBytes());
    if (!joining.waitFor(60, TimeUnit.SECONDS) || joining.exitValue() != 0) {
      fail("redis-cli --cluster create failed: " + output);
    }
    client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + nodes.get(0).port));
    awaitClusterOk();
    connection = client.connect();
  }

  /** A free port whose cluster bus port (+ 10000) is free too. */
  private static int clusterPort() throws IOException {
    for (;;) {
      int port = Redis.freePort();
      if (port < 55_535) {
        try (java.net.ServerSocket bus = new java.net.ServerSocket(port + 10_000)) {
          return bus.getLocalPort() - 10_000;
        } catch (IOException taken) {
          // try another
        }
      }
    }
  }

  /** Waits (bounded) until every node reports the slots assigned: waiting for processes. */
  private static void awaitClusterOk() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - deadline < 0) {
      boolean ok = true;
      for (Redis.Server node : nodes) {
        io.lettuce.core.RedisClient plain = io.lettuce.core.RedisClient.create(node.uri());
        try (var c = plain.connect()) {
          ok &= c.sync().clusterInfo().contains("cluster_state:ok");
        } catch (RuntimeException notYet) {
          ok = false;
        } finally {
          plain.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
      }
      if (ok) {
        return;
      }
      Thread.sleep(50);
    }
    fail("the cluster did not reach cluster_state:ok");
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
    for (Redis.Server node : nodes) {
      node.close();
    }
  }

  @Test
  void throttles_onKeysAcrossTheNodes_eachExactAtTheBurst() {
    RedisStore store = RedisStore.of(connection);
    Set<String> owners = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      String key = Redis.uniqueKey();
      RedisThrottle t = RedisThrottle.builder(store).key(key).rate(1, HOUR).burst(5).build();
      int admitted = 0;
      for (int k = 0; k < 6; k++) {
        admitted += t.tryAcquire() ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(5);
      assertThat(t.isRedisDown()).isFalse();
      owners.add(connection.getPartitions().getPartitionBySlot(SlotHash.getSlot("throttlenet:{" + key + "}"))
          .getNodeId());
    }
    assertThat(owners).hasSizeGreaterThan(1); // twelve random keys landed on more than one master
  }

  @Test
  void multiLimiter_dimensionsUnderOneHashTag_chargedAllOrNothingOnOneNode() throws Exception {
    RedisStore store = RedisStore.of(connection);
    String key = Redis.uniqueKey();
    RedisMultiLimiter llm = RedisMultiLimiter.builder(store).key(key).name("llm")
        .dimension("requests", 10, Duration.ofDays(10))
        .dimension("tokens", 1_000, Duration.ofDays(10))
        .build();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 900))).isTrue();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 200))).isFalse();
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
    assertThat(llm.availablePermits("tokens")).isEqualTo(100);
    try (RedisReservation r = llm.reserve(Costs.of("requests", 1, "tokens", 100))) {
      r.settle(Costs.of("requests", 1, "tokens", 40));
    }
    assertThat(llm.availablePermits("tokens")).isEqualTo(60);
    int slot = SlotHash.getSlot("throttlenet:{" + key + "}:requests");
    assertThat(SlotHash.getSlot("throttlenet:{" + key + "}:tokens")).isEqualTo(slot);
    assertThat(connection.sync().exists("throttlenet:{" + key + "}:requests",
        "throttlenet:{" + key + "}:tokens")).isEqualTo(2);
  }

  @Test
  void setRate_onTheCluster_appliesToAnotherConnection() {
    String key = Redis.uniqueKey();
    RedisThrottle a = RedisThrottle.builder(RedisStore.of(connection)).key(key).rate(1, HOUR).burst(2).build();
    try (StatefulRedisClusterConnection<String, String> other = client.connect()) {
      RedisThrottle b = RedisThrottle.builder(RedisStore.of(other)).key(key).rate(1, HOUR).burst(2).build();
      assertThat(a.tryAcquire(2)).isTrue();
      a.setRate(1, Duration.ofHours(2));
      assertThat(b.waitNanos(1, 0)).isGreaterThan(HOUR.plusMinutes(59).toNanos());
    }
  }
}
