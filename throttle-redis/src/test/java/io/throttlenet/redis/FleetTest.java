package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several instances sharing one budget: separate Lettuce clients, threads, separate JVMs, and a
 * property over random schedules. The rate is one permit an hour, so the shared budget is exactly
 * the burst for the whole test, and "never exceeds" can be checked as an exact count.
 */
class FleetTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void clientsAndThreads_hammeringOneKey_admitExactlyTheBurst() throws Exception {
    String key = Redis.uniqueKey();
    int clients = 4;
    int threadsPerClient = 4;
    long burst = 300;
    List<RedisStore> stores = new ArrayList<>();
    AtomicLong admitted = new AtomicLong();
    AtomicLong cost = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    try {
      for (int c = 0; c < clients; c++) {
        RedisStore store = Redis.store();
        stores.add(store);
        RedisThrottle t = RedisThrottle.builder(store).key(key).rate(1, HOUR).burst(burst).build();
        for (int i = 0; i < threadsPerClient; i++) {
          int weight = 1 + (c + i) % 3; // costs 1, 2 and 3 mixed
          Thread th = new Thread(() -> {
            try {
              start.await();
              int refusals = 0;
              while (refusals < 20) {
                if (t.tryAcquire(weight)) {
                  admitted.incrementAndGet();
                  cost.addAndGet(weight);
                } else {
                  refusals++;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          th.start();
          threads.add(th);
        }
      }
      start.countDown();
      for (Thread th : threads) {
        th.join(60_000);
      }
      // Nothing above the budget, and (each thread stops only after 20 refusals, so the
      // leftovers are smaller than the largest cost) nothing far below it.
      assertThat(cost.get()).isLessThanOrEqualTo(burst).isGreaterThan(burst - 3);
      RedisThrottle probe = RedisThrottle.builder(stores.get(0)).key(key).rate(1, HOUR).burst(burst).build();
      assertThat(probe.availablePermits()).isEqualTo(burst - cost.get());
    } finally {
      stores.forEach(RedisStore::close);
    }
  }

  @Test
  void separateJvms_shareOneBudgetExactly() throws Exception {
    String key = Redis.uniqueKey();
    int burst = 150;
    int processes = 3;
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
              FleetMember.class.getName(), Redis.URI, key, Integer.toString(burst))
          .redirectErrorStream(true)
          .start());
    }
    long total = 0;
    for (Process p : children) {
      String last = null;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          last = line;
        }
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("child output: %s", last).isZero();
      assertThat(last).startsWith("admitted ");
      total += Long.parseLong(last.substring("admitted ".length()));
    }
    assertThat(total).isEqualTo(burst);
  }

  @Test
  void randomSchedules_acrossInstances_matchTheModelExactly() {
    try (RedisStore a = Redis.store(); RedisStore b = Redis.store()) {
      qt().withExamples(40)
          .withShrinkCycles(20)
          .forAll(
              integers().between(1, 30),
              lists().of(integers().between(0, 3 * 8 - 1)).ofSizeBetween(1, 25))
          .checkAssert(
              (burst, schedule) -> {
                String key = Redis.uniqueKey();
                RedisThrottle[] instances = {
                  RedisThrottle.builder(a).key(key).rate(1, HOUR).burst(burst).build(),
                  RedisThrottle.builder(b).key(key).rate(1, HOUR).burst(burst).build(),
                  RedisThrottle.builder(b).key(key).rate(1, HOUR).burst(burst).build(),
                };
                long remaining = burst;
                for (int step : schedule) {
                  RedisThrottle t = instances[step % 3];
                  long cost = step / 3; // 0..7
                  boolean expected = cost <= remaining;
                  assertThat(t.tryAcquire(cost)).as("cost %d with %d left", cost, remaining).isEqualTo(expected);
                  if (expected) {
                    remaining -= cost;
                  }
                }
                assertThat(instances[0].availablePermits()).isEqualTo(remaining);
              });
    }
  }
}
