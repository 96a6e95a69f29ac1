package io.throttlenet.adaptive.internal;

import java.time.Duration;

/**
 * Numbers and durations as rate-limit fields write them, read without exceptions.
 *
 * <p>Grammar of a decimal: {@code digits [ "." digits ]} or {@code "." digits}, nothing else: no
 * sign, no exponent, no {@code NaN}, no inner whitespace. Leading zeros carry no value. A whole
 * part too large for a {@code long} saturates; only the first nine fraction digits are kept, and
 * any further non-zero digit marks the value inexact, which rounds a duration up by a nanosecond
 * (before it is rounded up to a millisecond anyway).
 *
 * <p>Every duration handed out is a whole number of milliseconds (a sub-millisecond remainder
 * rounds up), at most {@link #MAX_MILLIS}: the largest that still converts to nanoseconds.
 */
final class Values {
  /** The largest delay handed out, in milliseconds (about 292 years; well over 2^31 s). */
  static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000L;

  static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** "No value" for counts, delays and instants, all of which are otherwise non-negative. */
  static final long NONE = -1;

  private Values() {}

  /** A parsed decimal: saturated whole part, first nine fraction digits as nanos. */
  record Decimal(long whole, long fractionNanos, boolean inexact) {}

  /** {@code s} without leading and trailing spaces and tabs (HTTP's optional whitespace). */
  static String trim(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && isOws(s.charAt(from))) {
      from++;
    }
    while (to > from && isOws(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The decimal {@code s} (already trimmed), or null if it is not one. */
  static Decimal decimal(String s) {
    return decimal(s, 0, s.length());
  }

  /** The decimal in {@code s[from, to)}, or null if that range is not exactly one. */
  static Decimal decimal(String s, int from, int to) {
    long whole = 0;
    boolean saturated = false;
    int digits = 0;
    int i = from;
    for (; i < to && isDigit(s.charAt(i)); i++, digits++) {
      int d = s.charAt(i) - '0';
      if (whole > (Long.MAX_VALUE - d) / 10) {
        saturated = true;
        whole = Long.MAX_VALUE;
      } else if (!saturated) {
        whole = whole * 10 + d;
      }
    }
    long fraction = 0;
    int fractionDigits = 0;
    boolean inexact = saturated;
    if (i < to && s.charAt(i) == '.') {
      for (i++; i < to && isDigit(s.charAt(i)); i++, digits++) {
        int d = s.charAt(i) - '0';
        if (fractionDigits < 9) {
          fraction = fraction * 10 + d;
          fractionDigits++;
        } else if (d != 0) {
          inexact = true;
        }
      }
    }
    if (i != to || digits == 0) {
      return null;
    }
    for (; fractionDigits < 9; fractionDigits++) {
      fraction *= 10;
    }
    return new Decimal(whole, fraction, inexact);
  }

  /** A count: a decimal rounded down, or {@link #NONE}. */
  static long count(String s) {
    Decimal d = decimal(trim(s));
    return d == null ? NONE : d.whole();
  }

  /** {@code d} units of {@code unitNanos} each, in nanoseconds, saturating; rounds up. */
  static long nanos(Decimal d, long unitNanos) {
    long whole = d.whole() > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : d.whole() * unitNanos;
    long fraction;
    if (unitNanos % NANOS_PER_SECOND == 0) {
      fraction = d.fractionNanos() * (unitNanos / NANOS_PER_SECOND);
    } else {
      long scaled = d.fractionNanos() * unitNanos; // at most 1e9 * 1e6: no overflow
      fraction = scaled / NANOS_PER_SECOND + (scaled % NANOS_PER_SECOND == 0 ? 0 : 1);
    }
    if (d.inexact()) {
      fraction++;
    }
    return saturatedAdd(whole, fraction);
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  static long saturatedMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /** Nanoseconds rounded up to whole milliseconds, clamped to {@code [0, MAX_MILLIS]}. */
  static long ceilMillis(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return Math.min(MAX_MILLIS, (nanos - 1) / 1_000_000L + 1);
  }

  /** Delay-seconds written as a decimal ({@code "120"}, {@code "1.5"}) in millis, or NONE. */
  static long secondsToMillis(String s) {
    Decimal d = decimal(trim(s));
    return d == null ? NONE : ceilMillis(nanos(d, NANOS_PER_SECOND));
  }

  /** Milliseconds written as a decimal ({@code "1500"}, {@code "20.5"}), rounded up, or NONE. */
  static long millis(String s) {
    Decimal d = decimal(trim(s));
    return d == null ? NONE : ceilMillis(nanos(d, 1_000_000L));
  }

  /** Epoch seconds written as a decimal ({@code "1470173023.123"}) as epoch millis, or NONE. */
  static long epochSecondsToMillis(String s) {
    Decimal d = decimal(trim(s));
    if (d == null) {
      return NONE;
    }
    long ms = saturatedMultiply(d.whole(), 1000);
    long fractionMillis = (d.fractionNanos() + 999_999) / 1_000_000;
    return saturatedAdd(ms, fractionMillis + (d.inexact() ? 1 : 0));
  }

  /** A duration of {@code millis} (already clamped to {@code [0, MAX_MILLIS]}). */
  static Duration duration(long millis) {
    return Duration.ofMillis(Math.max(0, Math.min(MAX_MILLIS, millis)));
  }

  /**
   * A Go duration ({@code "6m0s"}, {@code "1.5s"}, {@code "20ms"}, {@code "1h2m3.5s"}, {@code
   * "500us"}, {@code "500µs"}, {@code "7ns"}, {@code "0"}) in milliseconds, rounded up; a bare
   * decimal counts as seconds (a tolerance: some gateways drop the unit). NONE if invalid: signs
   * included, since a negative reset means nothing.
   */
  static long goDurationMillis(String value) {
    String s = trim(value);
    Decimal bare = decimal(s);
    if (bare != null) {
      return ceilMillis(nanos(bare, NANOS_PER_SECOND));
    }
    long total = 0;
    int i = 0;
    int n = s.length();
    if (n == 0) {
      return NONE;
    }
    while (i < n) {
      int numberStart = i;
      while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      Decimal d = decimal(s, numberStart, i);
      int unitStart = i;
      while (i < n && !isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long unit = goUnit(s, unitStart, i);
      if (d == null || unit < 0) {
        return NONE;
      }
      total = saturatedAdd(total, nanos(d, unit));
    }
    return ceilMillis(total);
  }

  private static long goUnit(String s, int from, int to) {
    int len = to - from;
    if (len == 1) {
      switch (s.charAt(from)) {
        case 's':
          return NANOS_PER_SECOND;
        case 'm':
          return 60 * NANOS_PER_SECOND;
        case 'h':
          return 3600 * NANOS_PER_SECOND;
        default:
          return -1;
      }
    }
    if (len != 2 || s.charAt(from + 1) != 's') {
      return -1;
    }
    switch (s.charAt(from)) {
      case 'm':
        return 1_000_000L;
      case 'u':
      case '\u00b5': // micro sign
      case '\u03bc': // Greek small letter mu
        return 1_000L;
      case 'n':
        return 1L;
      default:
        return -1;
    }
  }
}
