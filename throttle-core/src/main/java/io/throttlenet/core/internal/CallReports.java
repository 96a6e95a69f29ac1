package io.throttlenet.core.internal;

import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.Outcome;
import java.time.Duration;
import java.util.Optional;

/** How a chain (the synchronous one, the reactive one) reports a finished call. */
public final class CallReports {
  private CallReports() {}

  /**
   * The event for a call of {@code name} that took {@code latencyNanos} and ended with {@code
   * result} or {@code failure}, as {@code classifier} (null: {@link CallClassifier#defaults()})
   * judges it. A classifier that throws or answers null makes the outcome {@link
   * Outcome#IGNORED}: a broken classifier never breaks the call it reports.
   */
  public static CallEvent.Finished finished(
      String name, CallClassifier classifier, long latencyNanos, Object result, Throwable failure) {
    CallClassifier c = classifier != null ? classifier : CallClassifier.defaults();
    Outcome outcome;
    Duration retryAfter;
    try {
      outcome = c.classify(result, failure);
      retryAfter = c.retryAfter(result, failure);
      if (outcome == null) {
        outcome = Outcome.IGNORED;
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      outcome = Outcome.IGNORED;
      retryAfter = null;
    }
    return new CallEvent.Finished(
        name,
        outcome,
        Duration.ofNanos(Math.max(0, latencyNanos)),
        Optional.ofNullable(retryAfter),
        Optional.ofNullable(failure));
  }
}
