package io.throttlenet.http;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.internal.Stages;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The breaker's step in a {@link ThrottledHttpClient}: one permit per attempt, reported as the
 * attempt ended. It differs from the breaker's own decorator in one way: a 429 counts neither as
 * a success nor as a failure. A server that says "not now, you are over your budget" is working;
 * the limiter and the header sync deal with it, and a breaker that opened on a burst of 429s
 * would only stop the calls that the server's hint already spaces out. Everything else goes to
 * the breaker as it is (its own predicates, ignored exceptions and the rule that a refusal of a
 * step inside it says nothing about the server still apply). Stateless; thread-safe.
 */
final class BreakerStep {
  private BreakerStep() {}

  static <T> CheckedSupplier<T> decorate(CircuitBreaker breaker, CheckedSupplier<T> call) {
    return () -> {
      CircuitBreaker.Permit permit = breaker.acquire();
      T result;
      try {
        result = call.get();
      } catch (Throwable t) {
        report(permit, t);
        throw t;
      }
      permit.success();
      return result;
    };
  }

  static <T> Supplier<CompletionStage<T>> decorateAsync(
      CircuitBreaker breaker, Supplier<? extends CompletionStage<T>> call) {
    return () ->
        Stages.afterGrant(
            breaker.acquireAsync().toCompletableFuture(),
            permit -> {
              CompletionStage<T> stage;
              try {
                stage = call.get();
              } catch (RuntimeException | Error e) {
                report(permit, e);
                return CompletableFuture.failedFuture(e);
              }
              return Stages.observe(
                  stage,
                  (result, failure) -> {
                    if (failure == null) {
                      permit.success();
                    } else {
                      report(permit, Stages.unwrap(failure));
                    }
                  });
            },
            CircuitBreaker.Permit::ignore); // never started: nothing to count
  }

  private static void report(CircuitBreaker.Permit permit, Throwable failure) {
    if (failure instanceof CancellationException
        || (failure instanceof HttpStatusException h && h.statusCode() == 429)) {
      permit.ignore();
    } else {
      permit.failure(failure);
    }
  }
}
