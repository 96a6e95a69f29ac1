package io.throttlenet.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Argument checks shared by every module. Each failure names the argument and the value it had,
 * so a misconfiguration reads as "rate must be > 0, was -3" rather than a bare exception.
 *
 * <p>Not part of the public API.
 */
public final class Args {
  private Args() {}

  public static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return value;
  }

  public static long requirePositive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  /** For counts, where "must be >= 1" reads better than "must be > 0". */
  public static void requireAtLeastOne(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
  }

  /** An immutable copy of {@code items}; a null array or element fails naming {@code name}. */
  public static <T> List<T> listOfNonNull(T[] items, String name) {
    requireNonNull(items, name);
    List<T> list = new ArrayList<>(items.length);
    for (T item : items) {
      list.add(requireNonNull(item, name + " element"));
    }
    return Collections.unmodifiableList(list);
  }

  /** An immutable copy of {@code items}; a null list or element fails naming {@code name}. */
  public static <T> List<T> copyOfNonNull(List<? extends T> items, String name) {
    requireNonNull(items, name);
    for (T item : items) {
      requireNonNull(item, name + " element");
    }
    return List.copyOf(items);
  }

  public static long requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return value;
  }

  public static double requirePositiveFinite(double value, String name) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number > 0, was " + value);
    }
    return value;
  }

  /** Returns the duration in nanoseconds, saturated at {@code Long.MAX_VALUE}; must be > 0. */
  public static long requirePositiveNanos(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return saturatedNanos(value);
  }

  /** Returns the duration in nanoseconds, saturated at {@code Long.MAX_VALUE}; must be >= 0. */
  public static long requireNonNegativeNanos(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return saturatedNanos(value);
  }

  /** Fails when an option of a builder is set a second time: one value per option, no surprises. */
  public static void requireUnset(boolean alreadySet, String name) {
    if (alreadySet) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  /** {@code d} in nanoseconds, saturated at the {@code long} range instead of overflowing. */
  public static long saturatedNanos(Duration d) {
    long seconds = d.getSeconds();
    int nanos = d.getNano();
    if (seconds >= 0 && seconds < Long.MAX_VALUE / 1_000_000_000L) {
      return seconds * 1_000_000_000L + nanos;
    }
    if (seconds < 0 && seconds > Long.MIN_VALUE / 1_000_000_000L + 1) {
      return seconds * 1_000_000_000L + nanos;
    }
    return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }
}
