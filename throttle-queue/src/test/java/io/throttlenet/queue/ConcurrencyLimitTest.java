package io.throttlenet.queue;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private ConcurrencyLimit limit(int n) {
    return ConcurrencyLimit.builder().limit(n).ticker(ticker).events(events).build();
  }

  @Test
  void atMostLimitInFlight_andAReleaseFreesASlot() {
    ConcurrencyLimit c = limit(2);
    Optional<Permit> a = c.tryAcquire();
    Optional<Permit> b = c.tryAcquire();
    assertThat(a).isPresent();
    assertThat(b).isPresent();
    assertThat(c.tryAcquire()).isEmpty();
    assertThat(c.inFlight()).isEqualTo(2);
    a.get().success();
    a.get().success(); // a second report gives nothing back
    assertThat(c.inFlight()).isEqualTo(1);
    assertThat(c.tryAcquire()).isPresent();
  }

  @Test
  void waiters_areServedInArrivalOrder_andNewcomersCannotBargeIn() {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> first = c.acquireAsync().toCompletableFuture();
    CompletableFuture<Permit> second = c.acquireAsync().toCompletableFuture();
    held.success();
    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    assertThat(c.tryAcquire()).isEmpty(); // the queue is not empty: no barging
    first.join().close();
    assertThat(second).isCompleted();
  }

  @Test
  void tryAcquireWithMaxWait_timesOutUnderTheManualTicker() throws Exception {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    AtomicReference<Optional<Permit>> got = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        got.set(c.tryAcquire(Duration.ofSeconds(5)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    while (c.waiting() == 0) {
      Thread.onSpinWait(); // hand-shake: the waiter has queued
    }
    ticker.advance(Duration.ofSeconds(5).minusNanos(1));
    assertThat(c.waiting()).isEqualTo(1);
    ticker.advance(1);
    t.join(30_000);
    assertThat(got.get()).isEmpty();
    assertThat(c.waiting()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void interruptedWaiter_leavesTheQueue() throws Exception {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        c.acquire();
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    while (c.waiting() == 0) {
      Thread.onSpinWait();
    }
    t.interrupt();
    t.join(30_000);
    assertThat(failure.get()).isInstanceOf(InterruptedException.class);
    assertThat(c.waiting()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void cancelledAsyncWaiter_leavesTheQueue_andTheNextOneIsServed() {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> cancelled = c.acquireAsync().toCompletableFuture();
    CompletableFuture<Permit> next = c.acquireAsync().toCompletableFuture();
    cancelled.cancel(false);
    assertThat(c.waiting()).isEqualTo(1);
    held.success();
    assertThat(next).isCompleted();
    assertThat(c.inFlight()).isEqualTo(1);
  }

  @Test
  void setLimit_raisedAdmitsWaiters_loweredDrainsFirst() {
    ConcurrencyLimit c = limit(1);
    Permit p1 = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> w1 = c.acquireAsync().toCompletableFuture();
    CompletableFuture<Permit> w2 = c.acquireAsync().toCompletableFuture();
    c.setLimit(3);
    assertThat(w1).isCompleted();
    assertThat(w2).isCompleted();
    c.setLimit(1);
    p1.success();
    w1.join().success();
    assertThat(c.tryAcquire()).isEmpty(); // still one in flight, at the new limit of 1
    w2.join().success();
    assertThat(c.tryAcquire()).isPresent();
  }

  @Test
  void releases_reportOutcomeAndLatency() {
    List<ConcurrencyEvent> seen = new ArrayList<>();
    events.subscribe(ConcurrencyEvent.class, seen::add);
    ConcurrencyLimit c = limit(2);
    Permit p = c.tryAcquire().orElseThrow();
    ticker.advance(Duration.ofMillis(40));
    p.dropped();
    c.setLimit(1);
    assertThat(seen)
        .containsExactly(
            new ConcurrencyEvent.Released(c.name(), Outcome.DROPPED, Duration.ofMillis(40), 0, 2),
            new ConcurrencyEvent.LimitChanged(c.name(), 2, 1));
  }

  @Test
  void decorate_releasesOnSuccessAndOnFailure() throws Exception {
    ConcurrencyLimit c =
        ConcurrencyLimit.builder().limit(1).ticker(ticker).classify(t -> Outcome.DROPPED).build();
    assertThat(c.decorate(() -> 7).get()).isEqualTo(7);
    assertThat(c.inFlight()).isZero();
    assertThatThrownBy(() -> c.decorate(() -> { throw new IOException("503"); }).get())
        .isInstanceOf(IOException.class);
    assertThat(c.inFlight()).isZero();
    CompletableFuture<Integer> async =
        c.decorateAsync(() -> CompletableFuture.completedFuture(9)).get().toCompletableFuture();
    assertThat(async).isCompletedWithValue(9);
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> ConcurrencyLimit.of(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be >= 1, was 0");
    assertThatThrownBy(() -> ConcurrencyLimit.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("limit must be set");
    assertThatThrownBy(() -> limit(1).setLimit(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be >= 1, was -1");
  }

  @Test
  void decorateAsync_cancelledWhileQueued_leavesTheQueueAndLeaksNoSlot() {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<String> out =
        c.decorateAsync(() -> CompletableFuture.completedFuture("x")).get().toCompletableFuture();
    assertThat(c.waiting()).isEqualTo(1);
    out.cancel(false);
    assertThat(c.waiting()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void throwingClassifier_stillReleasesTheSlotAndKeepsTheCallsException() {
    ConcurrencyLimit c =
        ConcurrencyLimit.builder()
            .limit(1)
            .ticker(ticker)
            .classify(t -> {
              throw new IllegalStateException("classifier bug");
            })
            .build();
    assertThatThrownBy(() -> c.decorate(() -> { throw new IOException("call failed"); }).get())
        .isInstanceOf(IOException.class)
        .hasMessage("call failed")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void acquireAsync_completedByTheCallerItself_neverLeaksTheSlot() {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> view = c.acquireAsync().toCompletableFuture();
    view.complete(null); // a careless caller
    assertThat(c.waiting()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
    assertThat(c.tryAcquire()).isPresent();
  }
}
