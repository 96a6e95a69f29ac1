package io.throttlenet.core.registry;

import java.time.Duration;

/**
 * A rate as written in configuration: {@code permits} per {@code period}, such as {@code
 * 5000/1h}. A plain value: it checks nothing, so that the builder it is handed to reports a bad
 * rate with its own message ("permits must be > 0, was 0").
 *
 * @param permits how many per period
 * @param period the period
 */
public record Rate(long permits, Duration period) {

  /** The configuration form, {@code permits/period}, which {@link Values#rate} reads back. */
  @Override
  public String toString() {
    return Values.formatRate(this);
  }
}
