package io.throttlenet.retry;

import io.throttlenet.core.RejectedException;

/**
 * Retrying stopped because the shared {@link RetryBudget} allowed no more retries: during an
 * outage, retries would only multiply the load. Thrown only when the last attempt failed, with
 * that failure as the cause (when it returned an unwanted result, the result is returned
 * instead). Immutable.
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
