package io.throttlenet.breaker;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A condition that opens a closed {@link CircuitBreaker}. Several may be given; any one trips it.
 * Counting starts afresh each time the breaker closes.
 *
 * <ul>
 *   <li>{@link #consecutive(int)}: that many failures in a row (a success resets the count);
 *   <li>{@link #failureRate(double, int, int)}: the failure rate over the last calls;
 *   <li>{@link #failuresWithin(int, Duration)} and {@link #failureRateWithin(double, Duration, int)}:
 *       failures or their rate in a sliding time window (ten buckets, O(1) per call), so old
 *       failures age out;
 *   <li>{@link #slowCallRate(Duration, double, int, int)}: the rate of calls slower than a threshold.
 * </ul>
 *
 * <p>Immutable and thread-safe; the counters it creates for each closed period are thread-safe.
 */
public final class Trip {
  /**
   * The most calls a count-based trip ({@link #failureRate}, {@link #slowCallRate}) remembers.
   * Each breaker keeps one flag per remembered call, allocated when it closes, so an absurd count
   * would fail at build time with an {@link OutOfMemoryError}; a million calls is far beyond any
   * useful rate statistic and costs about a megabyte per breaker.
   */
  public static final int MAX_LAST_CALLS = 1_000_000;

  private enum Kind {
    CONSECUTIVE,
    RATE,
    COUNT_WITHIN,
    RATE_WITHIN,
    SLOW_RATE
  }

  private final Kind kind;
  private final int count;
  private final double rate;
  private final int minimumCalls;
  private final long windowNanos;
  private final long slowNanos;
  private final String text;

  private Trip(Kind kind, int count, double rate, int minimumCalls, long windowNanos, long slowNanos, String text) {
    this.kind = kind;
    this.count = count;
    this.rate = rate;
    this.minimumCalls = minimumCalls;
    this.windowNanos = windowNanos;
    this.slowNanos = slowNanos;
    this.text = text;
  }

  /**
   * Trips after {@code failures} failures in a row.
   *
   * @throws IllegalArgumentException if less than 1
   */
  public static Trip consecutive(int failures) {
    Args.requireAtLeastOne(failures, "failures");
    return new Trip(Kind.CONSECUTIVE, failures, 0, 0, 0, 0, failures + " consecutive failures");
  }

  /**
   * Trips when at least {@code rate} of the last {@code lastCalls} calls failed, once at least
   * {@code minimumCalls} calls were seen.
   *
   * @throws IllegalArgumentException if {@code rate} is not in (0, 1], or a count is below 1, or
   *     {@code lastCalls > }{@link #MAX_LAST_CALLS}, or {@code minimumCalls > lastCalls}
   */
  public static Trip failureRate(double rate, int lastCalls, int minimumCalls) {
    requireRate(rate);
    requireLastCalls(lastCalls);
    requireMinimum(minimumCalls, lastCalls);
    return new Trip(Kind.RATE, lastCalls, rate, minimumCalls, 0, 0,
        "failure rate " + rate + " over the last " + lastCalls + " calls");
  }

  /**
   * Trips after {@code failures} failures within any {@code window}.
   *
   * @throws IllegalArgumentException if {@code failures < 1} or the window is not positive
   */
  public static Trip failuresWithin(int failures, Duration window) {
    Args.requireAtLeastOne(failures, "failures");
    long w = Args.requirePositiveNanos(window, "window");
    return new Trip(Kind.COUNT_WITHIN, failures, 0, 0, w, 0, failures + " failures within " + window);
  }

  /**
   * Trips when at least {@code rate} of the calls within the last {@code window} failed, once at
   * least {@code minimumCalls} calls were seen in it.
   *
   * @throws IllegalArgumentException if {@code rate} is not in (0, 1], the window is not positive
   *     or {@code minimumCalls < 1}
   */
  public static Trip failureRateWithin(double rate, Duration window, int minimumCalls) {
    requireRate(rate);
    long w = Args.requirePositiveNanos(window, "window");
    Args.requireAtLeastOne(minimumCalls, "minimumCalls");
    return new Trip(Kind.RATE_WITHIN, 0, rate, minimumCalls, w, 0, "failure rate " + rate + " within " + window);
  }

  /**
   * Trips when at least {@code rate} of the last {@code lastCalls} calls took longer than {@code
   * slowerThan} (successful or not), once at least {@code minimumCalls} were seen.
   *
   * @throws IllegalArgumentException if an argument is out of range: {@code slowerThan} not
   *     positive, {@code rate} not in (0, 1], a count below 1, {@code lastCalls > }{@link
   *     #MAX_LAST_CALLS} or {@code minimumCalls > lastCalls}
   */
  public static Trip slowCallRate(Duration slowerThan, double rate, int lastCalls, int minimumCalls) {
    long slow = Args.requirePositiveNanos(slowerThan, "slowerThan");
    requireRate(rate);
    requireLastCalls(lastCalls);
    requireMinimum(minimumCalls, lastCalls);
    return new Trip(Kind.SLOW_RATE, lastCalls, rate, minimumCalls, 0, slow,
        "slow-call rate " + rate + " (slower than " + slowerThan + ") over the last " + lastCalls + " calls");
  }

  long slowNanos() {
    return slowNanos;
  }

  /** Whether counting needs the time of each outcome or its duration. */
  boolean isTimed() {
    return kind == Kind.COUNT_WITHIN || kind == Kind.RATE_WITHIN || kind == Kind.SLOW_RATE;
  }

  @Override
  public String toString() {
    return text;
  }

  /** A fresh counter for one closed period. */
  Counter newCounter() {
    switch (kind) {
      case CONSECUTIVE:
        return new Consecutive();
      case RATE:
      case SLOW_RATE:
        return new LastCalls();
      default:
        return new Window();
    }
  }

  /** Counts one closed period's outcomes; thread-safe. */
  abstract static class Counter {
    /** Records an outcome; true if the condition is now met. */
    abstract boolean record(boolean failure, long durationNanos, long now);
  }

  private final class Consecutive extends Counter {
    private final AtomicInteger failures = new AtomicInteger();

    @Override
    boolean record(boolean failure, long durationNanos, long now) {
      if (!failure) {
        if (failures.get() != 0) {
          failures.set(0); // no write (and no cache-line traffic) while all is well
        }
        return false;
      }
      return failures.incrementAndGet() >= count;
    }
  }

  /** The last {@code count} calls in a ring; "bad" is a failure, or a slow call for SLOW_RATE. */
  private final class LastCalls extends Counter {
    private final ReentrantLock lock = new ReentrantLock();
    private final boolean[] bad = new boolean[count];
    private int next;
    private int seen;
    private int badCount;

    @Override
    boolean record(boolean failure, long durationNanos, long now) {
      boolean isBad = kind == Kind.SLOW_RATE ? durationNanos > slowNanos : failure;
      lock.lock();
      try {
        if (seen == count && bad[next]) {
          badCount--;
        }
        bad[next] = isBad;
        if (isBad) {
          badCount++;
        }
        next = (next + 1) % count;
        seen = Math.min(seen + 1, count);
        return seen >= minimumCalls && badCount >= rate * seen;
      } finally {
        lock.unlock();
      }
    }
  }

  /** A sliding time window kept as ten buckets. */
  private final class Window extends Counter {
    private static final int BUCKETS = 10;
    private final ReentrantLock lock = new ReentrantLock();
    private final long bucketNanos = Math.max(1, windowNanos / BUCKETS);
    private final long[] number = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    private boolean started;
    private long origin;

    @Override
    boolean record(boolean failure, long durationNanos, long now) {
      lock.lock();
      try {
        if (!started) {
          started = true;
          origin = now;
          java.util.Arrays.fill(number, Long.MIN_VALUE); // no bucket yet
        }
        long n = Math.floorDiv(now - origin, bucketNanos);
        int slot = (int) Math.floorMod(n, (long) BUCKETS);
        if (number[slot] != n) {
          number[slot] = n;
          calls[slot] = 0;
          failures[slot] = 0;
        }
        calls[slot]++;
        if (failure) {
          failures[slot]++;
        }
        long c = 0;
        long f = 0;
        for (int i = 0; i < BUCKETS; i++) {
          if (number[i] != Long.MIN_VALUE && n - number[i] < BUCKETS) {
            c += calls[i];
            f += failures[i];
          }
        }
        if (kind == Kind.COUNT_WITHIN) {
          return f >= count;
        }
        return c >= minimumCalls && f >= rate * c;
      } finally {
        lock.unlock();
      }
    }
  }

  private static void requireRate(double rate) {
    if (!(rate > 0 && rate <= 1)) {
      throw new IllegalArgumentException("rate must be in (0, 1], was " + rate);
    }
  }

  private static void requireLastCalls(int lastCalls) {
    Args.requireAtLeastOne(lastCalls, "lastCalls");
    if (lastCalls > MAX_LAST_CALLS) {
      throw new IllegalArgumentException(
          "lastCalls must be <= " + MAX_LAST_CALLS + ", was " + lastCalls);
    }
  }

  private static void requireMinimum(int minimumCalls, int lastCalls) {
    Args.requireAtLeastOne(minimumCalls, "minimumCalls");
    if (minimumCalls > lastCalls) {
      throw new IllegalArgumentException(
          "minimumCalls must be <= lastCalls (" + lastCalls + "), was " + minimumCalls);
    }
  }
}
