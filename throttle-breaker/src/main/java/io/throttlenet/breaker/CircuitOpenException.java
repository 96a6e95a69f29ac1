package io.throttlenet.breaker;

import io.throttlenet.core.RejectedException;
import java.time.Duration;

/**
 * The breaker rejected the call without running it (and without touching any limiter it wraps).
 * {@link #retryAfter()} is the rest of the cooldown when known. Immutable.
 */
public final class CircuitOpenException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final BreakerState state;

  public CircuitOpenException(String component, BreakerState state, Duration retryAfter) {
    super(
        component,
        component + ": circuit " + state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
            + (retryAfter == null ? "" : ", retry after " + retryAfter),
        retryAfter);
    this.state = state;
  }

  /** The breaker's state when it rejected the call. */
  public BreakerState state() {
    return state;
  }
}
