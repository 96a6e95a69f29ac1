package io.throttlenet.bucket;

import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Ticker;
import java.util.function.Predicate;

/**
 * A {@link ManualTicker} seen through a caller that can be descheduled between reading the clock
 * and using the reading: {@link #staleOnce} makes the next read return an older reading, as the
 * thread that took it would present it after time moved on; {@link #afterNextRead} runs what
 * other threads do in that gap, on the reading thread, after the reading is taken; {@link
 * #failNextRead} stands for a clock that fails. Waits go to the manual ticker.
 */
final class StaleTicker implements Ticker {
  final ManualTicker manual;
  private long staleReading;
  private boolean stale;
  private Runnable afterRead;
  private Predicate<Class<?>> afterReadBy;
  private RuntimeException failure;

  StaleTicker(ManualTicker manual) {
    this.manual = manual;
  }

  /** The next {@link #read()} returns {@code reading} instead of the current time. */
  synchronized void staleOnce(long reading) {
    staleReading = reading;
    stale = true;
  }

  /**
   * Runs {@code gap} right after the next read, before the reader uses its reading: what other
   * threads did while the reader was descheduled.
   */
  void afterNextRead(Runnable gap) {
    afterNextReadBy(c -> true, gap);
  }

  /**
   * Like {@link #afterNextRead}, for the next read made directly by a class that {@code reader}
   * accepts (so that reads a cache makes for its own bookkeeping do not count).
   */
  synchronized void afterNextReadBy(Predicate<Class<?>> reader, Runnable gap) {
    afterReadBy = reader;
    afterRead = gap;
  }

  /** The next read throws {@code e}, as a broken clock would. */
  synchronized void failNextRead(RuntimeException e) {
    failure = e;
  }

  @Override
  public long read() {
    long reading;
    Runnable gap = null;
    synchronized (this) {
      if (failure != null) {
        RuntimeException e = failure;
        failure = null;
        throw e;
      }
      if (stale) {
        stale = false;
        reading = staleReading;
      } else {
        reading = manual.read();
      }
      if (afterRead != null && afterReadBy.test(caller())) {
        gap = afterRead;
        afterRead = null;
      }
    }
    if (gap != null) {
      gap.run(); // outside the lock: the gap may read this ticker too
    }
    return reading;
  }

  private static Class<?> caller() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
        .walk(frames -> frames.skip(2).findFirst().map(StackWalker.StackFrame::getDeclaringClass).orElse(Object.class));
  }

  @Override
  public void sleepUntil(long deadline) throws InterruptedException {
    manual.sleepUntil(deadline);
  }

  @Override
  public Scheduled schedule(long deadline, Runnable task) {
    return manual.schedule(deadline, task);
  }
}
