package io.throttlenet.reactor;

import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Paces the elements of a stream by what each costs: every element is held until its cost is
 * granted, then passed on, in order; one element waits at a time, and the next is not charged
 * before the one ahead of it has gone.
 *
 * <pre>{@code
 * Flux<Prompt> paced = prompts.transform(ElementThrottle.of(throttle, Prompt::tokens));
 * Flux<Prompt> budgeted = prompts.transform(ElementThrottle.of(limiter,
 *     (Prompt p) -> Costs.of("requests", 1, "tokens", p.tokens())));
 * }</pre>
 *
 * Waiting holds no thread (the limiter's {@code acquireAsync}, scheduled by its ticker). An
 * element whose cost cannot be granted within the bound fails the stream with the limiter's
 * rejection ({@code MaxWaitExceededException}, or {@code CostExceedsCapacityException} for a cost
 * above its capacity); a cost function that throws, or returns a negative cost, fails it with that
 * exception. A cancel while an element waits gives its reservation back, and the element is
 * dropped. The elements' order is kept. For a cost per subscription rather than per element, use
 * {@link ReactorThrottling}. Immutable and thread-safe.
 *
 * @param <T> the element type
 */
public final class ElementThrottle<T> implements UnaryOperator<Publisher<T>> {
  private final Step step; // its argument is the element

  private ElementThrottle(Step step) {
    this.step = step;
  }

  /**
   * Each element takes {@code cost} of it from {@code limiter}, waiting at most {@link
   * ReactorThrottling#DEFAULT_MAX_WAIT}.
   */
  public static <T> ElementThrottle<T> of(RateLimiter limiter, ToLongFunction<? super T> cost) {
    return of(limiter, cost, ReactorThrottling.DEFAULT_MAX_WAIT);
  }

  /**
   * Each element takes {@code cost} of it from {@code limiter}, waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked") // the step's argument is always an element
  public static <T> ElementThrottle<T> of(RateLimiter limiter, ToLongFunction<? super T> cost, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNull(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return new ElementThrottle<>(Step.throttle(limiter, element -> cost.applyAsLong((T) element), maxWait));
  }

  /**
   * Each element charges {@code costs} of it to {@code limiter}'s dimensions, waiting at most
   * {@link ReactorThrottling#DEFAULT_MAX_WAIT}.
   */
  public static <T> ElementThrottle<T> of(MultiLimiter limiter, Function<? super T, Costs> costs) {
    return of(limiter, costs, ReactorThrottling.DEFAULT_MAX_WAIT);
  }

  /**
   * Each element charges {@code costs} of it to {@code limiter}'s dimensions, waiting at most
   * {@code maxWait}. A {@code Costs} that names a dimension the limiter lacks fails the stream.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked") // the step's argument is always an element
  public static <T> ElementThrottle<T> of(MultiLimiter limiter, Function<? super T, Costs> costs, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNull(costs, "costs");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return new ElementThrottle<>(
        Step.costs(limiter, element -> Args.requireNonNull(costs.apply((T) element), "costs"), null, maxWait));
  }

  /** {@code source}, each element passed on once its cost is granted. */
  @Override
  public Publisher<T> apply(Publisher<T> source) {
    return source instanceof Mono<T> m ? mono(m) : flux(source);
  }

  /** {@code source}'s value, passed on once its cost is granted. */
  public Mono<T> mono(Mono<T> source) {
    return Args.requireNonNull(source, "source").flatMap(this::gate);
  }

  /** {@code source}'s elements, each passed on once its cost is granted, in order. */
  public Flux<T> flux(Publisher<T> source) {
    return Flux.from(Args.requireNonNull(source, "source")).concatMap(this::gate, 0);
  }

  private Mono<T> gate(T element) {
    // a cost function that throws fails the stream
    return Bridge.mono(Mono.just(element), attempt -> step.wrap(element, attempt));
  }
}
