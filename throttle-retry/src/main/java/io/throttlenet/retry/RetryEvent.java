package io.throttlenet.retry;

import io.throttlenet.core.Event;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Events published by a {@link Retry}; built only when somebody listens. */
public sealed interface RetryEvent extends Event
    permits RetryEvent.Attempt,
        RetryEvent.SucceededAfterRetries,
        RetryEvent.Exhausted,
        RetryEvent.Aborted,
        RetryEvent.BudgetExhausted {

  /**
   * Attempt {@code attempt} failed and retry number {@code attempt} will start after {@code
   * delay}.
   *
   * @param component the retry's name
   * @param attempt the number of the attempt that failed (1 for the first call)
   * @param delay the wait before the next attempt
   * @param cause the failure, or empty if an unwanted result was retried
   */
  record Attempt(String component, int attempt, Duration delay, Optional<Throwable> cause)
      implements RetryEvent {
    public Attempt {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The call succeeded after {@code attempts} attempts (more than one).
   *
   * @param component the retry's name
   * @param attempts attempts made, the successful one included
   */
  record SucceededAfterRetries(String component, int attempts) implements RetryEvent {
    public SucceededAfterRetries {
      Objects.requireNonNull(component, "component");
    }
  }

  /**
   * Every attempt was used (or the deadline left no time for another); the caller gets the last
   * failure or result.
   *
   * @param component the retry's name
   * @param attempts attempts made
   * @param lastFailure the last failure, or empty if the last attempt returned an unwanted result
   */
  record Exhausted(String component, int attempts, Optional<Throwable> lastFailure)
      implements RetryEvent {
    public Exhausted {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(lastFailure, "lastFailure");
    }
  }

  /**
   * The classifier said not to retry the failure of attempt {@code attempt}.
   *
   * @param component the retry's name
   * @param attempt the attempt that failed
   * @param cause its failure
   */
  record Aborted(String component, int attempt, Throwable cause) implements RetryEvent {
    public Aborted {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * A retry was refused by the shared {@link RetryBudget}.
   *
   * @param component the retry's name
   * @param attempts attempts made
   */
  record BudgetExhausted(String component, int attempts) implements RetryEvent {
    public BudgetExhausted {
      Objects.requireNonNull(component, "component");
    }
  }
}
