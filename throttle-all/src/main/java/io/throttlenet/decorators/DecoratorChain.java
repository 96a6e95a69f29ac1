package io.throttlenet.decorators;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The steps every chain of {@link Decorators} offers. Each {@code with…} returns a new chain with
 * one more step <em>outside</em> the steps before it (see {@link Decorators} for the order); the
 * chain it was called on is unchanged. Chains are immutable and thread-safe, and so are the calls
 * they decorate.
 *
 * @param <T> the call's result type
 * @param <C> the concrete chain type, returned by every {@code with…}
 */
public abstract class DecoratorChain<T, C extends DecoratorChain<T, C>> {
  final Spec spec;
  // The composed call, built on first use: a chain reused for many calls composes once, and
  // building a chain step by step composes nothing.
  private volatile CheckedSupplier<T> composed;

  DecoratorChain(Spec spec) {
    this.spec = spec;
  }

  /** {@code call} wrapped in every step (for chains whose steps do not depend on an argument). */
  final CheckedSupplier<T> composed(CheckedSupplier<T> call) {
    CheckedSupplier<T> c = composed;
    if (c == null) {
      c = spec.compose(null, call);
      composed = c;
    }
    return c;
  }

  /** The same call with {@code spec}. */
  abstract C copy(Spec spec);

  /** Adds a step that takes one permit from {@code limiter} before every call. */
  public C withThrottle(RateLimiter limiter) {
    return withThrottle(limiter, 1);
  }

  /**
   * Adds a step that takes {@code cost} from {@code limiter} before every call.
   *
   * @throws IllegalArgumentException if {@code cost} is negative or above the limiter's capacity
   */
  public C withThrottle(RateLimiter limiter, long cost) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNegative(cost, "cost");
    if (cost > limiter.capacity()) {
      throw new IllegalArgumentException(
          "cost must be <= the capacity of " + limiter.name() + " (" + limiter.capacity() + "), was " + cost);
    }
    return copy(spec.with(Layer.throttle(limiter, cost)));
  }

  /**
   * Adds a step that charges {@code costs} to {@code limiter}'s dimensions before every call.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code limiter} lacks
   */
  public C withThrottle(MultiLimiter limiter, Costs costs) {
    Args.requireNonNull(limiter, "limiter");
    checkDimensions(limiter, costs);
    return copy(spec.with(Layer.costs(limiter, arg -> costs, null)));
  }

  /**
   * Adds a step that reserves {@code estimate} on {@code limiter} before every call and settles
   * it at {@code actual} of the result when the call returns (reserve then settle: the LLM output
   * tokens known only from the response). A call that fails keeps the estimate charged, since
   * the downstream may have counted it. A {@code Costs} that names an unknown dimension fails the
   * call with an {@link IllegalArgumentException} after the estimate was charged.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code limiter} lacks
   */
  @SuppressWarnings("unchecked")
  public C withThrottle(MultiLimiter limiter, Costs estimate, Function<? super T, Costs> actual) {
    Args.requireNonNull(limiter, "limiter");
    checkDimensions(limiter, estimate);
    Args.requireNonNull(actual, "actual");
    BiFunction<Object, Object, Costs> settle = (arg, result) -> actual.apply((T) result);
    return copy(spec.with(Layer.costs(limiter, arg -> estimate, settle)));
  }

  static void checkDimensions(MultiLimiter limiter, Costs costs) {
    Args.requireNonNull(costs, "costs");
    for (String d : costs.asMap().keySet()) {
      if (!limiter.dimensions().contains(d)) {
        throw new IllegalArgumentException(
            "costs name dimension " + d + ", which " + limiter.name() + " lacks (it has " + limiter.dimensions() + ")");
      }
    }
  }

  /** Adds a retry around the steps before it: each attempt passes through them again. */
  public C withRetry(Retry retry) {
    return copy(spec.with(Layer.of(Args.requireNonNull(retry, "retry"))));
  }

  /** Adds a circuit breaker around the steps before it. */
  public C withBreaker(CircuitBreaker breaker) {
    return copy(spec.with(Layer.of(Args.requireNonNull(breaker, "breaker"))));
  }

  /** Adds a bulkhead: at most its limit of calls in flight through the steps before it. */
  public C withBulkhead(ConcurrencyLimit bulkhead) {
    return copy(spec.with(Layer.of(Args.requireNonNull(bulkhead, "bulkhead"))));
  }

  /** Adds a fair admission queue: every call waits its turn for {@code key} at {@code priority}. */
  public <K> C withQueue(AdmissionQueue<K> queue, K key, int priority) {
    return withQueue(queue, key, priority, 1, null);
  }

  /**
   * Adds a fair admission queue: every call waits its turn for {@code key} at {@code priority}
   * with {@code cost}, at most until {@code deadline} (null: none).
   */
  public <K> C withQueue(AdmissionQueue<K> queue, K key, int priority, long cost, Duration deadline) {
    Args.requireNonNull(queue, "queue");
    return copy(spec.with(Layer.of(queue.decorator(key, priority, cost, deadline))));
  }

  /** Adds any decorator, yours or a capability's, around the steps before it. */
  public C with(Decorator<? super T> decorator) {
    return copy(spec.with(Layer.of(Args.requireNonNull(decorator, "decorator"))));
  }

  /**
   * Adds a fallback: an {@link Exception} from the steps before it (the call's own, or a
   * rejection such as {@code CircuitOpenException}) becomes {@code fallback}'s result. An {@link
   * Error} is never caught. A fallback for an {@link InterruptedException} leaves the thread
   * interrupted.
   */
  public C withFallback(Function<? super Exception, ? extends T> fallback) {
    return withFallback(Exception.class, fallback);
  }

  /** Adds a fallback for failures of {@code type} only; others pass through unchanged. */
  public <X extends Throwable> C withFallback(Class<X> type, Function<? super X, ? extends T> fallback) {
    Args.requireNonNull(type, "type");
    Args.requireNonNull(fallback, "fallback");
    return copy(spec.with(Layer.fallback(type, fallback)));
  }

  /**
   * Names the chain: its {@link io.throttlenet.core.CallEvent}s are published under this name.
   * Default {@code "call"}.
   *
   * @throws IllegalStateException if already named
   */
  public C named(String name) {
    return copy(spec.named(name));
  }

  /** Where the chain's call events go; default {@link EventRegistry#defaultRegistry()}. */
  public C withEvents(EventRegistry events) {
    return copy(spec.events(events));
  }

  /** The clock that times each attempt for its call event; default {@link Ticker#system()}. */
  public C withTicker(Ticker ticker) {
    return copy(spec.ticker(ticker));
  }

  /**
   * How each attempt's outcome is classified for its call event; default {@link
   * CallClassifier#defaults()}.
   */
  public C classifiedBy(CallClassifier classifier) {
    return copy(spec.classifier(classifier));
  }
}
