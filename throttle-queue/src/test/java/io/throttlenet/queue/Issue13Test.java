package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The admission queue's defects found by the reliability audit (issue 13), one test per finding. */
class Issue13Test {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final List<String> served = new ArrayList<>();

  private Throttle emptyBucket(long perSecond, long burst) {
    return Throttle.builder()
        .rate(perSecond, Duration.ofSeconds(1))
        .burst(burst)
        .initialPermits(0)
        .ticker(ticker)
        .build();
  }

  private CompletableFuture<Permit> join(AdmissionQueue<String> q, String key, int priority, String label) {
    CompletableFuture<Permit> f = q.acquireAsync(key, priority, 1, null).toCompletableFuture();
    f.thenRun(() -> served.add(label));
    return f;
  }

  // ---- 9: a turn is lost when its caller leaves at that moment ----

  @Test
  void turnComingWhileAnEarlierContinuationCancelsItsCaller_isNotCharged() {
    Throttle limiter = emptyBucket(1, 10);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limiter).events(events).build();
    CompletableFuture<Permit> big = q.acquireAsync("k", 0, 5, null).toCompletableFuture();
    CompletableFuture<Permit> w1 = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    CompletableFuture<Permit> w2 = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    w1.thenRun(() -> w2.cancel(false));
    ticker.advance(Duration.ofSeconds(3));
    big.cancel(false);
    assertThat(w1).isCompleted();
    assertThat(w2).isCancelled();
    ticker.advance(Duration.ofSeconds(7));
    // ten seconds of refill, one permit used (w1's): nothing lost to w2, who left
    assertThat(limiter.availablePermits()).isEqualTo(9);
  }

  @Test
  void turnComingAfterTheCallerFinishedItsStage_passesOnToTheNextWaiter() throws Exception {
    Throttle limiter = emptyBucket(1, 10);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limiter).events(events).build();
    CompletableFuture<String> mine =
        q.decorator("a", 0, 1, null)
            .decorateAsync(() -> CompletableFuture.completedFuture("called"))
            .get()
            .toCompletableFuture();
    CompletableFuture<Permit> next = join(q, "b", 0, "next");
    mine.complete("finished by the caller itself"); // it stays queued until its turn comes
    ticker.advance(Duration.ofSeconds(1));
    assertThat(next).isCompleted(); // the turn "a" no longer wanted passed on at once
    ticker.advance(Duration.ofSeconds(9));
    assertThat(limiter.availablePermits()).isEqualTo(9);
    assertThat(q.size()).isZero();
  }

  // ---- 10: deadline prediction capped at the burst ----

  @Test
  void deadlinePrediction_backlogBeyondTheBurst_isCountedAtTheLimitersRate() {
    Throttle limiter = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).build();
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limiter).capacity(2_000).events(events).build();
    for (int i = 0; i < 100 + 999; i++) {
      q.acquireAsync("k", 0, 1, null); // the full bucket's 100 go at once, 999 queue (~10 s)
    }
    assertThat(q.size()).isEqualTo(999);
    CompletableFuture<Permit> late = q.acquireAsync("k", 0, 1, Duration.ofSeconds(2)).toCompletableFuture();
    assertThat(late).isCompletedExceptionally();
    assertThatThrownBy(late::join).hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(q.size()).isEqualTo(999); // refused at once, holding no place
  }

  @Test
  void deadlinePrediction_backlogBeyondTheBurst_staysALowerBound() {
    Throttle limiter = emptyBucket(100, 100);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limiter).capacity(2_000).events(events).build();
    for (int i = 0; i < 150; i++) {
      q.acquireAsync("k", 0, 1, null);
    }
    // the 151st unit is due at exactly 1.51 s, and predicted so: a deadline 10 ms later is met
    CompletableFuture<Permit> justInTime =
        q.acquireAsync("k", 0, 1, Duration.ofMillis(1520)).toCompletableFuture();
    assertThat(justInTime).isNotDone();
    ticker.advance(Duration.ofMillis(1510));
    assertThat(justInTime).isCompleted();
    assertThat(justInTime.join()).isSameAs(Permit.SPENT);
  }

  // ---- 11: DROP_OLDEST predicts before making room ----

  @Test
  void dropOldest_predictsTheWaitAfterTheRoomItMakes() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(emptyBucket(1, 10)).capacity(1).overflow(Overflow.DROP_OLDEST).events(events).build();
    CompletableFuture<Permit> w1 = join(q, "k", 0, "w1");
    CompletableFuture<Permit> newcomer =
        q.acquireAsync("k", 0, 1, Duration.ofMillis(1500)).toCompletableFuture();
    newcomer.thenRun(() -> served.add("newcomer"));
    assertThat(w1).isCompletedExceptionally();
    assertThatThrownBy(w1::join)
        .hasCauseInstanceOf(QueueFullException.class)
        .satisfies(e -> assertThat(((QueueFullException) e.getCause()).dropped()).isTrue());
    assertThat(newcomer).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("newcomer");
  }

  @Test
  void dropOldest_newcomerThatWouldMissItsDeadlineAnyway_dropsNobody() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(emptyBucket(1, 10)).capacity(1).overflow(Overflow.DROP_OLDEST).events(events).build();
    CompletableFuture<Permit> w1 = join(q, "k", 0, "w1");
    CompletableFuture<Permit> newcomer =
        q.acquireAsync("k", 0, 1, Duration.ofMillis(900)).toCompletableFuture();
    assertThat(newcomer).isCompletedExceptionally();
    assertThatThrownBy(newcomer::join).hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(w1).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("w1");
  }

  // ---- 12: strict priority starves ----

  @Test
  void ageing_lowPriorityUnderASteadyStreamOfHigherOnes_isServedWithinTheBound() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(emptyBucket(1, 1)).ageing(Duration.ofSeconds(10)).events(events).build();
    join(q, "low", 0, "low");
    // priority 5 arrives as fast as the limiter serves: the low waiter outranks it once it has
    // aged past 5 + 1 steps of 10 s
    assertThat(secondsUntilLowIsServed(q, 100)).isBetween(50, 61);
  }

  @Test
  void noAgeing_priorityIsStrict_lowWaitsAsLongAsHigherOnesKeepComing() {
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(emptyBucket(1, 1)).events(events).build();
    join(q, "low", 0, "low");
    assertThat(secondsUntilLowIsServed(q, 100)).isEqualTo(-1);
    assertThat(served).hasSize(100).allMatch("high"::equals);
  }

  @Test
  void ageing_badInput() {
    AdmissionQueue.Builder<String> b = AdmissionQueue.builder(emptyBucket(1, 1));
    assertThatThrownBy(() -> b.ageing(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ageing(null)).isInstanceOf(NullPointerException.class);
    b.ageing(Duration.ofSeconds(1));
    assertThatThrownBy(() -> b.ageing(Duration.ofSeconds(2))).isInstanceOf(IllegalStateException.class);
  }

  /** One priority-5 waiter a second, at the limiter's rate; the second the low one went, or -1. */
  private int secondsUntilLowIsServed(AdmissionQueue<String> q, int seconds) {
    for (int t = 1; t <= seconds; t++) {
      join(q, "high", 5, "high");
      ticker.advance(Duration.ofSeconds(1));
      if (served.contains("low")) {
        return t;
      }
    }
    return -1;
  }

  // ---- 13: DROP_LOWEST_PRIORITY sorts the lower ranks on every overflow ----

  @Test
  void dropLowestPriority_dropsTheLowestRanksNewestFirst_acrossKeys() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(emptyBucket(1, 10))
            .capacity(6)
            .overflow(Overflow.DROP_LOWEST_PRIORITY)
            .events(events)
            .build();
    List<CompletableFuture<Permit>> f = new ArrayList<>();
    f.add(join(q, "a", 2, "a2-old"));
    f.add(join(q, "b", 1, "b1-old"));
    f.add(join(q, "a", 1, "a1-new"));
    f.add(join(q, "c", 3, "c3"));
    f.add(join(q, "b", 2, "b2-new"));
    f.add(join(q, "c", 1, "c1-newest"));
    join(q, "x", 5, "x5"); // drops the newest of priority 1
    join(q, "x", 5, "x5"); // then the next newest of priority 1
    assertThat(f.get(5)).isCompletedExceptionally();
    assertThat(f.get(2)).isCompletedExceptionally();
    assertThat(f.get(1)).isNotDone();
    join(q, "y", 2, "y2"); // only priority 1 ranks below: b1-old goes
    assertThat(f.get(1)).isCompletedExceptionally();
    CompletableFuture<Permit> refused = join(q, "z", 2, "z2"); // nothing below 2 is left
    assertThat(refused).isCompletedExceptionally();
    join(q, "w", 4, "w4"); // the newest of priority 2: y2, then b2-new would follow
    assertThat(f.get(0)).isNotDone();
    assertThat(f.get(4)).isNotDone();
    assertThat(q.size()).isEqualTo(6);
    ticker.advance(Duration.ofSeconds(6));
    assertThat(served).containsExactly("x5", "x5", "w4", "c3", "a2-old", "b2-new");
  }

  @Test
  void dropLowestPriority_waitersServedOrLeft_areNoLongerVictims() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(emptyBucket(1, 10))
            .capacity(2)
            .overflow(Overflow.DROP_LOWEST_PRIORITY)
            .events(events)
            .build();
    join(q, "a", 0, "served");
    CompletableFuture<Permit> left = join(q, "b", 0, "left");
    ticker.advance(Duration.ofSeconds(1)); // "served" goes
    left.cancel(false);
    join(q, "c", 0, "c0");
    join(q, "d", 0, "d0");
    assertThat(q.size()).isEqualTo(2);
    join(q, "e", 1, "e1"); // drops d0, not anyone who is gone
    ticker.advance(Duration.ofSeconds(2));
    assertThat(served).containsExactly("served", "e1", "c0");
  }

  /**
   * Making room must cost O(log n), not a sort of the lower ranks. Time would be flaky on a busy
   * machine; the memory a newcomer allocates is not: sorting the lower ranks copies them all
   * (hundreds of kilobytes per newcomer with 100k queued), an ordered index allocates one node.
   */
  @Test
  void dropLowestPriority_withAHundredThousandQueued_newcomerAllocatesIndependentlyOfTheQueue() {
    AdmissionQueue<String> q =
        AdmissionQueue.<String>builder(
                Throttle.builder().rate(1, Duration.ofHours(1)).initialPermits(0).ticker(ticker).build())
            .capacity(100_000)
            .overflow(Overflow.DROP_LOWEST_PRIORITY)
            .events(events)
            .build();
    for (int i = 0; i < 100_000; i++) {
      q.acquireAsync("k" + (i % 4), 0, 1, null);
    }
    int newcomers = 200;
    long before = allocatedByThisThread();
    for (int i = 0; i < newcomers; i++) {
      q.acquireAsync("high", 1, 1, null);
    }
    long perNewcomer = (allocatedByThisThread() - before) / newcomers;
    assertThat(q.size()).isEqualTo(100_000);
    assertThat(perNewcomer).isLessThan(16 * 1024); // a copy of the lower ranks alone is ~400 KB
  }

  /**
   * The bytes this thread has allocated, from HotSpot's ThreadMXBean; reflective, because the
   * module under test does not read java.management (the tests run on the class path).
   */
  private static long allocatedByThisThread() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
      Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
      return (long) allocated.invoke(bean, Thread.currentThread().getId());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("HotSpot's ThreadMXBean is required", e);
    }
  }
}
