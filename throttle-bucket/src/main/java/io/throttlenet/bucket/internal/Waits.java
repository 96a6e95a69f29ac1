package io.throttlenet.bucket.internal;

import io.throttlenet.core.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How composites wait: they book no future time, so a waiter sleeps until the moment it is
 * predicted to fit, tries again atomically, and repeats if someone else took the capacity in the
 * meantime. Not part of the public API.
 */
public final class Waits {
  /**
   * The longest wait a composite accepts, even from a caller willing to wait forever: about 18
   * years. A longer predicted wait comes only from an absurd overdraft (a part in debt for
   * decades), and parking for it would look like a hang; {@link io.throttlenet.bucket.Throttle}
   * likewise refuses to book beyond about 36 years. Such a caller fails at once instead.
   */
  public static final long LONGEST_WAIT_NANOS = 1L << 59;

  private Waits() {}

  /** True if a caller that accepts {@code maxWaitNanos} in all must give up on {@code wait}. */
  public static boolean tooLong(long wait, long maxWaitNanos, long waitedNanos) {
    return wait > LONGEST_WAIT_NANOS || wait > maxWaitNanos - waitedNanos;
  }

  /** One caller's attempts; created only once a caller has to wait. */
  public interface Attempt {
    /** Charges everything if it fits at {@code now} and returns 0; otherwise the wait. */
    long tryAt(long now);

    /** The wait {@link #tryAt} would answer at {@code now}, charging nothing. */
    long peek(long now);

    /** Gives back a grant made at {@code at} that nobody will use (cancelled at that instant). */
    void undo(long at);

    /** Called once when granted, with the time waited. */
    void granted(long waitedNanos);

    /** Called once when giving up; returns the failure for the caller. */
    RuntimeException gaveUp(long waitNanos, long maxWaitNanos);
  }

  /**
   * Blocks until granted or until {@code maxWaitNanos} would be exceeded.
   *
   * @return true if granted
   * @throws InterruptedException if interrupted while sleeping (nothing is held meanwhile)
   */
  public static boolean await(Ticker ticker, Attempt attempt, long start, long firstWait, long maxWaitNanos)
      throws InterruptedException {
    return await(ticker, attempt, start, firstWait, maxWaitNanos, false);
  }

  /**
   * Like {@link #await(Ticker, Attempt, long, long, long)}, but a caller that gives up gets the
   * attempt's rejection thrown ({@code acquire} has no {@code false} to answer with).
   */
  public static void awaitOrThrow(Ticker ticker, Attempt attempt, long start, long firstWait, long maxWaitNanos)
      throws InterruptedException {
    await(ticker, attempt, start, firstWait, maxWaitNanos, true);
  }

  private static boolean await(
      Ticker ticker, Attempt attempt, long start, long firstWait, long maxWaitNanos, boolean orThrow)
      throws InterruptedException {
    long wait = firstWait;
    for (long now = start; ; ) {
      if (wait == 0) {
        attempt.granted(now - start);
        return true;
      }
      if (tooLong(wait, maxWaitNanos, now - start)) {
        RuntimeException rejection = attempt.gaveUp(wait, maxWaitNanos);
        if (orThrow) {
          throw rejection;
        }
        return false;
      }
      ticker.sleepUntil(now + wait);
      now = ticker.read();
      wait = attempt.tryAt(now);
    }
  }

  /**
   * Re-tries on the ticker's scheduler until granted or until {@code maxWaitNanos} would be
   * exceeded; holds no thread meanwhile. Cancelling the returned stage stops the attempts.
   */
  public static CompletionStage<Void> async(
      Ticker ticker, Attempt attempt, long start, long firstWait, long maxWaitNanos) {
    AsyncWaiter waiter = new AsyncWaiter(ticker, attempt, start, maxWaitNanos);
    if (tooLong(firstWait, maxWaitNanos, 0)) {
      waiter.future.completeExceptionally(attempt.gaveUp(firstWait, maxWaitNanos));
      return waiter.future;
    }
    waiter.schedule(start + firstWait);
    return waiter.future;
  }

  private static final class AsyncWaiter implements Runnable {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    final Ticker ticker;
    final Attempt attempt;
    final long start;
    final long maxWaitNanos;
    volatile Ticker.Scheduled timer;

    AsyncWaiter(Ticker ticker, Attempt attempt, long start, long maxWaitNanos) {
      this.ticker = ticker;
      this.attempt = attempt;
      this.start = start;
      this.maxWaitNanos = maxWaitNanos;
      future.whenComplete(
          (ignored, failure) -> {
            Ticker.Scheduled t = timer;
            if (failure != null && t != null) {
              t.cancel();
            }
          });
    }

    void schedule(long at) {
      timer = ticker.schedule(at, this);
      if (future.isDone()) {
        timer.cancel();
      }
    }

    @Override
    public void run() {
      if (future.isDone()) {
        return;
      }
      try {
        long now = ticker.read();
        long wait = attempt.tryAt(now);
        if (wait == 0) {
          if (future.complete(null)) {
            attempt.granted(now - start);
          } else {
            attempt.undo(now); // cancelled at the very instant of the grant
          }
          return;
        }
        if (tooLong(wait, maxWaitNanos, now - start)) {
          future.completeExceptionally(attempt.gaveUp(wait, maxWaitNanos));
          return;
        }
        schedule(now + wait);
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(e); // never leave the caller waiting forever
      }
    }
  }
}
