package io.throttlenet.retry;

/**
 * How a {@link Backoff} spreads its delays, so that many clients failing together do not retry
 * together (the thundering herd). With {@code d} the curve's delay for an attempt:
 *
 * <ul>
 *   <li>{@link #NONE}: exactly {@code d};
 *   <li>{@link #FULL}: uniform in {@code [0, d]};
 *   <li>{@link #EQUAL}: {@code d/2} plus uniform in {@code [0, d/2]};
 *   <li>{@link #DECORRELATED}: uniform in {@code [base, 3 × previous delay]}, capped at the
 *       maximum; it ignores the curve and grows from the previous delay instead.
 * </ul>
 */
public enum Jitter {
  NONE,
  FULL,
  EQUAL,
  DECORRELATED
}
