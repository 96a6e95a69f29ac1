package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.Permit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads queueing at once on the system clock: the queue never holds more than its bound,
 * a bulkhead behind it never has more calls in flight than its limit, and every caller ends
 * exactly once; nothing is left behind.
 */
class AdmissionQueueStressTest {
  private static final int THREADS = 6;
  private static final int CALLS = 500;

  interface Call {
    void run(int key, int i) throws Exception;
  }

  /** Runs {@code call} CALLS times on each of THREADS threads started together; keys 0..2. */
  private static void race(Call call) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> all = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int key = t % 3;
      Thread th = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < CALLS; i++) {
            call.run(key, i);
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
  }

  @Test
  void racingCallers_stayWithinTheBound_andAllEnd() throws Exception {
    Throttle limiter = Throttle.builder().rate(200_000, Duration.ofSeconds(1)).burst(10).build();
    AdmissionQueue<Integer> q = AdmissionQueue.<Integer>builder(limiter).capacity(8).build();
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    race((key, i) -> {
      try {
        q.acquire(key, i % 2, 1, null);
        granted.incrementAndGet();
      } catch (QueueFullException full) {
        refused.incrementAndGet();
      }
      maxDepth.accumulateAndGet(q.size(), Math::max);
    });
    assertThat(granted.get() + refused.get()).isEqualTo(THREADS * CALLS);
    assertThat(maxDepth.get()).isLessThanOrEqualTo(8);
    assertThat(q.size()).isZero();
  }

  @Test
  void racingCallersOverABulkhead_neverExceedItsLimit_andAllAreServed() throws Exception {
    ConcurrencyLimit limit = ConcurrencyLimit.of(3);
    AdmissionQueue<Integer> q = AdmissionQueue.<Integer>builder(limit).capacity(64).build();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    race((key, i) -> {
      try (Permit p = q.acquire(key, i % 3, 1, null)) {
        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
        inside.decrementAndGet();
        p.success();
      }
      done.incrementAndGet();
    });
    assertThat(done.get()).isEqualTo(THREADS * CALLS);
    assertThat(maxInside.get()).isLessThanOrEqualTo(3);
    assertThat(limit.inFlight()).isZero();
    assertThat(q.size()).isZero();
  }
}
