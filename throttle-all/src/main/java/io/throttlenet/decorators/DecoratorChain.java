package io.throttlenet.decorators;

import io.throttlenet.adaptive.AdaptiveConcurrency;
import io.throttlenet.adaptive.ConcurrencyController;
import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.Timeout;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  /**
   * Adds a step that takes one permit from {@code limiter} before every call, waiting at most
   * {@link Decorators#DEFAULT_MAX_WAIT}.
   */
  public C withThrottle(RateLimiter limiter) {
    return withThrottle(limiter, 1);
  }

  /**
   * Adds a step that takes {@code cost} from {@code limiter} before every call, waiting at most
   * {@link Decorators#DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code cost} is negative or above the limiter's capacity
   */
  public C withThrottle(RateLimiter limiter, long cost) {
    return withThrottle(limiter, cost, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} from {@code limiter} before every call, waiting at most
   * {@code maxWait}: a call predicted to wait longer fails at once with a {@link
   * io.throttlenet.core.MaxWaitExceededException} (a transient rejection; nothing is charged).
   * For no bound, pass {@code ChronoUnit.FOREVER.getDuration()}.
   *
   * @throws IllegalArgumentException if {@code cost} is negative or above the limiter's capacity,
   *     or {@code maxWait} is negative
   */
  public C withThrottle(RateLimiter limiter, long cost, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    if (cost > limiter.capacity()) {
      throw new IllegalArgumentException(
          "cost must be <= the capacity of " + limiter.name() + " (" + limiter.capacity() + "), was " + cost);
    }
    return copy(spec.with(Layer.throttle(limiter, cost, maxWait)));
  }

  /**
   * Adds a step that charges {@code costs} to {@code limiter}'s dimensions before every call,
   * waiting at most {@link Decorators#DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code limiter} lacks, or
   *     a cost above its dimension's capacity
   */
  public C withThrottle(MultiLimiter limiter, Costs costs) {
    return withThrottle(limiter, costs, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that charges {@code costs} to {@code limiter}'s dimensions before every call,
   * waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code limiter} lacks, or
   *     a cost above its dimension's capacity, or {@code maxWait} is negative
   */
  public C withThrottle(MultiLimiter limiter, Costs costs, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    checkCosts(limiter, costs, "costs");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return copy(spec.with(Layer.costs(limiter, arg -> costs, null, maxWait)));
  }

  /**
   * Adds a step that reserves {@code estimate} on {@code limiter} before every call (waiting at
   * most {@link Decorators#DEFAULT_MAX_WAIT}) and settles it at {@code actual} of the result when
   * the call returns (reserve then settle: the LLM output tokens known only from the response). A
   * call that fails keeps the estimate charged, since the downstream may have counted it. A {@code
   * Costs} that names an unknown dimension fails the call with an {@link IllegalArgumentException}
   * after the estimate was charged.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code limiter} lacks,
   *     or a cost above its dimension's capacity
   */
  public C withThrottle(MultiLimiter limiter, Costs estimate, Function<? super T, Costs> actual) {
    return withThrottle(limiter, estimate, actual, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Like {@link #withThrottle(MultiLimiter, Costs, Function)}, waiting at most {@code maxWait}
   * for the estimate.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code limiter} lacks,
   *     or a cost above its dimension's capacity, or {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked")
  public C withThrottle(
      MultiLimiter limiter, Costs estimate, Function<? super T, Costs> actual, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    checkCosts(limiter, estimate, "estimate");
    Args.requireNonNull(actual, "actual");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    BiFunction<Object, Object, Costs> settle = (arg, result) -> actual.apply((T) result);
    return copy(spec.with(Layer.costs(limiter, arg -> estimate, settle, maxWait)));
  }

  /**
   * Adds a step that holds {@code costs} of {@code window} for every call, from its grant until a
   * window after the call ends (its response), waiting at most {@link
   * Decorators#DEFAULT_MAX_WAIT} for them: what keeps a client within a server's exact sliding
   * window however the network delays calls.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code window} lacks, or a
   *     cost above its dimension's capacity
   */
  public C withThrottle(ServerWindow window, Costs costs) {
    Args.requireNonNull(window, "window");
    return with(window.<T>decorator(costs, r -> null, Decorators.DEFAULT_MAX_WAIT));
  }

  /**
   * Like {@link #withThrottle(ServerWindow, Costs)}, counting {@code actual} of each result (the
   * tokens a response reports) instead of the estimate once the call has returned; a failed call
   * counts the estimate.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code window} lacks,
   *     or a cost above its dimension's capacity
   */
  public C withThrottle(ServerWindow window, Costs estimate, Function<? super T, Costs> actual) {
    Args.requireNonNull(window, "window");
    return with(window.decorator(estimate, actual, Decorators.DEFAULT_MAX_WAIT));
  }

  /**
   * Checks at build time what would otherwise fail every call: a dimension {@code limiter} lacks,
   * or a cost no wait can grant.
   */
  static void checkCosts(MultiLimiter limiter, Costs costs, String argument) {
    Args.requireNonNull(costs, argument);
    for (Map.Entry<String, Long> e : costs.asMap().entrySet()) {
      String d = e.getKey();
      if (!limiter.dimensions().contains(d)) {
        throw new IllegalArgumentException(
            argument + " name dimension " + d + ", which " + limiter.name() + " lacks (it has " + limiter.dimensions() + ")");
      }
      long capacity = limiter.capacity(d);
      if (e.getValue() > capacity) {
        throw new IllegalArgumentException(
            argument + " for " + limiter.name() + "[" + d + "] must be <= its capacity (" + capacity + "), was " + e.getValue());
      }
    }
  }

  /**
   * Adds a bulkhead whose limit {@code controller} moves from how the calls through it end (see
   * {@link AdaptiveConcurrency}): a concurrency limit that finds the downstream's capacity.
   */
  public C withAdaptiveBulkhead(ConcurrencyController<?> controller) {
    return withBulkhead(AdaptiveConcurrency.bulkhead(controller));
  }

  /** Adds a retry around the steps before it: each attempt passes through them again. */
  public C withRetry(Retry retry) {
    return copy(spec.with(Layer.of(Args.requireNonNull(retry, "retry"))));
  }

  /** Adds a circuit breaker around the steps before it. */
  public C withBreaker(CircuitBreaker breaker) {
    return copy(spec.with(Layer.of(Args.requireNonNull(breaker, "breaker"))));
  }

  /**
   * Adds a timeout around the steps before it: a call (waits for permits inside included) that
   * takes longer than {@code timeout} fails with a {@link io.throttlenet.core.CallTimeoutException};
   * see {@link Timeout} for what happens to a synchronous call and how waits give their place
   * back. Put it inside the breaker and the retry, so that each attempt is timed and counted.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public C withTimeout(Duration timeout) {
    return withTimeout(Timeout.of(timeout));
  }

  /** Adds {@code timeout} around the steps before it; see {@link #withTimeout(Duration)}. */
  public C withTimeout(Timeout timeout) {
    return copy(spec.with(Layer.of(Args.requireNonNull(timeout, "timeout"))));
  }

  /**
   * Adds a bulkhead: at most its limit of calls in flight through the steps before it; a caller
   * waits for a slot at most the bulkhead's {@code maxWait} (default 30 s), and at most its {@code
   * maxWaiters} wait at once.
   */
  public C withBulkhead(ConcurrencyLimit bulkhead) {
    return copy(spec.with(Layer.of(Args.requireNonNull(bulkhead, "bulkhead"))));
  }

  /**
   * Adds a fair admission queue: every call waits its turn for {@code key} at {@code priority},
   * at most {@link Decorators#DEFAULT_MAX_WAIT}.
   */
  public <K> C withQueue(AdmissionQueue<K> queue, K key, int priority) {
    return withQueue(queue, key, priority, 1, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a fair admission queue: every call waits its turn for {@code key} at {@code priority}
   * with {@code cost}, at most until {@code deadline} (null: no deadline, wait as long as it takes).
   */
  public <K> C withQueue(AdmissionQueue<K> queue, K key, int priority, long cost, Duration deadline) {
    Args.requireNonNull(queue, "queue");
    return copy(spec.with(Layer.of(queue.decorator(key, priority, cost, deadline))));
  }

  /**
   * Adds header sync: each call's result headers, read with {@code headers} (for an HTTP response,
   * {@code r -> r.headers().map()}), keep {@code sync}'s limiter within the budget the server
   * reports, and a retry hint pauses every caller of it. Put it right inside the throttle step
   * (before {@code withThrottle} in the chain), so each call begins after its grant. Reading the
   * headers never changes the call's outcome.
   */
  public C withHeaderSync(
      HeaderSync sync, Function<? super T, ? extends Map<String, List<String>>> headers) {
    Args.requireNonNull(sync, "sync");
    return copy(spec.with(Layer.of(sync.decorator(headers))));
  }

  /**
   * Adds header sync for results and for failures that carry a response ({@code
   * headersOfFailure} returns null for the others); see {@link #withHeaderSync(HeaderSync,
   * Function)}.
   */
  public C withHeaderSync(
      HeaderSync sync,
      Function<? super T, ? extends Map<String, List<String>>> headersOfResult,
      Function<? super Throwable, ? extends Map<String, List<String>>> headersOfFailure) {
    Args.requireNonNull(sync, "sync");
    return copy(spec.with(Layer.of(sync.decorator(headersOfResult, headersOfFailure))));
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
   * Default: a unique name such as {@code "call-1"}, so two unnamed chains never merge.
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
