package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ConcurrencyLimit}'s blocking waits, its events, and a queue over it. */
class ConcurrencyLimitPathsTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 500_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final List<ConcurrencyEvent> seen = new ArrayList<>();

  private ConcurrencyLimit limit(int n) {
    events.subscribe(ConcurrencyEvent.class, seen::add);
    return ConcurrencyLimit.builder().name("c").limit(n).ticker(ticker).events(events).build();
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  private static void awaitWaiting(ConcurrencyLimit c, int n) {
    while (c.waiting() < n) {
      Thread.onSpinWait(); // hand-shake: the waiter has queued
    }
  }

  @Test
  void acquire_waitsForAReleasedSlot() throws Exception {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    AtomicReference<Object> got = new AtomicReference<>();
    Thread t = start(() -> {
      try {
        got.set(c.acquire());
      } catch (Throwable e) {
        got.set(e);
      }
    });
    awaitWaiting(c, 1);
    held.success();
    t.join(30_000);
    assertThat(got.get()).isInstanceOf(Permit.class);
    assertThat(c.inFlight()).isEqualTo(1);
    ((Permit) got.get()).success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void tryAcquireWithMaxWait_grantsAFreeSlotAtOnce_andRefusesAtZero() throws Exception {
    ConcurrencyLimit c = limit(1);
    Optional<Permit> p = c.tryAcquire(Duration.ofSeconds(1));
    assertThat(p).isPresent();
    assertThat(c.tryAcquire(Duration.ZERO)).isEmpty();
    assertThat(c.tryAcquire()).isEmpty();
    assertThat(seen).filteredOn(ConcurrencyEvent.Rejected.class::isInstance).hasSize(2);
    p.get().success();
  }

  @Test
  void tryAcquireWithMaxWait_timedOut_wakesTheWaiterAndPublishesARejection() throws Exception {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    AtomicReference<Object> got = new AtomicReference<>();
    Thread t = start(() -> {
      try {
        got.set(c.tryAcquire(Duration.ofSeconds(1)));
      } catch (Throwable e) {
        got.set(e);
      }
    });
    awaitWaiting(c, 1);
    while (ticker.pendingTasks() == 0) {
      Thread.onSpinWait(); // hand-shake: the timeout is set
    }
    ticker.advance(Duration.ofSeconds(1));
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(got.get()).isEqualTo(Optional.empty());
    assertThat(seen).filteredOn(ConcurrencyEvent.Rejected.class::isInstance).singleElement()
        .isEqualTo(new ConcurrencyEvent.Rejected("c", 1));
    held.success();
  }

  @Test
  void setLimit_raised_completesAsyncWaiters_andPublishesTheChangeOnce() {
    ConcurrencyLimit c = limit(1);
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> waiter = c.acquireAsync().toCompletableFuture();
    c.setLimit(2);
    assertThat(waiter).isCompleted();
    assertThat(c.limit()).isEqualTo(2);
    c.setLimit(2);
    assertThat(seen).filteredOn(ConcurrencyEvent.LimitChanged.class::isInstance)
        .containsExactly(new ConcurrencyEvent.LimitChanged("c", 1, 2));
    held.success();
    waiter.join().success();
  }

  @Test
  void releasedEvents_carryTheLatency() throws Exception {
    ConcurrencyLimit c = limit(2);
    c.decorate(() -> {
      ticker.advance(Duration.ofMillis(250));
      return "ok";
    }).get();
    Permit p = c.acquireAsync().toCompletableFuture().join();
    ticker.advance(Duration.ofMillis(40));
    p.release(Outcome.DROPPED);
    assertThat(seen).filteredOn(ConcurrencyEvent.Released.class::isInstance)
        .extracting(e -> ((ConcurrencyEvent.Released) e).latency())
        .containsExactly(Duration.ofMillis(250), Duration.ofMillis(40));
  }

  @Test
  void aClassifierThatThrowsOrAnswersNull_countsTheFailureAsIgnored() {
    for (boolean throwing : new boolean[] {true, false}) {
      List<ConcurrencyEvent.Released> released = new ArrayList<>();
      EventRegistry registry = EventRegistry.create();
      registry.subscribe(ConcurrencyEvent.Released.class, released::add);
      ConcurrencyLimit c =
          ConcurrencyLimit.builder()
              .limit(1)
              .classify(t -> {
                if (throwing) {
                  throw new IllegalStateException("classifier bug");
                }
                return null;
              })
              .ticker(ticker)
              .events(registry)
              .build();
      IOException down = new IOException("down");
      try {
        c.decorate(() -> {
          throw down;
        }).get();
      } catch (Exception e) {
        assertThat(e).isSameAs(down);
      }
      assertThat(released).extracting(ConcurrencyEvent.Released::outcome).containsExactly(Outcome.IGNORED);
      assertThat(down.getSuppressed()).hasSize(1);
      assertThat(c.inFlight()).isZero();
    }
  }

  @Test
  void aQueueOverTheLimit_waitsBehindTheLimitsOwnWaiters() {
    ConcurrencyLimit c = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(c).events(events).build();
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> own = c.acquireAsync().toCompletableFuture();
    CompletableFuture<Permit> queued = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    held.success();
    assertThat(own).isCompleted();
    assertThat(queued).isNotDone();
    own.join().success();
    assertThat(queued).isCompleted();
    queued.join().success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void aQueueOverTheLimit_isServedWhenTheLimitIsRaised() {
    ConcurrencyLimit c = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(c).events(events).build();
    Permit held = c.tryAcquire().orElseThrow();
    CompletableFuture<Permit> queued = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    assertThat(queued).isNotDone();
    c.setLimit(2);
    assertThat(queued).isCompleted();
    held.success();
    queued.join().success();
  }

  @Test
  void factory_andAccessors() {
    ConcurrencyLimit c = ConcurrencyLimit.of(3);
    assertThat(c.limit()).isEqualTo(3);
    assertThat(c.name()).startsWith("concurrency-limit-");
    assertThat(c.tryAcquire()).isPresent();
    assertThat(c).hasToString("ConcurrencyLimit[" + c.name() + ", 1/3]");
  }
}
