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

  /** The most that may be owed: a restriction or overdraft beyond this is saturated. */
  long maxOwedPermits() {
    return MAX_AHEAD_NANOS / interval;
  }

  double permitsPerSecond() {
    return 1e9 / interval;
  }
}
