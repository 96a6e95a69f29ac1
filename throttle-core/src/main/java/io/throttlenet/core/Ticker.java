package io.throttlenet.core;

import io.throttlenet.core.internal.SystemTime;

/**
 * The one source of time and the one way to wait, injected into every component.
 *
 * <p>{@link #read()} returns monotonic nanoseconds from an arbitrary origin that may be negative
 * and may wrap: compare two readings only by subtraction ({@code a - b > 0}), never with
 * {@code <}. Waiting goes through the same seam ({@link #sleepUntil} for blocking callers,
 * {@link #schedule} for asynchronous ones), so a {@link ManualTicker} drives accounting, blocked
 * threads and pending futures alike and no test of timing ever sleeps.
 *
 * <p>Implementations must be thread-safe. A custom ticker that only implements {@link #read()}
 * inherits waits that park the thread and a shared timer, both re-checking {@link #read()} so they
 * never return early by that ticker's reckoning.
 */
@FunctionalInterface
public interface Ticker {

  /** The current time in nanoseconds; only differences between readings are meaningful. */
  long read();

  /**
   * Blocks the calling thread until {@link #read()} has reached {@code deadline} (that is, until
   * {@code read() - deadline >= 0}). Parks, so it holds no monitor and suits virtual threads.
   * Returns at once if the deadline has already passed, whatever the interrupt status.
   *
   * @throws InterruptedException if the thread is interrupted before the deadline; the interrupt
   *     status is cleared, as usual for methods that throw it
   */
  default void sleepUntil(long deadline) throws InterruptedException {
    SystemTime.parkUntil(this, deadline);
  }

  /**
   * Runs {@code task} once, at or after {@code deadline}, without holding a thread in the meantime.
   * The default runs due tasks on {@link java.util.concurrent.ForkJoinPool#commonPool()}, never on
   * the timer thread itself, so slow tasks cannot delay other timers.
   *
   * @return a handle that cancels the task if it has not started yet
   */
  default Scheduled schedule(long deadline, Runnable task) {
    return SystemTime.schedule(this, deadline, task);
  }

  /** The system ticker: {@link System#nanoTime()}, parking waits and a shared daemon timer. */
  static Ticker system() {
    return SystemTime.TICKER;
  }

  /** A task scheduled with {@link #schedule}. Thread-safe. */
  @FunctionalInterface
  interface Scheduled {
    /**
     * Prevents the task from running if it has not started yet.
     *
     * @return true if this call stopped the task
     */
    boolean cancel();
  }
}
