package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.retry.RetryEvent;
import java.util.List;

/** Meters for retries: attempts beyond the first, and how retried calls ended. */
final class RetryMeters {
  private RetryMeters() {}

  private static final class Retries {
    final Counter attempts;
    final Counter succeeded;
    final Counter exhausted;
    final Counter aborted;
    final Counter budgetExhausted;

    Retries(Meters m, String c) {
      attempts = m.counter("retry.attempts", c);
      succeeded = m.counter("retry.calls", c, "result", "succeeded_after_retry");
      exhausted = m.counter("retry.calls", c, "result", "exhausted");
      aborted = m.counter("retry.calls", c, "result", "aborted");
      budgetExhausted = m.counter("retry.calls", c, "result", "budget_exhausted");
    }
  }

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Retries> retries = new Meters.PerComponent<>(c -> new Retries(m, c));
    return List.of(events.subscribe(RetryEvent.class, e -> {
      Retries r = retries.get(e.component());
      if (e instanceof RetryEvent.Attempt) {
        r.attempts.increment();
      } else if (e instanceof RetryEvent.SucceededAfterRetries) {
        r.succeeded.increment();
      } else if (e instanceof RetryEvent.Exhausted) {
        r.exhausted.increment();
      } else if (e instanceof RetryEvent.Aborted) {
        r.aborted.increment();
      } else if (e instanceof RetryEvent.BudgetExhausted) {
        r.budgetExhausted.increment();
      }
    }));
  }
}
