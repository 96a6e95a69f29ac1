package io.throttlenet.core;

import java.time.Duration;
import java.util.Optional;

/**
 * The one unchecked base of every rejection by a throttle-net component: the call was not let
 * through, and nothing was charged for it. Failures of the user's own call are never wrapped in
 * it.
 *
 * <p>Rejections are control flow in an overloaded system, so they are cheap: no stack trace is
 * captured. The message names the component and the numbers involved. Instances are immutable.
 */
public abstract class RejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String component;
  private final Duration retryAfter;

  /**
   * @param component the name of the rejecting component
   * @param message a message naming the component, the cost and the limit
   * @param retryAfter when the call could succeed, or null if unknown or never
   */
  protected RejectedException(String component, String message, Duration retryAfter) {
    this(component, message, retryAfter, null);
  }

  /**
   * @param component the name of the rejecting component
   * @param message a message naming the component and the limit
   * @param retryAfter when the call could succeed, or null if unknown or never
   * @param cause the failure that led to the rejection (a retry stopped by its budget carries the
   *     call's last failure), or null
   */
  protected RejectedException(String component, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, true, false);
    this.component = component;
    this.retryAfter = retryAfter;
  }

  /** The name of the component that rejected the call. */
  public String component() {
    return component;
  }

  /** How long until the same call could be admitted, if known; empty if unknown or never. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
