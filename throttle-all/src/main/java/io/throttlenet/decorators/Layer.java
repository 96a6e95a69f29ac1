package io.throttlenet.decorators;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.internal.Args;
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

/**
 * One step of a chain: wraps the next inner call. {@code arg} is the argument of the invocation
 * being decorated (a function chain's input; null for the other chains), so that a step such as
 * a per-call cost can depend on it. The chain guarantees that a step reading {@code arg} or the
 * result is only ever added with the matching types, which makes the unchecked casts here safe.
 */
interface Layer {

  <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner);

  <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner);

  /** Any capability: the step is the decorator itself, whatever the argument. */
  @SuppressWarnings("unchecked")
  static Layer of(Decorator<?> decorator) {
    Decorator<Object> d = (Decorator<Object>) decorator;
    return new Layer() {
      @Override
      public <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner) {
        return d.decorate(inner);
      }

      @Override
      public <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner) {
        return d.decorateAsync(inner);
      }
    };
  }

  /**
   * {@code cost} from {@code limiter} before every call, waiting at most {@code maxWait}: a
   * longer predicted wait fails at once with a {@link MaxWaitExceededException}, a cost above the
   * capacity with a {@link CostExceedsCapacityException}.
   */
  static Layer throttle(RateLimiter limiter, long cost, Duration maxWait) {
    return new Layer() {
      @Override
      public <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner) {
        return () -> {
          acquireWithin(limiter, cost, maxWait);
          return inner.get();
        };
      }

      @Override
      public <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner) {
        return () -> Stages.afterGrant(
            limiter.acquireAsync(cost, maxWait).toCompletableFuture(),
            ignored -> inner.get(),
            ignored -> limiter.cancel(cost, limiter.ticker().read(), 0)); // taken as the caller gave up
      }
    };
  }

  /** Takes {@code cost} within {@code maxWait} or throws the rejection that says why not. */
  static void acquireWithin(RateLimiter limiter, long cost, Duration maxWait) throws InterruptedException {
    if (limiter.tryAcquire(cost, maxWait)) {
      return;
    }
    long wait = limiter.waitNanos(cost, limiter.ticker().read());
    if (wait == RateLimiter.NEVER) {
      throw new CostExceedsCapacityException(limiter.name(), cost, limiter.capacity());
    }
    throw new MaxWaitExceededException(limiter.name(), cost, Duration.ofNanos(wait), maxWait);
  }

  /**
   * Before every call, the grant {@code grant} gives for the key {@code key} makes of the
   * argument (a tenant): a stage that completes when granted within the step's bound, or fails
   * with the rejection that says why not.
   */
  static Layer keyed(Function<Object, CompletionStage<Void>> grant, Function<Object, Object> key) {
    return new Layer() {
      @Override
      public <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner) {
        Object k = Args.requireNonNull(key.apply(arg), "key");
        return () -> {
          Stages.await(grant.apply(k).toCompletableFuture());
          return inner.get();
        };
      }

      @Override
      public <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner) {
        Object k = Args.requireNonNull(key.apply(arg), "key");
        // A grant abandoned at the very instant it came is spent, not refunded: a per-key booking
        // has no exact handle to cancel, and spending errs on the safe side of the limit.
        return () -> Stages.afterGrant(grant.apply(k).toCompletableFuture(), ignored -> inner.get(), ignored -> {});
      }
    };
  }

  /**
   * Costs from {@code limiter} before every call: {@code estimate} of the argument; if {@code
   * actual} is given, the estimate is reserved and settled at {@code actual} of the argument and
   * the result once the call returns (a failed call keeps the estimate charged: the downstream
   * may have counted it).
   */
  @SuppressWarnings("unchecked")
  static Layer costs(
      MultiLimiter limiter, Function<Object, Costs> estimate, BiFunction<Object, Object, Costs> actual, Duration maxWait) {
    return new Layer() {
      @Override
      public <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner) {
        if (actual == null) {
          return () -> {
            limiter.reserve(estimate.apply(arg), maxWait); // within the bound, or throws why not
            return inner.get();
          };
        }
        return () -> {
          Reservation reservation = limiter.reserve(estimate.apply(arg), maxWait);
          T result;
          try {
            result = inner.get();
          } catch (Throwable t) {
            reservation.close();
            throw t;
          }
          settle(reservation, actual, arg, result);
          return result;
        };
      }

      @Override
      public <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner) {
        // always a reservation, so that a grant the caller abandoned can be given back whole
        return () -> Stages.afterGrant(
            limiter.reserveAsync(estimate.apply(arg), maxWait).toCompletableFuture(),
            reservation -> {
              CompletionStage<T> stage;
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
            Reservation::cancel); // the call never went out
      }
    };
  }

  private static <T> void settle(
      Reservation reservation, BiFunction<Object, Object, Costs> actual, Object arg, T result) {
    try {
      reservation.settle(actual.apply(arg, result));
    } catch (RuntimeException | Error e) {
      reservation.close(); // a bad actual cost is the caller's bug: keep the estimate, report it
      throw e;
    }
  }

  /** Turns a failure of type {@code type} into {@code fallback}'s result. */
  @SuppressWarnings("unchecked")
  static <X extends Throwable> Layer fallback(Class<X> type, Function<? super X, ?> fallback) {
    return new Layer() {
      @Override
      public <T> CheckedSupplier<T> sync(Object arg, CheckedSupplier<T> inner) {
        return () -> {
          try {
            return inner.get();
          } catch (Throwable t) {
            if (!type.isInstance(t)) {
              throw t;
            }
            if (t instanceof InterruptedException) {
              Thread.currentThread().interrupt(); // handled, but the thread stays interrupted
            }
            return (T) fallback.apply(type.cast(t));
          }
        };
      }

      @Override
      public <T> Supplier<CompletionStage<T>> async(Object arg, Supplier<? extends CompletionStage<T>> inner) {
        return () -> {
          Stages.Tracked<T> out = new Stages.Tracked<>();
          CompletionStage<T> stage;
          try {
            stage = inner.get();
          } catch (Throwable t) {
            recover(out, t);
            out.settle();
            return out;
          }
          Stages.settleWith(out, stage);
          stage.whenComplete(
              (result, failure) -> {
                if (failure == null) {
                  out.complete(result);
                } else {
                  recover(out, Stages.unwrap(failure));
                }
              });
          Stages.cancelInward(out, stage);
          return out;
        };
      }

      private <T> void recover(CompletableFuture<T> out, Throwable failure) {
        if (!type.isInstance(failure)) {
          out.completeExceptionally(failure);
          return;
        }
        try {
          out.complete((T) fallback.apply(type.cast(failure)));
        } catch (Throwable t) {
          out.completeExceptionally(t);
        }
      }
    };
  }
}
