package io.throttlenet.reactor;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.Timeout;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.CallReports;
import io.throttlenet.core.internal.Names;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Puts throttle-net's capabilities around a {@link Mono} or a {@link Flux}: one immutable chain of
 * steps, applied per subscription, that never blocks a thread.
 *
 * <pre>{@code
 * Mono<String> answer = client.ask(prompt)                  // a cold Mono: one call per subscription
 *     .transformDeferred(ReactorThrottling.of()
 *         .withThrottle(throttle)     // 1. innermost: every attempt takes a permit
 *         .withBreaker(breaker)       // 2. every attempt is recorded; an open breaker fails fast
 *         .withRetry(retry)           // 3. re-subscribes to the source, as the retry says
 *         .operator());
 *
 * Flux<Row> rows = db.query(sql).transformDeferred(ReactorThrottling.bulkhead(bulkhead));
 * }</pre>
 *
 * <p>When the steps depend on each call's argument (a prompt's tokens, a request's tenant), build
 * the chain once and apply it with {@link #function}: {@code prompts.concatMap(chain.function(client::ask))}.
 *
 * <h2>The same chain as {@code Decorators}</h2>
 *
 * A later {@code with} is an outer layer, exactly as in throttle-all's {@code Decorators} chain,
 * and every step is the capability's own asynchronous form ({@code decorateAsync}, or the
 * non-blocking {@code acquireAsync} / {@code reserveAsync} of a limiter): the order we recommend
 * (throttle innermost, then a timeout, the breaker, the retry; a bulkhead or queue next to the
 * throttle) means the same here, and each component publishes its events through its own {@link
 * EventRegistry} as it does for any call. Around each attempt, innermost, the chain also publishes
 * one {@link CallEvent.Finished} under its {@linkplain #named name}, classified by its {@link
 * CallClassifier}, when somebody listens.
 *
 * <h2>Subscriptions, attempts, results</h2>
 *
 * Each subscription to the guarded publisher is one call: the steps take what they need (a
 * permit, a reservation, a slot, a turn, the breaker's permission) <em>before</em> the source is
 * subscribed to, and give it back when that subscription ends. Waiting holds no thread: the
 * limiters' waits are scheduled by their {@link Ticker} (use {@link SchedulerTicker} to wait on a
 * Reactor {@code Scheduler}, virtual time included). A step's bound turns into the component's
 * rejection as the publisher's error: a limiter's {@code MaxWaitExceededException}, a bulkhead's
 * {@code BulkheadFullException}, an open breaker's {@code CircuitOpenException}. A retry makes
 * each new attempt by subscribing to the source again: guard a cold publisher (a {@code
 * Mono.defer}, a {@code WebClient} exchange), not a hot one.
 *
 * <p>An attempt's <em>result</em>, what a breaker's or retry's result predicates, a settle
 * function and the call classifier see, is the {@code Mono}'s value (null when empty), or the
 * {@code Flux}'s <em>last</em> element (null when empty): for a stream whose last element carries
 * the totals, such as an LLM response's usage, that is the figure to settle with. A {@code Mono}'s
 * value is delivered once the chain has decided about it (its slot given back, its outcome
 * recorded); a {@code Flux}'s elements flow as the source emits them, and a retried {@code Flux}
 * emits again from its start, as Reactor's own {@code retry} does.
 *
 * <h2>Cancellation</h2>
 *
 * A cancel by the subscriber reaches every step: a wait for a permit, a slot or a turn gives its
 * place back (the reservation is cancelled, the waiter leaves the line) and the source is never
 * subscribed to; a retry makes no further attempt and drops its pending delay; a running
 * attempt's subscription is cancelled, and what it holds is given back once: a bulkhead slot or
 * queue turn is released as {@link Outcome#IGNORED}, the breaker counts nothing (a cancel says
 * nothing about the downstream) and frees a half-open probe, a multi-dimensional reservation keeps
 * its estimate (the call may have gone out). A permit that was spent on a started attempt is not
 * refunded: the call went out.
 *
 * <p>Instances are immutable and thread-safe; every {@code with…} returns a new chain.
 */
public final class ReactorThrottling {
  /**
   * The longest a throttle or queue step waits unless told otherwise: 30 seconds, as in the
   * {@code Decorators} chain. A longer predicted wait is refused at once, and nothing is charged.
   */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  private static final Step[] NO_STEPS = new Step[0];

  private final Step[] steps; // innermost first
  private final boolean perArgument; // some step reads the argument of a function(..) call
  private final String name;
  private final EventRegistry events;
  private final Ticker ticker;
  private final CallClassifier classifier;
  private final AtomicReference<String> defaultName = new AtomicReference<>();
  private volatile EventPublisher<CallEvent.Finished> publisher;

  private ReactorThrottling(
      Step[] steps, boolean perArgument, String name, EventRegistry events, Ticker ticker, CallClassifier classifier) {
    this.steps = steps;
    this.perArgument = perArgument;
    this.name = name;
    this.events = events;
    this.ticker = ticker;
    this.classifier = classifier;
  }

  /** An empty chain: add steps with the {@code with…} methods. */
  public static ReactorThrottling of() {
    return new ReactorThrottling(NO_STEPS, false, null, null, null, null);
  }

  // ---- one-step operators, for transformDeferred ----

  /**
   * An operator that takes one permit from {@code limiter} per subscription, waiting at most
   * {@link #DEFAULT_MAX_WAIT}: {@code mono.transformDeferred(ReactorThrottling.rateLimiter(throttle))}.
   */
  public static <T> UnaryOperator<Publisher<T>> rateLimiter(RateLimiter limiter) {
    return of().withThrottle(limiter).operator();
  }

  /**
   * An operator that takes {@code cost} from {@code limiter} per subscription, waiting at most
   * {@code maxWait}; see {@link #withThrottle(RateLimiter, long, Duration)}.
   */
  public static <T> UnaryOperator<Publisher<T>> rateLimiter(RateLimiter limiter, long cost, Duration maxWait) {
    return of().withThrottle(limiter, cost, maxWait).operator();
  }

  /** An operator that runs every subscription through {@code breaker}; see {@link #withBreaker}. */
  public static <T> UnaryOperator<Publisher<T>> circuitBreaker(CircuitBreaker breaker) {
    return of().withBreaker(breaker).operator();
  }

  /** An operator that re-subscribes as {@code retry} says; see {@link #withRetry}. */
  public static <T> UnaryOperator<Publisher<T>> retry(Retry retry) {
    return of().withRetry(retry).operator();
  }

  /** An operator that holds a slot of {@code bulkhead} per subscription; see {@link #withBulkhead}. */
  public static <T> UnaryOperator<Publisher<T>> bulkhead(ConcurrencyLimit bulkhead) {
    return of().withBulkhead(bulkhead).operator();
  }

  // ---- steps ----

  /**
   * Adds a step that takes one permit from {@code limiter} per subscription (per attempt, inside
   * a retry), waiting at most {@link #DEFAULT_MAX_WAIT}.
   */
  public ReactorThrottling withThrottle(RateLimiter limiter) {
    return withThrottle(limiter, 1);
  }

  /**
   * Adds a step that takes {@code cost} from {@code limiter} per subscription, waiting at most
   * {@link #DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code cost} is negative or above the limiter's capacity
   */
  public ReactorThrottling withThrottle(RateLimiter limiter, long cost) {
    return withThrottle(limiter, cost, DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} from {@code limiter} per subscription, waiting at most
   * {@code maxWait} without holding a thread ({@link RateLimiter#acquireAsync(long, Duration)}): a
   * longer predicted wait fails the subscription at once with the limiter's {@link
   * io.throttlenet.core.MaxWaitExceededException}, and nothing is charged. Works with any limiter:
   * a {@code Throttle}, a {@code SlidingWindowLog}, an {@code AllOf}, a {@code PerKey}'s {@code
   * limiter(key)}. A subscription cancelled while it waits gives its reservation back.
   *
   * @throws IllegalArgumentException if {@code cost} is negative or above the limiter's capacity,
   *     or {@code maxWait} is negative
   */
  public ReactorThrottling withThrottle(RateLimiter limiter, long cost, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    if (cost > limiter.capacity()) {
      throw new IllegalArgumentException(
          "cost must be <= the capacity of " + limiter.name() + " (" + limiter.capacity() + "), was " + cost);
    }
    return with(Step.throttle(limiter, arg -> cost, maxWait));
  }

  /**
   * Adds a step that charges {@code costs} to {@code limiter}'s dimensions per subscription,
   * waiting at most {@link #DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code limiter} lacks, or a
   *     cost above its dimension's capacity
   */
  public ReactorThrottling withThrottle(MultiLimiter limiter, Costs costs) {
    return withThrottle(limiter, costs, DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that charges {@code costs} to {@code limiter}'s dimensions per subscription,
   * waiting at most {@code maxWait}; a subscription cancelled before its attempt started gets the
   * whole charge back.
   *
   * @throws IllegalArgumentException if {@code costs} names a dimension {@code limiter} lacks, or a
   *     cost above its dimension's capacity, or {@code maxWait} is negative
   */
  public ReactorThrottling withThrottle(MultiLimiter limiter, Costs costs, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    checkCosts(limiter, costs, "costs");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return with(Step.costs(limiter, arg -> costs, null, maxWait));
  }

  /**
   * Adds a step that reserves {@code estimate} on {@code limiter} per subscription (waiting at most
   * {@link #DEFAULT_MAX_WAIT}) and settles it at {@code actual} of the attempt's result: the
   * {@code Mono}'s value, or the {@code Flux}'s last element (reserve then settle: the output
   * tokens an LLM reports with its answer). Give the lambda's parameter its type, {@code
   * (Answer a) -> Costs.of("tokens", a.tokens())}. An attempt that fails, or is cancelled once
   * started, keeps the estimate charged (the downstream may have counted it); one cancelled
   * before it started gets it back whole. An empty {@code Mono} settles at {@code actual} of null.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code limiter} lacks,
   *     or a cost above its dimension's capacity
   */
  public <R> ReactorThrottling withThrottle(MultiLimiter limiter, Costs estimate, Function<? super R, Costs> actual) {
    return withThrottle(limiter, estimate, actual, DEFAULT_MAX_WAIT);
  }

  /**
   * Like {@link #withThrottle(MultiLimiter, Costs, Function)}, waiting at most {@code maxWait}
   * for the estimate.
   *
   * @throws IllegalArgumentException if {@code estimate} names a dimension {@code limiter} lacks,
   *     or a cost above its dimension's capacity, or {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked")
  public <R> ReactorThrottling withThrottle(
      MultiLimiter limiter, Costs estimate, Function<? super R, Costs> actual, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    checkCosts(limiter, estimate, "estimate");
    Args.requireNonNull(actual, "actual");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return with(Step.costs(limiter, arg -> estimate, (arg, result) -> actual.apply((R) result), maxWait));
  }

  /**
   * Adds a step that takes one permit of {@code key}'s limiter in {@code perKey} per
   * subscription, waiting at most {@link #DEFAULT_MAX_WAIT}.
   */
  public <K> ReactorThrottling withThrottle(PerKey<K> perKey, K key) {
    return withThrottle(perKey, key, 1, DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} of {@code key}'s limiter in {@code perKey} per
   * subscription, waiting at most {@code maxWait}. Unlike the {@code RateLimiter} overload, a
   * {@code cost} above the key's capacity is not refused here: a key's limiter is made on its
   * first use, and its capacity can differ by key, so each subscription fails with {@code
   * CostExceedsCapacityException} instead, before the source is subscribed to.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  public <K> ReactorThrottling withThrottle(PerKey<K> perKey, K key, long cost, Duration maxWait) {
    Args.requireNonNull(perKey, "perKey");
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return with(Step.keyed(arg -> perKey.acquireAsync(key, cost, maxWait)));
  }

  /**
   * Adds a step that takes one permit for tenant {@code key} from every scope of {@code layered}
   * (it must have no per-endpoint scope) per subscription, waiting at most {@link
   * #DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code layered} has a per-endpoint scope
   */
  public <K> ReactorThrottling withThrottle(Layered<K> layered, K key) {
    return withThrottle(layered, key, null, 1, DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} for tenant {@code key} on {@code endpoint} (null if
   * {@code layered} has no per-endpoint scope) from every scope of {@code layered} per
   * subscription, waiting at most {@code maxWait}. A {@code cost} above a scope's capacity is not
   * refused here, for the reason given for the {@code PerKey} overload: each subscription fails
   * with {@code CostExceedsCapacityException} instead, before the source is subscribed to.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative, or {@code
   *     endpoint} is null while {@code layered} has a per-endpoint scope
   */
  public <K> ReactorThrottling withThrottle(Layered<K> layered, K key, K endpoint, long cost, Duration maxWait) {
    Args.requireNonNull(layered, "layered");
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    if (endpoint == null && layered.hasEndpointScope()) {
      throw new IllegalArgumentException(
          "endpoint must be given: " + layered.name() + " has a per-endpoint scope");
    }
    return with(Step.keyed(arg -> layered.acquireAsync(key, endpoint, cost, maxWait)));
  }

  // ---- steps that depend on the argument of a function(..) call ----

  /**
   * Adds a step that takes {@code cost} of each call's argument from {@code limiter}, waiting at
   * most {@code maxWait}; for chains applied with {@link #function} or {@link #fluxFunction}. A
   * cost above the limiter's capacity fails that call with {@code CostExceedsCapacityException}.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked")
  public <A> ReactorThrottling withThrottle(RateLimiter limiter, ToLongFunction<? super A> cost, Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNull(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return withPerArgument(Step.throttle(limiter, arg -> cost.applyAsLong((A) arg), maxWait));
  }

  /**
   * Adds a step that charges {@code costs} of each call's argument to {@code limiter}, waiting
   * at most {@link #DEFAULT_MAX_WAIT}; for chains applied with {@link #function} or {@link
   * #fluxFunction}. A {@code Costs} naming a dimension the limiter lacks fails that call.
   */
  @SuppressWarnings("unchecked")
  public <A> ReactorThrottling withThrottle(MultiLimiter limiter, Function<? super A, Costs> costs) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNull(costs, "costs");
    return withPerArgument(Step.costs(limiter, arg -> costs.apply((A) arg), null, DEFAULT_MAX_WAIT));
  }

  /**
   * Adds a step that reserves {@code estimate} of each call's argument on {@code limiter}
   * (waiting at most {@link #DEFAULT_MAX_WAIT}) and settles it at {@code actual} of the argument
   * and the attempt's result; for chains applied with {@link #function} or {@link #fluxFunction},
   * so that one chain, built once, prices every prompt of a stream by its own size:
   *
   * <pre>{@code
   * Function<Prompt, Mono<Completion>> ask = ReactorThrottling.of()
   *     .withThrottle(llm,
   *         (Prompt p) -> Costs.of("requests", 1, "tokens", p.maxTokens()),
   *         (Prompt p, Completion c) -> Costs.of("requests", 1, "tokens", c.usage().totalTokens()))
   *     .withRetry(retry)
   *     .function(client::complete);
   * Flux<Completion> answers = prompts.concatMap(ask);
   * }</pre>
   *
   * Failures and cancels are settled as for {@link #withThrottle(MultiLimiter, Costs, Function)}.
   */
  public <A, R> ReactorThrottling withThrottle(
      MultiLimiter limiter, Function<? super A, Costs> estimate, BiFunction<? super A, ? super R, Costs> actual) {
    return withThrottle(limiter, estimate, actual, DEFAULT_MAX_WAIT);
  }

  /**
   * Like {@link #withThrottle(MultiLimiter, Function, BiFunction)}, waiting at most {@code
   * maxWait} for the estimate.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked")
  public <A, R> ReactorThrottling withThrottle(
      MultiLimiter limiter,
      Function<? super A, Costs> estimate,
      BiFunction<? super A, ? super R, Costs> actual,
      Duration maxWait) {
    Args.requireNonNull(limiter, "limiter");
    Args.requireNonNull(estimate, "estimate");
    Args.requireNonNull(actual, "actual");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return withPerArgument(Step.costs(
        limiter, arg -> estimate.apply((A) arg), (arg, result) -> actual.apply((A) arg, (R) result), maxWait));
  }

  /**
   * Adds a step that takes {@code cost} of the limiter in {@code perKey} for the key {@code key}
   * gives of each call's argument (its tenant), waiting at most {@code maxWait}; for chains
   * applied with {@link #function} or {@link #fluxFunction}. (Named apart from {@link
   * #withThrottle(PerKey, Object, long, Duration)}, whose fixed key could itself be a function.)
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  @SuppressWarnings("unchecked")
  public <A, K> ReactorThrottling withThrottleKeyedBy(
      PerKey<K> perKey, Function<? super A, ? extends K> key, long cost, Duration maxWait) {
    Args.requireNonNull(perKey, "perKey");
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return withPerArgument(Step.keyed(arg -> perKey.acquireAsync(Args.requireNonNull(key.apply((A) arg), "key"), cost, maxWait)));
  }

  /**
   * Adds a bulkhead: at most its limit of subscriptions run through the steps before it at once;
   * a subscriber waits for a slot (without holding a thread) at most the bulkhead's {@code
   * maxWait}, and at most its {@code maxWaiters} wait at once, or it fails with {@code
   * BulkheadFullException}. The slot is given back when the subscription completes, fails (with
   * the outcome the bulkhead's classifier gives the error) or is cancelled ({@link
   * Outcome#IGNORED}), exactly once.
   */
  public ReactorThrottling withBulkhead(ConcurrencyLimit bulkhead) {
    return with(Step.of(Args.requireNonNull(bulkhead, "bulkhead")));
  }

  /**
   * Adds a fair admission queue: every subscription waits its turn for {@code key} at {@code
   * priority}, at most {@link #DEFAULT_MAX_WAIT}.
   */
  public <K> ReactorThrottling withQueue(AdmissionQueue<K> queue, K key, int priority) {
    return withQueue(queue, key, priority, 1, DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a fair admission queue: every subscription waits its turn for {@code key} at {@code
   * priority} with {@code cost}, at most until {@code deadline} (null: as long as it takes).
   * Over a concurrency limit, the turn is a slot, given back when the subscription ends.
   */
  public <K> ReactorThrottling withQueue(AdmissionQueue<K> queue, K key, int priority, long cost, Duration deadline) {
    Args.requireNonNull(queue, "queue");
    return with(Step.of(queue.decorator(key, priority, cost, deadline)));
  }

  /**
   * Adds a circuit breaker around the steps before it: an open breaker fails the subscription at
   * once with {@code CircuitOpenException} (the source is never subscribed to); otherwise the
   * attempt's end is recorded, its result (the {@code Mono}'s value, the {@code Flux}'s last
   * element) through the breaker's result predicate, its error through its failure predicate. A
   * cancelled attempt counts neither way and frees a half-open probe.
   */
  public ReactorThrottling withBreaker(CircuitBreaker breaker) {
    return with(Step.of(Args.requireNonNull(breaker, "breaker")));
  }

  /**
   * Adds a retry around the steps before it: each attempt subscribes to the source again and
   * passes through those steps again, after the retry's backoff (with its jitter), or the
   * server's hint its classifier reports ({@code RetryAction.retryAfter}); its attempts, budget
   * and deadline apply. The delays are scheduled on the retry's ticker and hold no thread (build
   * the retry with {@link SchedulerTicker} to wait on a Reactor scheduler, virtual time included).
   */
  public ReactorThrottling withRetry(Retry retry) {
    return with(Step.of(Args.requireNonNull(retry, "retry")));
  }

  /**
   * Adds a timeout around the steps before it: a subscription that has not ended within {@code
   * timeout} (waits for permits included) fails with {@link io.throttlenet.core.CallTimeoutException},
   * and its attempt is cancelled. Put it inside the breaker and the retry, so each attempt is timed.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public ReactorThrottling withTimeout(Duration timeout) {
    return with(Timeout.of(timeout));
  }

  /** Adds any decorator, yours or a capability's, around the steps before it (its async form). */
  public ReactorThrottling with(Decorator<?> decorator) {
    return with(Step.of(Args.requireNonNull(decorator, "decorator")));
  }

  private ReactorThrottling with(Step step) {
    return with(step, perArgument);
  }

  /** With a step that reads the argument of a {@link #function} call. */
  private ReactorThrottling withPerArgument(Step step) {
    return with(step, true);
  }

  private ReactorThrottling with(Step step, boolean perArgument) {
    Step[] more = Arrays.copyOf(steps, steps.length + 1);
    more[steps.length] = step;
    return new ReactorThrottling(more, perArgument, name, events, ticker, classifier);
  }

  /**
   * Names the chain: its {@link CallEvent}s are published under this name. Default: a unique name
   * such as {@code "call-1"}.
   *
   * @throws IllegalStateException if already named
   */
  public ReactorThrottling named(String name) {
    Args.requireUnset(this.name != null, "name");
    return new ReactorThrottling(steps, perArgument, Args.requireNonNull(name, "name"), events, ticker, classifier);
  }

  /** Where the chain's call events go; default {@link EventRegistry#defaultRegistry()}. */
  public ReactorThrottling withEvents(EventRegistry events) {
    Args.requireUnset(this.events != null, "events");
    return new ReactorThrottling(steps, perArgument, name, Args.requireNonNull(events, "events"), ticker, classifier);
  }

  /** The clock that times each attempt for its call event; default {@link Ticker#system()}. */
  public ReactorThrottling withTicker(Ticker ticker) {
    Args.requireUnset(this.ticker != null, "ticker");
    return new ReactorThrottling(steps, perArgument, name, events, Args.requireNonNull(ticker, "ticker"), classifier);
  }

  /** How each attempt is classified for its call event; default {@link CallClassifier#defaults()}. */
  public ReactorThrottling classifiedBy(CallClassifier classifier) {
    Args.requireUnset(this.classifier != null, "classifier");
    return new ReactorThrottling(steps, perArgument, name, events, ticker, Args.requireNonNull(classifier, "classifier"));
  }

  // ---- applying the chain ----

  /**
   * The chain as an operator for {@code transformDeferred} or {@code transform}: a {@code Mono}
   * stays a {@code Mono} (use it with {@code Mono.transformDeferred}), anything else becomes a
   * {@code Flux}.
   *
   * @throws IllegalStateException if a step depends on a call's argument (use {@link #function})
   */
  public <T> UnaryOperator<Publisher<T>> operator() {
    requireNoArgument();
    return publisher -> publisher instanceof Mono<T> m ? mono(m) : flux(publisher);
  }

  /**
   * {@code source} guarded by the chain, per subscription; see the class comment.
   *
   * @throws IllegalStateException if a step depends on a call's argument (use {@link #function})
   */
  public <T> Mono<T> mono(Mono<T> source) {
    Args.requireNonNull(source, "source");
    requireNoArgument();
    return Bridge.mono(source, attempt -> compose(null, attempt));
  }

  /**
   * {@code source} guarded by the chain, per subscription; see the class comment.
   *
   * @throws IllegalStateException if a step depends on a call's argument (use {@link #fluxFunction})
   */
  public <T> Flux<T> flux(Publisher<T> source) {
    Args.requireNonNull(source, "source");
    requireNoArgument();
    return Bridge.flux(source, attempt -> compose(null, attempt));
  }

  /**
   * {@code call} guarded by the chain: the function's {@code Mono} for an argument is {@code
   * call}'s, with the chain's steps per subscription, and the steps that depend on the argument
   * (a cost, an estimate, a tenant) read it. Each attempt calls {@code call} afresh. Build the
   * chain once and use the function for every element of a stream ({@code prompts.concatMap(ask)}
   * or {@code flatMap}): the chain's events stay under one name.
   */
  public <A, R> Function<A, Mono<R>> function(Function<? super A, ? extends Mono<R>> call) {
    Args.requireNonNull(call, "call");
    return arg -> Bridge.<R>mono(Mono.defer(() -> call.apply(arg)), attempt -> compose(arg, attempt));
  }

  /** Like {@link #function}, for a call that answers with a stream: each argument's {@code Flux}. */
  public <A, R> Function<A, Flux<R>> fluxFunction(Function<? super A, ? extends Publisher<R>> call) {
    Args.requireNonNull(call, "call");
    return arg -> Bridge.<R>flux(Flux.defer(() -> call.apply(arg)), attempt -> compose(arg, attempt));
  }

  private void requireNoArgument() {
    if (perArgument) {
      throw new IllegalStateException(
          "a step of " + name() + " depends on a call's argument: apply the chain with function(..) or fluxFunction(..)");
    }
  }

  /** The chain's name: the one given, or a unique default fixed on first use. */
  public String name() {
    if (name != null) {
      return name;
    }
    String n = defaultName.get();
    if (n == null) {
      String made = Names.unique("call");
      n = defaultName.compareAndExchange(null, made);
      if (n == null) {
        n = made;
      }
    }
    return n;
  }

  /** {@code attempt} wrapped in every step: one subscription's call, with argument {@code arg}. */
  private Supplier<CompletionStage<Object>> compose(Object arg, Supplier<CompletionStage<Object>> attempt) {
    Supplier<CompletionStage<Object>> s = reporting(attempt);
    for (Step step : steps) {
      s = step.wrap(arg, s);
    }
    return s;
  }

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

  // ---- the innermost step: each attempt is classified once and published, when somebody listens

  private EventPublisher<CallEvent.Finished> publisher() {
    EventPublisher<CallEvent.Finished> p = publisher;
    if (p == null) {
      p = (events != null ? events : EventRegistry.defaultRegistry()).publisher(CallEvent.Finished.class, name());
      publisher = p;
    }
    return p;
  }

  private Supplier<CompletionStage<Object>> reporting(Supplier<CompletionStage<Object>> attempt) {
    EventPublisher<CallEvent.Finished> events = publisher();
    Ticker clock = ticker != null ? ticker : Ticker.system();
    return () -> {
      if (!events.hasListeners()) {
        return attempt.get();
      }
      long start = clock.read();
      return Stages.observe(
          attempt.get(), (result, failure) -> report(events, clock, start, result, Stages.unwrap(failure)));
    };
  }

  private void report(EventPublisher<CallEvent.Finished> events, Ticker clock, long start, Object result, Throwable failure) {
    events.publish(CallReports.finished(name(), classifier, clock.read() - start, result, failure));
  }

  @Override
  public String toString() {
    return "ReactorThrottling[" + name() + ", " + steps.length + " steps]";
  }
}
