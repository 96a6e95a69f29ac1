package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Exact totals under contention, on a frozen manual ticker (no refill): whatever the
 * interleaving, a limiter grants exactly what it holds, never more, never less.
 */
class ConcurrencyTest {

  interface Worker {
    void run(int index) throws Exception;
  }

  private static void race(int threads, Worker worker) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> all = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int index = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                  worker.run(index);
                } catch (Throwable e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      t.start();
      all.add(t);
    }
    for (Thread t : all) {
      t.join(60_000);
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
  }

  private static Throttle frozen(long burst) {
    return Throttle.builder()
        .rate(burst, Duration.ofSeconds(1))
        .ticker(ManualTicker.startingAt(Long.MAX_VALUE - 1000))
        .build();
  }

  @Test
  void throttle_8ThreadsDemanding30Each_getExactly100() throws Exception {
    for (int round = 0; round < 20; round++) {
      Throttle t = frozen(100);
      LongAdder granted = new LongAdder();
      race(
          8,
          i -> {
            for (int k = 0; k < 30; k++) {
              if (t.tryAcquire()) {
                granted.increment();
              }
            }
          });
      assertThat(granted.sum()).isEqualTo(100);
      assertThat(t.availablePermits()).isZero();
    }
  }

  @Test
  void throttle_16ThreadsTaking3_grantedPlusAvailableIsTheCapacity() throws Exception {
    Throttle t = frozen(6001);
    LongAdder granted = new LongAdder();
    race(
        16,
        i -> {
          for (int k = 0; k < 200; k++) {
            if (t.tryAcquire(3)) {
              granted.add(3);
            }
          }
        });
    assertThat(granted.sum()).isEqualTo(6000);
    assertThat(granted.sum() + t.availablePermits()).isEqualTo(6001);
  }

  @Test
  void throttle_rateChangesDuringTheRace_neverCreateOrLosePermits() throws Exception {
    for (int round = 0; round < 10; round++) {
      // 10 ms and 20 ms intervals: conversions between them are exact, so nothing may be lost.
      Throttle t = frozen(1000);
      t.setRate(100, Duration.ofSeconds(1));
      LongAdder granted = new LongAdder();
      race(
          4,
          i -> {
            if (i == 0) {
              for (int k = 0; k < 500; k++) {
                t.setRate(k % 2 == 0 ? 50 : 100, Duration.ofSeconds(1));
              }
              return;
            }
            for (int k = 0; k < 400; k++) {
              if (t.tryAcquire()) {
                granted.increment();
              }
            }
          });
      assertThat(granted.sum() + t.availablePermits()).isEqualTo(1000);
    }
  }

  @Test
  void throttle_waitersAndCancellations_neverOverbook() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    Throttle t = Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).build();
    LongAdder booked = new LongAdder();
    race(
        4,
        i -> {
          for (int k = 0; k < 300; k++) {
            long now = ticker.read();
            long wait = t.reserve(1, now, Long.MAX_VALUE);
            booked.increment();
            if (k % 3 == 0) {
              t.cancel(1, now, wait); // may or may not be returned, depending on the race
            }
          }
        });
    // Whatever was returned, every live booking is owed: nothing was created.
    assertThat(t.availablePermits()).isGreaterThanOrEqualTo(10 - booked.sum());
    assertThat(t.availablePermits()).isLessThanOrEqualTo(10 - booked.sum() * 2 / 3);
  }

  @Test
  void slidingWindowLog_8ThreadsDemanding30Each_getExactly100() throws Exception {
    for (int round = 0; round < 20; round++) {
      RateLimiter log =
          SlidingWindowLog.builder()
              .limit(100)
              .window(Duration.ofSeconds(1))
              .ticker(ManualTicker.startingAt(-77))
              .build();
      LongAdder granted = new LongAdder();
      race(
          8,
          i -> {
            for (int k = 0; k < 30; k++) {
              if (log.tryAcquire()) {
                granted.increment();
              }
            }
          });
      assertThat(granted.sum()).isEqualTo(100);
      assertThat(log.availablePermits()).isZero();
    }
  }

  @Test
  void allOf_compositeAndDirectUsersRacing_chargeEveryPartExactly() throws Exception {
    for (int round = 0; round < 20; round++) {
      ManualTicker ticker = ManualTicker.startingAt(-1);
      Throttle a = Throttle.builder().rate(60, Duration.ofSeconds(1)).ticker(ticker).build();
      Throttle b = Throttle.builder().rate(40, Duration.ofSeconds(1)).ticker(ticker).build();
      AllOf all = Throttle.allOf(a, b);
      LongAdder viaComposite = new LongAdder();
      LongAdder directA = new LongAdder();
      race(
          4,
          i -> {
            for (int k = 0; k < 50; k++) {
              if (i < 3) {
                if (all.tryAcquire()) {
                  viaComposite.increment();
                }
              } else if (a.tryAcquire()) {
                directA.increment();
              }
            }
          });
      // b only ever served the composite; a served both; neither over- nor under-counted.
      assertThat(viaComposite.sum() + b.availablePermits()).isEqualTo(40);
      assertThat(viaComposite.sum() + directA.sum() + a.availablePermits()).isEqualTo(60);
      assertThat(viaComposite.sum()).isLessThanOrEqualTo(40);
    }
  }

  @Test
  void layered_randomSchedulesAcrossScopes_chargeEveryScopeExactly() throws Exception {
    String[] keys = {"a", "b", "c"};
    String[] endpoints = {"x", "y"};
    for (int round = 0; round < 20; round++) {
      ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + round);
      Throttle global = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).build();
      PerKey<String> tenants = PerKey.<String>builder().rate(30, Duration.ofSeconds(1)).ticker(ticker).build();
      PerKey<String> paths = PerKey.<String>builder().rate(50, Duration.ofSeconds(1)).ticker(ticker).build();
      Layered<String> layered =
          Layered.<String>builder().global(global).perKey(tenants).perEndpoint(paths).build();
      LongAdder[] byKey = {new LongAdder(), new LongAdder(), new LongAdder()};
      LongAdder[] byEndpoint = {new LongAdder(), new LongAdder()};
      LongAdder direct = new LongAdder();
      long seed = 13L * round;
      race(
          5,
          i -> {
            java.util.Random random = new java.util.Random(seed + i);
            for (int n = 0; n < 60; n++) {
              int cost = 1 + random.nextInt(3);
              if (i == 4) { // a direct user of the global scope, racing the composite
                if (global.tryAcquire(cost)) {
                  direct.add(cost);
                }
                continue;
              }
              int k = random.nextInt(keys.length);
              int e = random.nextInt(endpoints.length);
              if (layered.tryAcquire(keys[k], endpoints[e], cost)) {
                byKey[k].add(cost);
                byEndpoint[e].add(cost);
              }
            }
          });
      long viaLayered = 0;
      for (int k = 0; k < keys.length; k++) {
        assertThat(byKey[k].sum() + tenants.availablePermits(keys[k])).isEqualTo(30);
        viaLayered += byKey[k].sum();
      }
      for (int e = 0; e < endpoints.length; e++) {
        assertThat(byEndpoint[e].sum() + paths.availablePermits(endpoints[e])).isEqualTo(50);
      }
      assertThat(viaLayered + direct.sum() + global.availablePermits()).isEqualTo(100);
    }
  }
}
