package io.throttlenet.decorators;

import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.vavr.CheckedFunction0;
import io.vavr.control.Try;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decorates a call with any capabilities, in one fluent, immutable chain:
 *
 * <pre>{@code
 * Supplier<String> guarded = Decorators.ofSupplier(() -> client.call())
 *     .withThrottle(throttle)     // 1. innermost: every attempt takes a permit
 *     .withBreaker(breaker)       // 2. every attempt is recorded; an open breaker fails fast
 *     .withRetry(retry)           // 3. retries everything inside it
 *     .withFallback(e -> "n/a")   // 4. outermost: the final failure becomes a value
 *     .decorate();
 * }</pre>
 *
 * <h2>Wrapping order: a later {@code with} is an outer layer</h2>
 *
 * <pre>
 *   caller ─▶ fallback ─▶ retry ─▶ breaker ─▶ throttle ─▶ [call event] ─▶ call
 *             (4, outer)                      (1, inner)
 * </pre>
 *
 * The order above is the one we recommend for outbound calls: the throttle innermost, so each
 * retry attempt pays for its own permit and the downstream's budget is never exceeded by retries;
 * a timeout ({@link DecoratorChain#withTimeout}) next, so each attempt is timed, waits included;
 * the breaker inside the retry, so every attempt that reached the downstream is counted and an
 * open breaker stops the retry at once (a retry never retries throttle-net's own rejections by
 * default) without spending budget; a queue or bulkhead next to the throttle; the fallback
 * outermost. Reversing retry and throttle would let a retried call go out without a permit.
 *
 * <h2>Safe by default</h2>
 *
 * No step waits without a bound: throttle steps wait at most {@link #DEFAULT_MAX_WAIT} unless
 * given their own (a longer predicted wait is refused at once, charging nothing), a queue step has
 * a deadline of the same length, and a bulkhead waits at most its own {@code maxWait}. (A {@code
 * CircuitBreaker} built around a limiter, {@code build(limiter)}, waits for that limiter's permit
 * without a bound: in a chain, give the limiter its own throttle step instead.) A {@code
 * Retry} does not retry rejections or programming errors; a breaker counts only what the
 * downstream did. An asynchronous call cancelled by its caller passes the cancel inward, while a
 * bulkhead slot or a half-open probe the running call holds stays held until the call really
 * ends (a stage that completes when cancelled, a plain {@code CompletableFuture}, is taken to
 * have ended then).
 *
 * <h2>One call shape, outcome events</h2>
 *
 * Every entry point is adapted to one internal call shape and every step is a {@link
 * io.throttlenet.core.Decorator} over it, so any decorator of your own composes with {@link
 * DecoratorChain#with}. Around the call itself, innermost, each attempt is classified once
 * ({@link DecoratorChain#classifiedBy}) and published as a {@link io.throttlenet.core.CallEvent}
 * under the chain's {@linkplain DecoratorChain#named name}: adaptive controllers and metrics
 * subscribe to it without any wiring in the chain. When nobody listens, that costs one volatile
 * read, and the synchronous path of throttle, retry and breaker allocates nothing.
 *
 * <h2>Exceptions</h2>
 *
 * The call's own exceptions reach the caller unwrapped where the terminal's type allows: {@link
 * CallableChain#call()} throws them as they are; the {@link Supplier}, {@link Runnable} and {@link
 * Function} terminals cannot throw checked exceptions, so they wrap a checked one (including an
 * {@link InterruptedException} from a wait, which also keeps the thread interrupted) in a {@link
 * CompletionException}. Asynchronous chains never block: permits, queue turns and retry delays
 * are waited for by the ticker's scheduler.
 *
 * <p>Vavr is optional: {@link #ofCheckedSupplier} and the {@code tryGet()} terminals need it on
 * the class path, nothing else does. Thread-safe.
 */
public final class Decorators {
  /**
   * The longest a waiting step waits unless told otherwise: a throttle (plain, multi-dimensional,
   * per-key or layered) for its permits, and a queue step for its turn. 30 seconds. A call that
   * would wait longer is refused at once when the wait can be predicted (a {@code
   * MaxWaitExceededException}, or the queue's {@code DeadlineExceededException}); nothing is
   * charged for it.
   */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  private Decorators() {}

  /** A chain over {@code supplier}. */
  public static <T> SupplierChain<T> ofSupplier(Supplier<? extends T> supplier) {
    Args.requireNonNull(supplier, "supplier");
    return new SupplierChain<>(supplier::get, Spec.empty());
  }

  /** A chain over {@code callable}; its exceptions reach the caller unwrapped. */
  public static <T> CallableChain<T> ofCallable(Callable<? extends T> callable) {
    Args.requireNonNull(callable, "callable");
    return new CallableChain<>(callable::call, Spec.empty());
  }

  /** A chain over {@code runnable}. */
  public static RunnableChain ofRunnable(Runnable runnable) {
    Args.requireNonNull(runnable, "runnable");
    return new RunnableChain(
        () -> {
          runnable.run();
          return null;
        },
        Spec.empty());
  }

  /** A chain over {@code function}: steps may depend on each call's argument (its cost). */
  public static <A, T> FunctionChain<A, T> ofFunction(Function<? super A, ? extends T> function) {
    Args.requireNonNull(function, "function");
    return new FunctionChain<>(function, Spec.empty());
  }

  /**
   * A chain over an asynchronous call: no thread is blocked while it waits for a permit, a turn
   * or a retry delay. {@code call} is invoked once per attempt.
   */
  public static <T> StageChain<T> ofCompletionStage(Supplier<? extends CompletionStage<T>> call) {
    Args.requireNonNull(call, "call");
    return new StageChain<>(call, Spec.empty());
  }

  /** A chain over a Vavr {@link CheckedFunction0}; needs Vavr on the class path. */
  public static <T> CheckedChain<T> ofCheckedSupplier(CheckedFunction0<? extends T> supplier) {
    Args.requireNonNull(supplier, "supplier");
    return new CheckedChain<>(supplier, Spec.empty());
  }

  /**
   * Runs a composed call into a Vavr {@link Try}. Vavr rethrows an {@link InterruptedException}
   * instead of capturing it (it counts it as fatal), so an interrupted wait is captured as a
   * {@link CompletionException} with the thread's interrupt status restored.
   */
  static <T> Try<T> tryOf(CheckedSupplier<T> composed) {
    return Try.of(() -> {
      try {
        return composed.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    });
  }

  /** Runs a composed call from a terminal that cannot throw checked exceptions. */
  static <T> T unchecked(CheckedSupplier<T> composed) {
    try {
      return composed.get();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  /**
   * A chain over a {@link Supplier}.
   *
   * @param <T> the result type
   */
  public static final class SupplierChain<T> extends CallChain<T, SupplierChain<T>> {
    private final CheckedSupplier<T> call;

    SupplierChain(CheckedSupplier<T> call, Spec spec) {
      super(spec);
      this.call = call;
    }

    @Override
    SupplierChain<T> copy(Spec spec) {
      return new SupplierChain<>(call, spec);
    }

    /** The decorated supplier; reuse it for many calls. */
    public Supplier<T> decorate() {
      CheckedSupplier<T> c = composed(call);
      return () -> unchecked(c);
    }

    /** Makes one decorated call. */
    public T get() {
      return unchecked(composed(call));
    }

    /** Makes one decorated call, its failure captured in a Vavr {@link Try}; needs Vavr. */
    public Try<T> tryGet() {
      return tryOf(composed(call));
    }
  }

  /**
   * A chain over a {@link Callable}: exceptions reach the caller unwrapped.
   *
   * @param <T> the result type
   */
  public static final class CallableChain<T> extends CallChain<T, CallableChain<T>> {
    private final CheckedSupplier<T> call;

    CallableChain(CheckedSupplier<T> call, Spec spec) {
      super(spec);
      this.call = call;
    }

    @Override
    CallableChain<T> copy(Spec spec) {
      return new CallableChain<>(call, spec);
    }

    /** The decorated callable; reuse it for many calls. */
    public Callable<T> decorate() {
      return composed(call)::get;
    }

    /**
     * Makes one decorated call.
     *
     * @throws Exception the call's own exception, unwrapped, or a capability's rejection
     */
    public T call() throws Exception {
      return composed(call).get();
    }

    /** Makes one decorated call, its failure captured in a Vavr {@link Try}; needs Vavr. */
    public Try<T> tryGet() {
      return tryOf(composed(call));
    }
  }

  /** A chain over a {@link Runnable}. A fallback's result is ignored (return null). */
  public static final class RunnableChain extends CallChain<Void, RunnableChain> {
    private final CheckedSupplier<Void> call;

    RunnableChain(CheckedSupplier<Void> call, Spec spec) {
      super(spec);
      this.call = call;
    }

    @Override
    RunnableChain copy(Spec spec) {
      return new RunnableChain(call, spec);
    }

    /** The decorated runnable; reuse it for many calls. */
    public Runnable decorate() {
      CheckedSupplier<Void> c = composed(call);
      return () -> unchecked(c);
    }

    /** Makes one decorated call. */
    public void run() {
      unchecked(composed(call));
    }
  }

  /**
   * A chain over a {@link Function}: steps may depend on each call's argument, such as the tokens
   * a prompt will cost. Each call composes its steps afresh for its argument (a few small objects
   * per call; the other chains compose once).
   *
   * @param <A> the argument type
   * @param <T> the result type
   */
  public static final class FunctionChain<A, T> extends DecoratorChain<T, FunctionChain<A, T>> {
    private final Function<? super A, ? extends T> function;

    FunctionChain(Function<? super A, ? extends T> function, Spec spec) {
      super(spec);
      this.function = function;
    }

    @Override
    FunctionChain<A, T> copy(Spec spec) {
      return new FunctionChain<>(function, spec);
    }

    /**
     * Adds a step that charges {@code costs} of each call's argument to {@code limiter} before
     * the call, waiting at most {@link #DEFAULT_MAX_WAIT} (an unknown dimension fails that call
     * with an {@link IllegalArgumentException}).
     */
    public FunctionChain<A, T> withThrottle(MultiLimiter limiter, Function<? super A, Costs> costs) {
      return withThrottle(limiter, costs, DEFAULT_MAX_WAIT);
    }

    /**
     * Adds a step that charges {@code costs} of each call's argument to {@code limiter} before
     * the call, waiting at most {@code maxWait}.
     *
     * @throws IllegalArgumentException if {@code maxWait} is negative
     */
    @SuppressWarnings("unchecked")
    public FunctionChain<A, T> withThrottle(
        MultiLimiter limiter, Function<? super A, Costs> costs, Duration maxWait) {
      Args.requireNonNull(limiter, "limiter");
      Args.requireNonNull(costs, "costs");
      Args.requireNonNegativeNanos(maxWait, "maxWait");
      return copy(spec.with(Layer.costs(limiter, arg -> costs.apply((A) arg), null, maxWait)));
    }

    /**
     * Adds a step that reserves {@code estimate} of each call's argument on {@code limiter}
     * (waiting at most {@link #DEFAULT_MAX_WAIT}) and settles it at {@code actual} of the argument
     * and the result when the call returns (a failed call keeps the estimate charged).
     */
    public FunctionChain<A, T> withThrottle(
        MultiLimiter limiter, Function<? super A, Costs> estimate, BiFunction<? super A, ? super T, Costs> actual) {
      return withThrottle(limiter, estimate, actual, DEFAULT_MAX_WAIT);
    }

    /**
     * Like {@link #withThrottle(MultiLimiter, Function, BiFunction)}, waiting at most {@code
     * maxWait} for the estimate.
     *
     * @throws IllegalArgumentException if {@code maxWait} is negative
     */
    @SuppressWarnings("unchecked")
    public FunctionChain<A, T> withThrottle(
        MultiLimiter limiter,
        Function<? super A, Costs> estimate,
        BiFunction<? super A, ? super T, Costs> actual,
        Duration maxWait) {
      Args.requireNonNull(limiter, "limiter");
      Args.requireNonNull(estimate, "estimate");
      Args.requireNonNull(actual, "actual");
      Args.requireNonNegativeNanos(maxWait, "maxWait");
      return copy(spec.with(Layer.costs(
          limiter, arg -> estimate.apply((A) arg), (arg, result) -> actual.apply((A) arg, (T) result), maxWait)));
    }

    /**
     * Adds a step that takes one permit of the limiter in {@code perKey} for the key {@code key}
     * gives of each call's argument (its tenant), waiting at most {@link #DEFAULT_MAX_WAIT}.
     */
    public <K> FunctionChain<A, T> withThrottle(PerKey<K> perKey, Function<? super A, ? extends K> key) {
      return withThrottle(perKey, key, 1, DEFAULT_MAX_WAIT);
    }

    /**
     * Adds a step that takes {@code cost} of the limiter in {@code perKey} for the key {@code
     * key} gives of each call's argument, waiting at most {@code maxWait}.
     *
     * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
     */
    @SuppressWarnings("unchecked")
    public <K> FunctionChain<A, T> withThrottle(
        PerKey<K> perKey, Function<? super A, ? extends K> key, long cost, Duration maxWait) {
      Args.requireNonNull(key, "key");
      return copy(spec.with(Layer.keyed(Grants.of(perKey, cost, maxWait), arg -> key.apply((A) arg))));
    }

    /**
     * Adds a step that takes one permit from every scope of {@code layered} (global and per-key;
     * it must have no per-endpoint scope) for the tenant {@code key} gives of each call's
     * argument, waiting at most {@link #DEFAULT_MAX_WAIT}.
     *
     * @throws IllegalArgumentException if {@code layered} has a per-endpoint scope
     */
    public <K> FunctionChain<A, T> withThrottle(Layered<K> layered, Function<? super A, ? extends K> key) {
      Args.requireNonNull(key, "key");
      return withLayered(layered, Grants.of(layered, null, 1, DEFAULT_MAX_WAIT), key);
    }

    /**
     * Adds a step that takes {@code cost} from every scope of {@code layered} for the tenant
     * {@code key} gives of each call's argument, on the endpoint {@code endpoint} gives of it,
     * waiting at most {@code maxWait}.
     *
     * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
     */
    @SuppressWarnings("unchecked")
    public <K> FunctionChain<A, T> withThrottle(
        Layered<K> layered,
        Function<? super A, ? extends K> key,
        Function<? super A, ? extends K> endpoint,
        long cost,
        Duration maxWait) {
      Args.requireNonNull(layered, "layered");
      Args.requireNonNull(key, "key");
      Args.requireNonNull(endpoint, "endpoint");
      Args.requireNonNegative(cost, "cost");
      Args.requireNonNegativeNanos(maxWait, "maxWait");
      // the endpoint varies per call: resolve both from the argument, as one key
      Function<Object, CompletionStage<Void>> grant = pair -> {
        Object[] kv = (Object[]) pair;
        return layered.acquireAsync((K) kv[0], (K) kv[1], cost, maxWait);
      };
      return copy(spec.with(Layer.keyed(grant, arg -> new Object[] {key.apply((A) arg), endpoint.apply((A) arg)})));
    }

    @SuppressWarnings("unchecked")
    private <K> FunctionChain<A, T> withLayered(
        Layered<K> layered, Function<Object, CompletionStage<Void>> grant, Function<? super A, ? extends K> key) {
      return copy(spec.with(Layer.keyed(grant, arg -> key.apply((A) arg))));
    }

    /** The decorated function; reuse it for many calls. */
    public Function<A, T> decorate() {
      return this::apply;
    }

    /** Makes one decorated call with {@code argument}. */
    public T apply(A argument) {
      return unchecked(spec.compose(argument, () -> function.apply(argument)));
    }
  }

  /**
   * A chain over an asynchronous call; nothing in it blocks a thread.
   *
   * @param <T> the result type
   */
  public static final class StageChain<T> extends CallChain<T, StageChain<T>> {
    private final Supplier<? extends CompletionStage<T>> call;
    private volatile Supplier<CompletionStage<T>> composed;

    StageChain(Supplier<? extends CompletionStage<T>> call, Spec spec) {
      super(spec);
      this.call = call;
    }

    @Override
    StageChain<T> copy(Spec spec) {
      return new StageChain<>(call, spec);
    }

    /** The decorated asynchronous call; reuse it for many calls. */
    public Supplier<CompletionStage<T>> decorate() {
      Supplier<CompletionStage<T>> c = composed;
      if (c == null) {
        c = spec.composeAsync(null, call);
        composed = c;
      }
      return c;
    }

    /**
     * Starts one decorated call. Cancelling the returned stage reaches inward through every step
     * (fallback, retry, breaker, bulkhead, queue, throttle): a step still waiting for a permit or a
     * turn gives it back and never starts the call, and a retry makes no further attempt. A call
     * already running gets the cancel on its own stage, if that stage can be cancelled.
     */
    public CompletionStage<T> get() {
      return decorate().get();
    }
  }

  /**
   * A chain over a Vavr {@link CheckedFunction0}; needs Vavr on the class path.
   *
   * @param <T> the result type
   */
  public static final class CheckedChain<T> extends CallChain<T, CheckedChain<T>> {
    private final CheckedFunction0<? extends T> supplier;
    private final CheckedSupplier<T> call;

    CheckedChain(CheckedFunction0<? extends T> supplier, Spec spec) {
      super(spec);
      this.supplier = supplier;
      this.call = () -> {
        try {
          return supplier.apply();
        } catch (Exception | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new CompletionException(t); // a bare Throwable: no step can pass it otherwise
        }
      };
    }

    @Override
    CheckedChain<T> copy(Spec spec) {
      return new CheckedChain<>(supplier, spec);
    }

    private CheckedSupplier<T> composed() {
      return composed(call);
    }

    /** The decorated function; reuse it for many calls. */
    public CheckedFunction0<T> decorate() {
      return composed()::get;
    }

    /**
     * Makes one decorated call.
     *
     * @throws Throwable the call's own failure, unwrapped, or a capability's rejection
     */
    public T get() throws Throwable {
      return composed().get();
    }

    /** Makes one decorated call, its failure captured in a {@link Try}. */
    public Try<T> tryGet() {
      return tryOf(composed());
    }
  }
}
