package io.throttlenet.core;

import java.time.Duration;

/**
 * A call took longer than its {@link Timeout} allowed, waits inside the timeout included. It is a
 * failure of the call (the downstream was slow, or the call waited too long to be let through),
 * not a rejection: a {@code Retry} retries it by default, a breaker outside the timeout counts it,
 * and {@link CallClassifier#defaults()} calls it {@link Outcome#DROPPED}. Any failure the call
 * itself ended with after the deadline is attached as the cause. Immutable.
 */
public final class CallTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String component;
  private final Duration timeout;

  /**
   * @param component the name of the timeout that fired
   * @param timeout the time the call was allowed
   * @param cause the call's own failure after the deadline, or null
   */
  public CallTimeoutException(String component, Duration timeout, Throwable cause) {
    super(component + ": call timed out after " + timeout, cause);
    this.component = component;
    this.timeout = timeout;
  }

  /** The name of the timeout that fired. */
  public String component() {
    return component;
  }

  /** The time the call was allowed. */
  public Duration timeout() {
    return timeout;
  }
}
