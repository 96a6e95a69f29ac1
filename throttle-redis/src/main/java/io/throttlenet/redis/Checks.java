package io.throttlenet.redis;

import java.time.Duration;

/** Argument checks naming the argument and its value, as every throttle-net module does. */
final class Checks {
  private Checks() {}

  static <T> T nonNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return value;
  }

  static long positive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  static long nonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return value;
  }

  static void unset(boolean alreadySet, String name) {
    if (alreadySet) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  /** The duration in nanoseconds, saturated at {@code Long.MAX_VALUE}; must be > 0. */
  static long positiveNanos(Duration value, String name) {
    nonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return saturated(value);
  }

  /** The duration in nanoseconds, saturated at {@code Long.MAX_VALUE}; must be >= 0. */
  static long nonNegativeNanos(Duration value, String name) {
    nonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return saturated(value);
  }

  private static long saturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** A Redis key part: non-empty, and without braces (they would break the hash tag). */
  static String keyPart(String value, String name) {
    nonNull(value, name);
    if (value.isEmpty() || value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
      throw new IllegalArgumentException(name + " must be non-empty and contain no braces, was '" + value + "'");
    }
    return value;
  }
}
