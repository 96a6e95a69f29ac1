package io.throttlenet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The system waiting seam. These tests never assert how long anything took; they check that a
 * wait never ends before the ticker says so, and that interrupts and cancellation work.
 */
class SystemTickerTest {

  @Test
  void sleepUntil_neverReturnsBeforeTheDeadlineByTheTickersReckoning() throws InterruptedException {
    Ticker ticker = Ticker.system();
    long deadline = ticker.read() + TimeUnit.MILLISECONDS.toNanos(2);
    ticker.sleepUntil(deadline);
    assertThat(ticker.read() - deadline).isGreaterThanOrEqualTo(0);
  }

  @Test
  void sleepUntil_customTicker_rechecksItsOwnReading() throws InterruptedException {
    AtomicLong reads = new AtomicLong();
    Ticker counting = reads::incrementAndGet; // advances one "ns" per reading
    counting.sleepUntil(50);
    assertThat(reads.get()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void sleepUntil_interruptedBeforeTheDeadline_throws() {
    Ticker ticker = Ticker.system();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> ticker.sleepUntil(ticker.read() + TimeUnit.HOURS.toNanos(1)))
          .isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void schedule_runsOffTheCallerAfterTheDeadline() throws Exception {
    Ticker ticker = Ticker.system();
    long deadline = ticker.read() + TimeUnit.MILLISECONDS.toNanos(1);
    CompletableFuture<Long> ranAt = new CompletableFuture<>();
    CompletableFuture<String> thread = new CompletableFuture<>();
    ticker.schedule(
        deadline,
        () -> {
          ranAt.complete(ticker.read());
          thread.complete(Thread.currentThread().getName());
        });
    assertThat(ranAt.get(30, TimeUnit.SECONDS) - deadline).isGreaterThanOrEqualTo(0);
    assertThat(thread.get()).isNotEqualTo("throttle-net-timer");
  }

  @Test
  void schedule_cancelled_neverRuns() throws Exception {
    Ticker ticker = Ticker.system();
    AtomicBoolean ran = new AtomicBoolean();
    Ticker.Scheduled s = ticker.schedule(ticker.read() + TimeUnit.HOURS.toNanos(1), () -> ran.set(true));
    assertThat(s.cancel()).isTrue();
    assertThat(s.cancel()).isFalse();
    // A later task on the same timer runs; the cancelled one still has not.
    CountDownLatch later = new CountDownLatch(1);
    ticker.schedule(ticker.read(), later::countDown);
    assertThat(later.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).isFalse();
  }
}
