package io.throttlenet.reactor;

import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A {@link Ticker} over a Reactor {@link Scheduler}: time is {@link Scheduler#now(TimeUnit)}, and
 * the waits of every component built with it (a limiter's scheduled grant, a retry's backoff, a
 * queue's deadline) are tasks on that scheduler. Over a {@code VirtualTimeScheduler} (what
 * {@code StepVerifier.withVirtualTime} installs), virtual time drives them all, so a test of a
 * one-minute backoff takes no time:
 *
 * <pre>{@code
 * StepVerifier.withVirtualTime(() -> {
 *       Retry retry = Retry.builder()
 *           .backoff(Backoff.fixed(Duration.ofMinutes(1)))
 *           .ticker(SchedulerTicker.of(Schedulers.parallel()))   // the virtual-time scheduler here
 *           .build();
 *       return flaky.transformDeferred(ReactorThrottling.retry(retry));
 *     })
 *     .thenAwait(Duration.ofMinutes(1))
 *     .expectNext("ok")
 *     .verifyComplete();
 * }</pre>
 *
 * A blocking wait ({@link #sleepUntil}, used only by the components' blocking verbs) parks the
 * calling thread until a task on the scheduler wakes it; never call those on a Reactor thread.
 * Thread-safe.
 */
public final class SchedulerTicker implements Ticker {
  private static final int PENDING = 0;
  private static final int RUN = 1;
  private static final int CANCELLED = 2;

  private final Scheduler scheduler;

  private SchedulerTicker(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** A ticker reading and waiting on {@code scheduler}. */
  public static SchedulerTicker of(Scheduler scheduler) {
    return new SchedulerTicker(Args.requireNonNull(scheduler, "scheduler"));
  }

  /** The scheduler this ticker reads and waits on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The scheduler's clock, {@link Scheduler#now(TimeUnit)}, in nanoseconds. */
  @Override
  public long read() {
    return scheduler.now(TimeUnit.NANOSECONDS);
  }

  /**
   * Runs {@code task} on the scheduler once its clock has reached {@code deadline} (at once if it
   * has).
   */
  @Override
  public Scheduled schedule(long deadline, Runnable task) {
    Args.requireNonNull(task, "task");
    AtomicInteger state = new AtomicInteger(PENDING);
    Runnable once = () -> {
      if (state.compareAndSet(PENDING, RUN)) {
        task.run();
      }
    };
    long delay = deadline - read();
    Disposable d = delay > 0 ? scheduler.schedule(once, delay, TimeUnit.NANOSECONDS) : scheduler.schedule(once);
    return () -> {
      boolean stopped = state.compareAndSet(PENDING, CANCELLED);
      if (stopped) {
        d.dispose();
      }
      return stopped;
    };
  }

  /** Parks the calling thread until a task on the scheduler finds {@code deadline} reached. */
  @Override
  public void sleepUntil(long deadline) throws InterruptedException {
    while (read() - deadline < 0) {
      CountDownLatch woken = new CountDownLatch(1);
      Scheduled wake = schedule(deadline, woken::countDown);
      try {
        woken.await();
      } finally {
        wake.cancel();
      }
    }
  }

  @Override
  public String toString() {
    return "SchedulerTicker[" + scheduler + "]";
  }
}
