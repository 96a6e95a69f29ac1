package io.throttlenet.retry;

import io.throttlenet.core.RejectedException;
import java.time.Duration;

/**
 * Retrying stopped because the next wait would pass the retry's maximum total duration. Thrown
 * only when the last attempt failed, with that failure as the cause (when it returned an unwanted
 * result, the result is returned instead). Immutable.
 */
public final class RetryDeadlineExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public RetryDeadlineExceededException(
      String component, int attempts, Duration maxDuration, Throwable lastFailure) {
    super(
        component,
        component + ": no time left for another attempt within " + maxDuration + " after "
            + attempts + " attempt(s)",
        null,
        lastFailure);
    this.attempts = attempts;
  }

  /** Attempts made before the deadline. */
  public int attempts() {
    return attempts;
  }
}
