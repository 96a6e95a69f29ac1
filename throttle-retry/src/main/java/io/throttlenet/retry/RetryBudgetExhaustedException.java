package io.throttlenet.retry;

import io.throttlenet.core.RejectedException;

/**
 * Retrying stopped because the shared {@link RetryBudget} allowed no more retries: during an
 * outage, retries would only multiply the load. The cause is the call's last failure (or null if
 * the last attempt returned an unwanted result). Immutable.
 */
public final class RetryBudgetExhaustedException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public RetryBudgetExhaustedException(String component, int attempts, Throwable lastFailure) {
    super(
        component,
        component + ": retry budget exhausted after " + attempts + " attempt(s)",
        null,
        lastFailure);
    this.attempts = attempts;
  }

  /** Attempts made before the budget refused another. */
  public int attempts() {
    return attempts;
  }
}
