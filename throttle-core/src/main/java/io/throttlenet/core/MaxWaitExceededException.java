package io.throttlenet.core;

import java.time.Duration;

/**
 * The cost could be granted, but only after longer than the caller agreed to wait; nothing was
 * reserved. {@link #retryAfter()} says how long the wait would have been. Immutable.
 */
public final class MaxWaitExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final long cost;
  private final Duration maxWait;

  public MaxWaitExceededException(String component, long cost, Duration requiredWait, Duration maxWait) {
    super(
        component,
        component + ": cost " + cost + " needs a wait of " + requiredWait
            + ", more than the allowed " + maxWait,
        requiredWait);
    this.cost = cost;
    this.maxWait = maxWait;
  }

  /** The cost that was asked for. */
  public long cost() {
    return cost;
  }

  /** The longest wait the caller accepted. */
  public Duration maxWait() {
    return maxWait;
  }
}
