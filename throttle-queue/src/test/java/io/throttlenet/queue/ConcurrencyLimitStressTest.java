package io.throttlenet.queue;

import io.throttlenet.core.Permit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads through one bulkhead while its limit moves: no more calls run at once than the
 * largest limit ever set, and every caller gets its slot (no lost wake-up).
 */
class ConcurrencyLimitStressTest {

  @Test
  void racingCallers_neverExceedTheLimit_andAllComplete() throws Exception {
    ConcurrencyLimit c = ConcurrencyLimit.of(3);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    int threads = 6;
    int rounds = 2_000;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    List<Thread> all = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < rounds; i++) {
            try (Permit p = c.acquire()) {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              Thread.onSpinWait();
              running.decrementAndGet();
              p.success();
            }
            completed.incrementAndGet();
          }
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      th.start();
      all.add(th);
    }
    start.await();
    for (int i = 0; i < 200; i++) {
      c.setLimit(1 + i % 3);
      Thread.onSpinWait();
    }
    c.setLimit(3);
    for (Thread th : all) {
      th.join(120_000);
    }
    assertThat(failures).isEmpty();
    assertThat(completed.get()).isEqualTo(threads * rounds);
    assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
    assertThat(c.inFlight()).isZero();
    assertThat(c.waiting()).isZero();
  }
}
