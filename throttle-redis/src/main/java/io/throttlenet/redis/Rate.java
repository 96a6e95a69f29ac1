package io.throttlenet.redis;

import java.math.BigInteger;
import java.time.Duration;

/**
 * A bucket's parameters as the script uses them: nanoseconds per permit (rounded up, so the
 * effective rate never exceeds the configured one) and the tolerance, burst times that interval.
 * Immutable.
 */
record Rate(long permits, long periodNanos, long burst, long interval, long tolerance) {

  /** Largest tolerance (time to refill a full bucket): 2^51 ns, about 26 days. */
  static final long MAX_TOLERANCE_NANOS = 1L << 51;

  /** How far ahead bookings may reach, as in the script: 2^52 ns, about 52 days. */
  static final long MAX_AHEAD_NANOS = 1L << 52;

  static Rate of(long permits, Duration period, long burst) {
    Checks.positive(permits, "permits");
    long periodNanos = Checks.positiveNanos(period, "period");
    Checks.positive(burst, "burst");
    if (permits > periodNanos) {
      throw new IllegalArgumentException(
          "rate must be at most 1 permit per nanosecond, was " + permits + " per " + period);
    }
    long interval = (periodNanos + permits - 1) / permits;
    BigInteger tolerance = BigInteger.valueOf(burst).multiply(BigInteger.valueOf(interval));
    if (tolerance.compareTo(BigInteger.valueOf(MAX_TOLERANCE_NANOS)) > 0) {
      throw new IllegalArgumentException(
          "burst / rate must be at most about 26 days (the time to refill a full bucket in Redis), was "
              + burst + " permits at " + permits + " per " + period);
    }
    return new Rate(permits, periodNanos, burst, interval, tolerance.longValueExact());
  }

  /**
   * This burst at {@code permitsPerSecond}, the interval rounded up to whole nanoseconds.
   *
   * @throws IllegalArgumentException if the rate is not finite and positive, is faster than one
   *     permit per nanosecond, or the burst would take more than about 26 days to refill
   */
  Rate withPermitsPerSecond(double permitsPerSecond) {
    if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
      throw new IllegalArgumentException(
          "permitsPerSecond must be a finite positive number, was " + permitsPerSecond);
    }
    double exact = 1e9 / permitsPerSecond;
    if (exact < 1) {
      throw new IllegalArgumentException(
          "rate must be at most 1 permit per nanosecond, was " + permitsPerSecond + " per second");
    }
    if (exact * burst > MAX_TOLERANCE_NANOS) {
      throw new IllegalArgumentException(
          "burst / rate must be at most about 26 days (the time to refill a full bucket in"
              + " Redis), was " + burst + " permits at " + permitsPerSecond + " per second");
    }
    return withInterval((long) Math.ceil(exact));
  }

  /**
   * This burst at one permit per {@code interval} ns, as Redis reports the rate in force (set by an
   * instance that checked it against the same burst; saturated should another burst be shared).
   */
  Rate withInterval(long interval) {
    long tolerance =
        interval > MAX_TOLERANCE_NANOS / burst ? MAX_TOLERANCE_NANOS : burst * interval;
    return new Rate(1, interval, burst, interval, tolerance);
  }

  /** The most that may be owed: a restriction or overdraft beyond this is saturated. */
  long maxOwedPermits() {
    return MAX_AHEAD_NANOS / interval;
  }

  double permitsPerSecond() {
    return 1e9 / interval;
  }
}
