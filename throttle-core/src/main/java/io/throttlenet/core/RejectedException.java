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
 *
 * <p>A rejection is either <em>permanent</em> ({@link #isPermanent()}: the same call can never be
 * admitted, such as a cost above a limiter's capacity) or <em>transient</em> (it could be admitted
 * later; {@link #retryAfter()} says when, if the component knows). A {@code Retry} never retries a
 * permanent rejection, and by default does not retry a transient one either: the component that
 * refused has already applied its own bound, and the caller learns at once, with the {@code
 * retryAfter()} to act on, instead of after waiting out a cooldown behind its back.
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

  /**
   * True if the same call can never be admitted by this component, however long the caller waits
   * (retrying it is pointless); false by default.
   */
  public boolean isPermanent() {
    return false;
  }

  /** How long until the same call could be admitted, if known; empty if unknown or never. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
