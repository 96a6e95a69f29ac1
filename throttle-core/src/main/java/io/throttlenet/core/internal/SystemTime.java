package io.throttlenet.core.internal;

import io.throttlenet.core.Ticker;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The system implementation behind {@link Ticker}'s defaults.
 *
 * <p>Blocking waits park in a loop and re-read the ticker, because {@code parkNanos} may return
 * early (spuriously, or on unpark). Asynchronous waits use one lazily started daemon thread whose
 * only job is to hand due tasks to the common pool: user continuations attached to a completed
 * future then never run on, or stall, the timer. Cancelled timers are removed from the queue at
 * once, so abandoned waits do not pile up.
 *
 * <p>Not part of the public API.
 */
public final class SystemTime {
  private SystemTime() {}

  public static final Ticker TICKER = new SystemTicker();

  private static final class SystemTicker implements Ticker {
    @Override
    public long read() {
      return System.nanoTime();
    }

    @Override
    public String toString() {
      return "Ticker.system()";
    }
  }

  public static void parkUntil(Ticker ticker, long deadline) throws InterruptedException {
    for (;;) {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        return;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(remaining);
    }
  }

  public static Ticker.Scheduled schedule(Ticker ticker, long deadline, Runnable task) {
    Args.requireNonNull(task, "task");
    TimerTask timerTask = new TimerTask(ticker, deadline, task);
    timerTask.arm();
    return timerTask;
  }

  /** A task that re-arms itself until the ticker (which may not be the system one) says it is due. */
  private static final class TimerTask extends AtomicInteger implements Runnable, Ticker.Scheduled {
    private static final long serialVersionUID = 1L;
    private static final int PENDING = 0;
    private static final int STARTED = 1;
    private static final int CANCELLED = 2;

    private final transient Ticker ticker;
    private final long deadline;
    private final transient Runnable task;
    private transient volatile ScheduledFuture<?> pending;

    TimerTask(Ticker ticker, long deadline, Runnable task) {
      this.ticker = ticker;
      this.deadline = deadline;
      this.task = task;
    }

    void arm() {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        ForkJoinPool.commonPool().execute(this::runTask);
        return;
      }
      pending = Timer.EXECUTOR.schedule(this, remaining, TimeUnit.NANOSECONDS);
      if (get() == CANCELLED) {
        pending.cancel(false);
      }
    }

    @Override
    public void run() {
      if (get() == PENDING) {
        arm();
      }
    }

    private void runTask() {
      if (compareAndSet(PENDING, STARTED)) {
        task.run();
      }
    }

    @Override
    public boolean cancel() {
      if (!compareAndSet(PENDING, CANCELLED)) {
        return false;
      }
      ScheduledFuture<?> f = pending;
      if (f != null) {
        f.cancel(false);
      }
      return true;
    }
  }

  /** Holder idiom: the timer thread starts only when something first waits asynchronously. */
  private static final class Timer {
    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "throttle-net-timer");
                t.setDaemon(true);
                return t;
              });
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }
}
