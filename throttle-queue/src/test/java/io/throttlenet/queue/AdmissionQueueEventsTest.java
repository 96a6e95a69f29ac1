package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An admission queue's events for each way a caller's turn ends (dispatched at once or later,
 * refused, dropped, expired as predicted or while waiting), and its blocking verb's exceptions.
 */
class AdmissionQueueEventsTest {
  private static final Duration S = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + 17);
  private final EventRegistry events = EventRegistry.create();
  private final List<QueueEvent> seen = new ArrayList<>();

  private AdmissionQueue<String> overThrottle(int capacity, Overflow overflow) {
    events.subscribe(QueueEvent.class, seen::add);
    Throttle t = Throttle.builder().rate(1, S).ticker(ticker).build();
    return AdmissionQueue.<String>builder(t).name("q").capacity(capacity).overflow(overflow).events(events).build();
  }

  @Test
  void dispatchedAtOnceAndLater_withTheWait() {
    AdmissionQueue<String> q = overThrottle(4, Overflow.REJECT);
    assertThat(q.acquireAsync("k", 0, 1, null).toCompletableFuture()).isCompleted();
    CompletableFuture<Permit> later = q.acquireAsync("k", 5, 1, null).toCompletableFuture();
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.queuedCost()).isEqualTo(1);
    ticker.advance(S);
    assertThat(later).isCompleted();
    assertThat(q.queuedCost()).isZero();
    assertThat(seen).containsExactly(
        new QueueEvent.Dispatched("q", 0, 1, Duration.ZERO),
        new QueueEvent.Enqueued("q", 5, 1, 1),
        new QueueEvent.Dispatched("q", 5, 1, S));
  }

  @Test
  void aFullQueue_refusesTheNewcomer_orDropsTheOldest() {
    AdmissionQueue<String> reject = overThrottle(1, Overflow.REJECT);
    assertThat(reject.tryAcquire("k", 1)).isPresent();
    assertThat(reject.tryAcquire("k", 1)).isEmpty();
    CompletableFuture<Permit> queued = reject.acquireAsync("k", 0, 1, null).toCompletableFuture();
    assertThat(reject.tryAcquire("k", 0)).isEmpty(); // never overtakes a waiter
    CompletableFuture<Permit> refused = reject.acquireAsync("k", 0, 1, null).toCompletableFuture();
    assertThatThrownBy(refused::join).cause().isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.dropped()).isFalse());
    assertThat(queued).isNotDone();
    assertThat(seen).last().isEqualTo(new QueueEvent.Dropped("q", 0, false));

    seen.clear();
    EventRegistry other = EventRegistry.create();
    List<QueueEvent> dropped = new ArrayList<>();
    other.subscribe(QueueEvent.Dropped.class, dropped::add);
    Throttle t = Throttle.builder().rate(1, S).ticker(ticker).initialPermits(0).build();
    AdmissionQueue<String> dropOldest = AdmissionQueue.<String>builder(t).capacity(1).overflow(Overflow.DROP_OLDEST).events(other).build();
    CompletableFuture<Permit> oldest = dropOldest.acquireAsync("k", 0, 1, null).toCompletableFuture();
    CompletableFuture<Permit> newest = dropOldest.acquireAsync("k", 0, 1, null).toCompletableFuture();
    assertThatThrownBy(oldest::join).cause().isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.dropped()).isTrue());
    assertThat(newest).isNotDone();
    assertThat(dropped).containsExactly(new QueueEvent.Dropped(dropOldest.name(), 0, true));
  }

  @Test
  void deadlines_expireAsPredicted_orWhileWaiting() {
    AdmissionQueue<String> q = overThrottle(4, Overflow.REJECT);
    assertThat(q.tryAcquire("k", 1)).isPresent();
    CompletableFuture<Permit> hopeless = q.acquireAsync("k", 0, 1, Duration.ofMillis(100)).toCompletableFuture();
    assertThatThrownBy(hopeless::join).cause().isInstanceOf(DeadlineExceededException.class)
        .hasMessage("q: the predicted wait already exceeds the deadline");
    assertThat(seen).containsExactly(new QueueEvent.Expired("q", 0, true));

    ConcurrencyLimit c = ConcurrencyLimit.builder().limit(1).ticker(ticker).events(events).build();
    AdmissionQueue<String> overLimit = AdmissionQueue.<String>builder(c).name("q").events(events).build();
    Permit held = c.tryAcquire().orElseThrow();
    seen.clear();
    CompletableFuture<Permit> waiting = overLimit.acquireAsync("k", 3, 1, S).toCompletableFuture();
    assertThat(waiting).isNotDone();
    ticker.advance(S);
    assertThatThrownBy(waiting::join).cause().isInstanceOf(DeadlineExceededException.class)
        .hasMessage("q: the deadline passed while waiting");
    assertThat(seen).containsExactly(new QueueEvent.Enqueued("q", 3, 1, 1), new QueueEvent.Expired("q", 3, false));
    assertThat(overLimit.size()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void blockingAcquire_throwsTheQueuesOwnExceptions() throws Exception {
    AdmissionQueue<String> q = overThrottle(1, Overflow.REJECT);
    assertThat(q.acquire("k", 0, 1, null)).isSameAs(Permit.SPENT);
    assertThatThrownBy(() -> q.acquire("k", 0, 2, null)).isInstanceOf(CostExceedsCapacityException.class);
    assertThatThrownBy(() -> q.acquire("k", 0, 1, Duration.ofMillis(10))).isInstanceOf(DeadlineExceededException.class);
    CompletableFuture<Permit> queued = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    assertThatThrownBy(() -> q.acquire("k", 0, 1, null)).isInstanceOf(QueueFullException.class);
    queued.cancel(false);
    assertThat(q.size()).isZero();
  }

  @Test
  void blockingAcquire_interruptedWhileWaiting_leavesTheQueue() throws Exception {
    AdmissionQueue<String> q = overThrottle(4, Overflow.REJECT);
    assertThat(q.tryAcquire("k", 1)).isPresent();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Object> got = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        got.set(q.acquire("k", 0, 1, null));
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    while (q.size() == 0) {
      Thread.onSpinWait(); // hand-shake: queued
    }
    t.interrupt();
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(got.get()).isNull();
    assertThat(q.size()).isZero();
  }
}
