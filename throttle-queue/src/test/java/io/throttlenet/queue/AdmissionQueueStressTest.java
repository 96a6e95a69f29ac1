package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads queueing at once on the system clock: the queue never holds more than its bound,
 * and every caller ends exactly once (granted or refused as full); nothing is left behind.
 */
class AdmissionQueueStressTest {

  @Test
  void racingCallers_stayWithinTheBound_andAllEnd() throws Exception {
    Throttle limiter = Throttle.builder().rate(200_000, Duration.ofSeconds(1)).burst(10).build();
    AdmissionQueue<Integer> q = AdmissionQueue.<Integer>builder(limiter).capacity(8).build();
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    int threads = 6;
    int calls = 500;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> all = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int key = t % 3;
      Thread th = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < calls; i++) {
            try {
              q.acquire(key, i % 2, 1, null);
              granted.incrementAndGet();
            } catch (QueueFullException full) {
              refused.incrementAndGet();
            }
            maxDepth.accumulateAndGet(q.size(), Math::max);
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
    for (Thread th : all) {
      th.join(120_000);
    }
    assertThat(failures).isEmpty();
    assertThat(granted.get() + refused.get()).isEqualTo(threads * calls);
    assertThat(maxDepth.get()).isLessThanOrEqualTo(8);
    assertThat(q.size()).isZero();
  }
}
