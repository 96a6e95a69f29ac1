package io.throttlenet.multidim;

import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Ticker;

/**
 * A {@link ManualTicker} seen through a caller that can be descheduled between reading the clock
 * and using the reading: {@link #staleOnce} makes the next read return an older reading, as the
 * thread that took it would present it after time moved on. Waits go to the manual ticker.
 */
final class StaleTicker implements Ticker {
  final ManualTicker manual;
  private long staleReading;
  private boolean stale;

  StaleTicker(ManualTicker manual) {
    this.manual = manual;
  }

  /** The next {@link #read()} returns {@code reading} instead of the current time. */
  synchronized void staleOnce(long reading) {
    staleReading = reading;
    stale = true;
  }

  @Override
  public synchronized long read() {
    if (stale) {
      stale = false;
      return staleReading;
    }
    return manual.read();
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
