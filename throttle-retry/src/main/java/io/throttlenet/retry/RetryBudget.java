package io.throttlenet.retry;

import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cap on retries shared by every {@link Retry} that uses it, so that an outage cannot multiply
 * the traffic sent to a struggling service.
 *
 * <h2>Model</h2>
 *
 * Over a sliding window (default 10 s, kept as ten buckets), the budget counts first attempts
 * ("calls") and retries. A retry is allowed while the retries in the window stay at or below
 * {@code max(ratio × calls, minPerSecond × window seconds)}: with the defaults, retries add at
 * most 20 % to the traffic, yet a quiet client can still retry a few times per second. Retries
 * that were refused are not counted; calls are counted when they start.
 *
 * <pre>{@code
 * RetryBudget budget = RetryBudget.builder().ratio(0.2).minPerSecond(10).build();
 * Retry retry = Retry.builder().backoff(Backoff.ofDefaults()).maxAttempts(5).budget(budget).build();
 * }</pre>
 *
 * <p>Thread-safe: a short lock guards the counters (never held while anyone waits).
 */
public final class RetryBudget {
  private static final int BUCKETS = 10;

  private final double ratio;
  private final double minPerSecond;
  private final long windowNanos;
  private final long bucketNanos;
  private final Ticker ticker;
  private final long origin;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock: per bucket, its absolute number and counts
  private final long[] bucketNumber = new long[BUCKETS];
  private final long[] calls = new long[BUCKETS];
  private final long[] retries = new long[BUCKETS];

  private RetryBudget(double ratio, double minPerSecond, long windowNanos, Ticker ticker) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.windowNanos = windowNanos;
    this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    this.ticker = ticker;
    this.origin = ticker.read();
    java.util.Arrays.fill(bucketNumber, -1);
  }

  /** A builder; the defaults are ratio 0.2, 10 retries per second minimum, a 10 s window. */
  public static Builder builder() {
    return new Builder();
  }

  /** Counts a call's first attempt. */
  public void recordCall() {
    lock.lock();
    try {
      calls[slot(ticker.read())]++;
    } finally {
      lock.unlock();
    }
  }

  /** Takes one retry from the budget if it allows one now; never waits. */
  public boolean tryRetry() {
    lock.lock();
    try {
      int slot = slot(ticker.read());
      long c = 0;
      long r = 0;
      long current = bucketNumber[slot];
      for (int i = 0; i < BUCKETS; i++) {
        if (current - bucketNumber[i] < BUCKETS && bucketNumber[i] >= 0) {
          c += calls[i];
          r += retries[i];
        }
      }
      double allowed = Math.max(ratio * c, minPerSecond * windowNanos / 1e9);
      if (r + 1 > allowed) {
        return false;
      }
      retries[slot]++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The fraction of calls that may be retried. */
  public double ratio() {
    return ratio;
  }

  private int slot(long now) {
    long number = Math.floorDiv(now - origin, bucketNanos);
    int slot = (int) Math.floorMod(number, (long) BUCKETS);
    if (bucketNumber[slot] != number) {
      bucketNumber[slot] = number;
      calls[slot] = 0;
      retries[slot] = 0;
    }
    return slot;
  }

  /** Builds a {@link RetryBudget}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private double ratio = -1;
    private double minPerSecond = -1;
    private Duration window;
    private Ticker ticker;

    private Builder() {}

    /**
     * The fraction of calls that may be retried (0.2 = at most 20 % more traffic); default 0.2.
     *
     * @throws IllegalArgumentException if negative, NaN or infinite
     */
    public Builder ratio(double ratio) {
      io.throttlenet.core.internal.Args.requireUnset(this.ratio >= 0, "ratio");
      if (!(ratio >= 0) || Double.isInfinite(ratio)) {
        throw new IllegalArgumentException("ratio must be a finite number >= 0, was " + ratio);
      }
      this.ratio = ratio;
      return this;
    }

    /**
     * Retries per second allowed whatever the traffic; default 10.
     *
     * @throws IllegalArgumentException if negative, NaN or infinite
     */
    public Builder minPerSecond(double minPerSecond) {
      Args.requireUnset(this.minPerSecond >= 0, "minPerSecond");
      if (!(minPerSecond >= 0) || Double.isInfinite(minPerSecond)) {
        throw new IllegalArgumentException("minPerSecond must be a finite number >= 0, was " + minPerSecond);
      }
      this.minPerSecond = minPerSecond;
      return this;
    }

    /**
     * The window over which calls and retries are counted; default 10 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder window(Duration window) {
      Args.requireUnset(this.window != null, "window");
      Args.requirePositiveNanos(window, "window");
      this.window = window;
      return this;
    }

    /** The time source; defaults to {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      Args.requireUnset(this.ticker != null, "ticker");
      this.ticker = Args.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Builds the budget. */
    public RetryBudget build() {
      return new RetryBudget(
          ratio >= 0 ? ratio : 0.2,
          minPerSecond >= 0 ? minPerSecond : 10,
          Args.saturatedNanos(window != null ? window : Duration.ofSeconds(10)),
          ticker != null ? ticker : Ticker.system());
    }
  }
}
