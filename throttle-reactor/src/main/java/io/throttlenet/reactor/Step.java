package io.throttlenet.reactor;

import io.throttlenet.core.Decorator;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.Reservation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * One step of a {@link ReactorThrottling} chain: wraps the next inner attempt, in the one
 * asynchronous call shape every throttle-net capability shares ({@link
 * Decorator#decorateAsync}). An attempt's stage completes when the subscription to the source
 * ends: with the {@code Mono}'s value (or the {@code Flux}'s last element, or null), or with its
 * error; a cancel of it cancels that subscription.
 */
@FunctionalInterface
interface Step {

  /**
   * {@code inner} wrapped in this step, for the call with argument {@code arg} (the argument of a
   * {@link ReactorThrottling#function} call, else null), so that a step may depend on it.
   */
  Supplier<CompletionStage<Object>> wrap(Object arg, Supplier<CompletionStage<Object>> inner);

  /** Any capability: the step is the decorator's own asynchronous form. */
  @SuppressWarnings("unchecked")
  static Step of(Decorator<?> decorator) {
    Decorator<Object> d = (Decorator<Object>) decorator;
    return (arg, inner) -> d.decorateAsync(inner);
  }

  /**
   * {@code costOf} the argument from {@code limiter} before every attempt, waiting at most {@code maxWait}
   * without holding a thread; a longer predicted wait fails at once with the limiter's {@code
   * MaxWaitExceededException}, a cost above its capacity with {@code
   * CostExceedsCapacityException}. A wait abandoned before the grant gives the reservation back; a
   * grant abandoned at the very instant it came is handed back with {@link RateLimiter#cancel}.
   */
  static Step throttle(RateLimiter limiter, ToLongFunction<Object> costOf, Duration maxWait) {
    return (arg, inner) -> () -> {
      long cost = costOf.applyAsLong(arg);
      return Stages.afterGrant(
          limiter.acquireAsync(cost, maxWait).toCompletableFuture(),
          ignored -> inner.get(),
          ignored -> limiter.cancel(cost, limiter.ticker().read(), 0)); // taken as the caller gave up
    };
  }

  /**
   * The grant {@code grant} gives (a per-key or layered limiter's) before every attempt. A grant
   * abandoned at the very instant it came is spent, not refunded: a per-key booking has no exact
   * handle to cancel, and spending errs on the safe side of the limit (as the Decorators chain
   * does).
   */
  static Step keyed(Function<Object, CompletionStage<Void>> grant) {
    return (arg, inner) -> () -> Stages.afterGrant(grant.apply(arg).toCompletableFuture(), ignored -> inner.get(), ignored -> {});
  }

  /**
   * {@code estimate} of the argument reserved on {@code limiter} before every attempt; settled at
   * {@code actual} of the argument and the attempt's result when it succeeds (if {@code actual} is given), kept whole when it
   * fails or is cancelled once started (the downstream may have counted it), given back whole
   * when the wait is abandoned before the attempt started.
   */
  static Step costs(
      MultiLimiter limiter, Function<Object, Costs> estimate, BiFunction<Object, Object, Costs> actual, Duration maxWait) {
    return (arg, inner) -> () -> Stages.afterGrant(
        limiter.reserveAsync(estimate.apply(arg), maxWait).toCompletableFuture(),
        reservation -> {
          CompletionStage<Object> stage;
          try {
            stage = inner.get();
          } catch (RuntimeException | Error e) {
            reservation.close(); // the call may have gone out: keep the estimate
            return CompletableFuture.failedStage(e);
          }
          return Stages.observe(
              stage,
              (result, failure) -> {
                if (failure == null && actual != null) {
                  settle(reservation, actual, arg, result);
                } else {
                  reservation.close();
                }
              });
        },
        Reservation::cancel); // the attempt never started
  }

  private static void settle(
      Reservation reservation, BiFunction<Object, Object, Costs> actual, Object arg, Object result) {
    try {
      reservation.settle(actual.apply(arg, result));
    } catch (RuntimeException | Error e) {
      reservation.close(); // a bad actual cost is the caller's bug: keep the estimate, report it
      throw e;
    }
  }
}
