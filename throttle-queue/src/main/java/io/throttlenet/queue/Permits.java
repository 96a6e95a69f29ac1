package io.throttlenet.queue;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** Asynchronous calls made under a {@link Permit}, shared by the queue's and the bulkhead's decorators. */
final class Permits {
  private Permits() {}

  /**
   * Makes the call under {@code permit} and releases it when the call's stage ends, a failure with
   * the outcome {@code classify} gives it. Never throws; a cancel of the result reaches the call.
   */
  static <R> CompletionStage<R> callReleasing(
      Permit permit, Supplier<? extends CompletionStage<R>> call, Function<? super Throwable, Outcome> classify) {
    CompletionStage<R> stage;
    try {
      stage = Args.requireNonNull(call.get(), "the call's stage");
    } catch (RuntimeException | Error e) {
      permit.release(classify.apply(e));
      return CompletableFuture.failedStage(e);
    }
    return Stages.observe(
        stage,
        (result, failure) -> {
          if (failure == null) {
            permit.success();
          } else {
            permit.release(classify.apply(Stages.unwrap(failure)));
          }
        });
  }
}
