package io.throttlenet.retry;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Runs a call again when it fails (or returns an unwanted result), waiting between attempts as a
 * {@link Backoff} says or as the server asked.
 *
 * <pre>{@code
 * Retry retry = Retry.of(Backoff.ofDefaults()).maxAttempts(5);
 * String body = retry.run(() -> client.get(url), e ->
 *     e instanceof HttpStatusException h && h.status() == 429
 *         ? h.retryAfter().map(RetryAction::retryAfter).orElse(RetryAction.retry())
 *         : RetryAction.retry());
 * }</pre>
 *
 * <p>Each failure goes to a classifier: {@link RetryAction#retry()} waits the backoff's delay,
 * {@link RetryAction#retryAfter(Duration)} waits the server's hint (capped at {@link
 * Builder#maxRetryAfter}, default 5 minutes), {@link RetryAction#fail()} stops at once. Without a
 * classifier, {@link #defaultClassifier()} decides: failures of the call are retried; programming
 * errors and throttle-net's own rejections (an open breaker, a wait longer than allowed) are not.
 * Whatever the classifier, an {@link InterruptedException}, an exception on the ignore list and a
 * {@linkplain io.throttlenet.core.RejectedException#isPermanent() permanent} rejection (a cost that
 * can never fit) are never retried. Results can be
 * classified too, so a 503 response is retried without being thrown. At most {@code maxAttempts}
 * calls are made (default 3); an optional {@link Builder#maxDuration} bounds the whole, waits
 * included; an optional shared {@link RetryBudget} caps retries across callers.
 *
 * <p>What the caller sees: the result; or the call's own last exception, unwrapped, with the
 * earlier failures attached as suppressed; or, only when the deadline or the budget stopped the
 * retrying, a {@link RetryDeadlineExceededException} or {@link RetryBudgetExhaustedException} whose
 * cause is that last exception. When attempts run out on an unwanted result, that result is
 * returned. An interrupt during a wait stops retrying: the interrupt flag is restored and the last
 * failure thrown.
 *
 * <p>Waits go through the {@link Ticker}: blocking runs park, asynchronous runs are scheduled and
 * hold no thread, and a {@code ManualTicker} drives both in tests. Immutable and thread-safe; the
 * {@code with}-style methods ({@link #maxAttempts(int)}) return a modified copy.
 */
public final class Retry implements Decorator<Object> {
  private final Config config;
  private final EventPublisher<RetryEvent.Attempt> attemptEvents;
  private final EventPublisher<RetryEvent.SucceededAfterRetries> successEvents;
  private final EventPublisher<RetryEvent.Exhausted> exhaustedEvents;
  private final EventPublisher<RetryEvent.Aborted> abortedEvents;
  private final EventPublisher<RetryEvent.BudgetExhausted> budgetEvents;

  private Retry(Config config) {
    this.config = config;
    EventRegistry events = config.events;
    this.attemptEvents = events.publisher(RetryEvent.Attempt.class, config.name);
    this.successEvents = events.publisher(RetryEvent.SucceededAfterRetries.class, config.name);
    this.exhaustedEvents = events.publisher(RetryEvent.Exhausted.class, config.name);
    this.abortedEvents = events.publisher(RetryEvent.Aborted.class, config.name);
    this.budgetEvents = events.publisher(RetryEvent.BudgetExhausted.class, config.name);
  }

  /** A retry with {@code backoff} and the defaults (3 attempts, {@link #defaultClassifier()}). */
  public static Retry of(Backoff backoff) {
    return builder().backoff(backoff).build();
  }

  /** A builder; every option has a default (the backoff's is {@link Backoff#ofDefaults()}). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A copy of this retry making at most {@code maxAttempts} calls.
   *
   * @throws IllegalArgumentException if {@code maxAttempts < 1}
   */
  public Retry maxAttempts(int maxAttempts) {
    Builder b = toBuilder();
    b.maxAttempts = -1;
    return b.maxAttempts(maxAttempts).build();
  }

  /**
   * A copy of this retry that stops when the next wait would end after {@code maxDuration} from
   * the first call.
   *
   * @throws IllegalArgumentException if not positive
   */
  public Retry maxDuration(Duration maxDuration) {
    Builder b = toBuilder();
    b.maxDuration = null;
    return b.maxDuration(maxDuration).build();
  }

  /** This retry's name, used in events and errors. */
  public String name() {
    return config.name;
  }

  /** The most calls a run makes. */
  public int maxAttempts() {
    return config.maxAttempts;
  }

  /** The backoff between attempts. */
  public Backoff backoff() {
    return config.backoff;
  }

  /**
   * This retry's configuration with every option that has a value filled in (no deadline, no
   * result classifier and no budget read back as empty). Feed it to {@link Builder#from} for a
   * retry like this one.
   */
  public RetryConfig config() {
    return toBuilder().config();
  }

  /**
   * Runs {@code call}, retrying as the configured classifier says.
   *
   * @throws Exception the call's last failure, or a {@link RetryDeadlineExceededException} or
   *     {@link RetryBudgetExhaustedException}
   */
  public <T> T run(Callable<T> call) throws Exception {
    return run(call, config.classifier);
  }

  /**
   * Runs {@code call}, retrying as {@code classifier} says about each failure.
   *
   * @throws Exception the call's last failure, or a {@link RetryDeadlineExceededException} or
   *     {@link RetryBudgetExhaustedException}
   */
  public <T> T run(Callable<T> call, Function<? super Exception, RetryAction> classifier)
      throws Exception {
    Args.requireNonNull(call, "call");
    Args.requireNonNull(classifier, "classifier");
    return loop(call, classifier, new Run(config.ticker.read()), null, null, false);
  }

  /** Continues a run whose first attempt (made without bookkeeping) failed with {@code first}. */
  private <T> T runAfter(Callable<T> call, Function<? super Exception, RetryAction> classifier, Exception first)
      throws Exception {
    return loop(call, classifier, new Run(config.ticker.read()), null, first, true);
  }

  private <T> T loop(
      Callable<T> call,
      Function<? super Exception, RetryAction> classifier,
      Run run,
      T firstResult,
      Exception firstFailure,
      boolean firstDone)
      throws Exception {
    Ticker ticker = config.ticker;
    boolean attempted = firstDone;
    for (; ; ) {
      T result = firstResult;
      Exception failure = firstFailure;
      if (!attempted) {
        result = null;
        failure = null;
        try {
          result = call.call();
        } catch (Exception e) {
          failure = e;
        }
      }
      attempted = false;
      firstResult = null;
      firstFailure = null;
      Decision next = run.decide(result, failure, classifier);
      if (next.done) {
        return this.<T>finish(run, result, failure, next);
      }
      try {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException(); // even a zero wait must not retry past an interrupt
        }
        ticker.sleepUntil(next.retryAt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure != null) {
          throw run.withSuppressed(failure);
        }
        return result;
      }
    }
  }

  /**
   * Runs an asynchronous call, retrying as the configured classifier says; waits are scheduled on
   * the ticker and hold no thread. The stage completes with the result or fails as {@link
   * #run(Callable)} would throw.
   */
  public <T> CompletionStage<T> runAsync(Supplier<? extends CompletionStage<T>> call) {
    return runAsync(call, config.classifier);
  }

  /** Like {@link #runAsync(Supplier)}, with {@code classifier} deciding about each failure. */
  public <T> CompletionStage<T> runAsync(
      Supplier<? extends CompletionStage<T>> call, Function<? super Exception, RetryAction> classifier) {
    Args.requireNonNull(call, "call");
    Args.requireNonNull(classifier, "classifier");
    Stages.Tracked<T> out = new Stages.Tracked<>();
    new AsyncRun<>(call, classifier, out, new Run(config.ticker.read())).attempt();
    return out;
  }

  @Override
  public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    Callable<R> callable = call::get;
    if (config.budget != null || config.resultClassifier != null || config.maxDurationNanos > 0) {
      return () -> run(callable);
    }
    // Nothing to count or time before the first attempt: a first-time success costs one call.
    return () -> {
      R result;
      try {
        result = callable.call();
      } catch (Exception first) {
        return runAfter(callable, config.classifier, first);
      }
      return result;
    };
  }

  @Override
  public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () -> runAsync(call);
  }

  @Override
  public String toString() {
    return "Retry[" + config.name + ", " + config.maxAttempts + " attempts, " + config.backoff + "]";
  }

  // ---- one run's bookkeeping, shared by the blocking and the asynchronous paths ----

  /** What to do after an attempt: finish (with how), or retry at a time. */
  private static final class Decision {
    static final Decision SUCCESS = new Decision(true, 0, 0);
    static final Decision ABORTED = new Decision(true, 0, 1);
    static final Decision EXHAUSTED = new Decision(true, 0, 2);
    static final Decision DEADLINE = new Decision(true, 0, 3);
    static final Decision BUDGET = new Decision(true, 0, 4);

    final boolean done;
    final long retryAt;
    final int how;

    Decision(boolean done, long retryAt, int how) {
      this.done = done;
      this.retryAt = retryAt;
      this.how = how;
    }
  }

  private final class Run {
    final long start;
    int attempt;
    long previousDelay;
    List<Exception> earlier;

    Run(long start) {
      this.start = start;
      if (config.budget != null) {
        config.budget.recordCall();
      }
    }

    Decision decide(Object result, Exception failure, Function<? super Exception, RetryAction> classifier) {
      attempt++;
      RetryAction action;
      if (failure == null) {
        action = config.resultClassifier == null ? null : config.resultClassifier.apply(result);
        if (action == null || action.kind() == RetryAction.Kind.FAIL) {
          if (attempt > 1 && successEvents.hasListeners()) {
            successEvents.publish(new RetryEvent.SucceededAfterRetries(config.name, attempt));
          }
          return Decision.SUCCESS;
        }
      } else {
        // An interrupted call is a request to stop, never a transient failure.
        action =
            failure instanceof InterruptedException || config.ignored(failure) || permanent(failure)
                ? RetryAction.fail()
                : classifier.apply(failure);
        if (action == null || action.kind() == RetryAction.Kind.FAIL) {
          if (abortedEvents.hasListeners()) {
            abortedEvents.publish(new RetryEvent.Aborted(config.name, attempt, failure));
          }
          return Decision.ABORTED;
        }
      }
      if (attempt >= config.maxAttempts) {
        exhausted(failure);
        return Decision.EXHAUSTED;
      }
      long delay =
          action.kind() == RetryAction.Kind.RETRY_AFTER
              ? Math.min(Args.saturatedNanos(action.after().orElseThrow()), config.maxRetryAfterNanos)
              : config.backoff.delayNanos(attempt, previousDelay, config.random);
      long now = config.ticker.read();
      if (config.maxDurationNanos > 0 && (now - start) > config.maxDurationNanos - delay) {
        exhausted(failure);
        return Decision.DEADLINE;
      }
      if (config.budget != null && !config.budget.tryRetry()) {
        if (budgetEvents.hasListeners()) {
          budgetEvents.publish(new RetryEvent.BudgetExhausted(config.name, attempt));
        }
        return Decision.BUDGET;
      }
      if (attemptEvents.hasListeners()) {
        attemptEvents.publish(
            new RetryEvent.Attempt(config.name, attempt, Duration.ofNanos(delay), Optional.ofNullable(failure)));
      }
      if (failure != null) {
        if (earlier == null) {
          earlier = new ArrayList<>();
        }
        earlier.add(failure);
      }
      previousDelay = delay;
      return new Decision(false, now + delay, 0);
    }

    private void exhausted(Exception failure) {
      if (exhaustedEvents.hasListeners()) {
        exhaustedEvents.publish(new RetryEvent.Exhausted(config.name, attempt, Optional.ofNullable(failure)));
      }
    }

    Exception withSuppressed(Exception last) {
      if (earlier != null) {
        for (Exception e : earlier) {
          if (e != last) {
            last.addSuppressed(e);
          }
        }
        earlier = null;
      }
      return last;
    }
  }

  private <T> T finish(Run run, T result, Exception failure, Decision how) throws Exception {
    if (failure == null) {
      return result;
    }
    Exception last = run.withSuppressed(failure);
    if (how == Decision.DEADLINE) {
      throw new RetryDeadlineExceededException(
          config.name, run.attempt, Duration.ofNanos(config.maxDurationNanos), last);
    }
    if (how == Decision.BUDGET) {
      throw new RetryBudgetExhaustedException(config.name, run.attempt, last);
    }
    throw last;
  }

  /**
   * One asynchronous run: each attempt's completion decides and schedules the next. The run's
   * stage is settled (see {@code Stages.Tracked}) once it is done and no attempt is still running:
   * a cancel reaches the attempt in flight, but whatever an outer step holds stays held until
   * that attempt has really ended.
   */
  private final class AsyncRun<T> {
    final Supplier<? extends CompletionStage<T>> call;
    final Function<? super Exception, RetryAction> classifier;
    final Stages.Tracked<T> out;
    final Run run;
    volatile Ticker.Scheduled timer;
    final AtomicInteger running = new AtomicInteger(); // attempts started and not yet settled

    AsyncRun(
        Supplier<? extends CompletionStage<T>> call,
        Function<? super Exception, RetryAction> classifier,
        Stages.Tracked<T> out,
        Run run) {
      this.call = call;
      this.classifier = classifier;
      this.out = out;
      this.run = run;
      out.whenComplete(
          (ignored, failure) -> {
            Ticker.Scheduled t = timer;
            if (t != null) {
              t.cancel();
            }
            settleIfIdle();
          });
    }

    /** Settles the run's stage if it is done and no attempt is running (Dekker: both volatile). */
    private void settleIfIdle() {
      if (out.isDone() && running.get() == 0) {
        out.settle();
      }
    }

    void attempt() {
      running.incrementAndGet(); // before the check, so a cancel racing it cannot settle early
      if (out.isDone()) {
        running.decrementAndGet();
        settleIfIdle();
        return;
      }
      CompletionStage<T> stage;
      try {
        stage = call.get();
      } catch (Throwable e) {
        running.decrementAndGet();
        completed(null, e);
        return;
      }
      if (stage == null) {
        running.decrementAndGet();
        completed(null, new NullPointerException("the call returned a null stage"));
        return;
      }
      Stages.cancelInward(out, stage); // a cancel of the retry reaches the attempt in flight
      stage.whenComplete(
          (result, thrown) -> {
            Stages.whenSettled(stage, () -> {
              running.decrementAndGet();
              settleIfIdle();
            });
            completed(result, thrown);
          });
    }

    private void completed(T result, Throwable thrown) {
      if (out.isDone()) {
        settleIfIdle(); // cancelled while this attempt ran: it may have been the last one running
        return;
      }
      Throwable t = unwrap(thrown);
      if (t != null && !(t instanceof Exception)) {
        out.completeExceptionally(t); // an Error: never retried
        return;
      }
      Exception failure = (Exception) t;
      Decision next;
      try {
        next = run.decide(result, failure, classifier);
        if (!next.done) {
          timer = config.ticker.schedule(next.retryAt, this::attempt);
          return;
        }
      } catch (Throwable e) {
        out.completeExceptionally(e); // a throwing classifier or scheduler must not hang the caller
        return;
      }
      try {
        out.complete(finish(run, result, failure, next));
      } catch (Exception e) {
        out.completeExceptionally(e);
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.backoff = config.backoff;
    b.maxAttempts = config.maxAttempts;
    b.maxDuration = config.maxDurationNanos > 0 ? Duration.ofNanos(config.maxDurationNanos) : null;
    b.maxRetryAfter = Duration.ofNanos(config.maxRetryAfterNanos);
    b.classifier = config.classifier == DEFAULT_CLASSIFIER ? null : config.classifier;
    b.resultClassifier = config.resultClassifier;
    b.ignored = config.ignored;
    b.budget = config.budget;
    b.name(config.name).ticker(config.ticker).events(config.events);
    b.random = config.random;
    return b;
  }

  private static final Function<Exception, RetryAction> DEFAULT_CLASSIFIER = Retry::byDefault;

  /**
   * The classifier a retry uses unless given one; delegate to it from your own for the cases you
   * do not handle. It answers {@link RetryAction#fail()} for:
   *
   * <ul>
   *   <li>a programming error: {@link IllegalArgumentException}, {@link NullPointerException},
   *       {@link ClassCastException}, {@link UnsupportedOperationException} (the same call fails
   *       the same way again);
   *   <li>every throttle-net {@link RejectedException}: the call never reached the downstream, and
   *       the step that refused it has already applied its own bound (a wait for permits, a
   *       queue's deadline, a breaker's cooldown); retrying would only wait again behind the
   *       caller's back. So an open breaker fails the call at once, with its {@link
   *       RejectedException#retryAfter()} for the caller to act on. To wait for a transient one
   *       instead, classify it yourself, e.g. as {@code RetryAction.retryAfter(e.retryAfter().get())};
   *       a {@linkplain RejectedException#isPermanent() permanent} one is never retried;
   * </ul>
   *
   * and {@link RetryAction#retry()} for everything else. It looks through {@link
   * CompletionException} and {@link ExecutionException}. Thread-safe.
   */
  public static Function<Exception, RetryAction> defaultClassifier() {
    return DEFAULT_CLASSIFIER;
  }

  private static RetryAction byDefault(Exception e) {
    Throwable t = unwrap(e);
    if (t instanceof IllegalArgumentException
        || t instanceof NullPointerException
        || t instanceof ClassCastException
        || t instanceof UnsupportedOperationException) {
      return RetryAction.fail();
    }
    if (t instanceof RejectedException) {
      return RetryAction.fail();
    }
    return RetryAction.retry();
  }

  /** A rejection that no wait can cure: never retried, whatever the classifier says. */
  private static boolean permanent(Exception failure) {
    return unwrap(failure) instanceof RejectedException r && r.isPermanent();
  }

  /** The immutable configuration behind a {@link Retry}. */
  private static final class Config {
    Backoff backoff;
    int maxAttempts;
    long maxDurationNanos;
    long maxRetryAfterNanos;
    Function<? super Exception, RetryAction> classifier;
    Function<Object, RetryAction> resultClassifier;
    List<Class<? extends Throwable>> ignored;
    RetryBudget budget;
    String name;
    Ticker ticker;
    EventRegistry events;
    RandomGenerator random;

    boolean ignored(Throwable t) {
      for (Class<? extends Throwable> c : ignored) {
        if (c.isInstance(t)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Builds a {@link Retry}. Each option may be set once; {@link #build()} validates. The shared
   * options ({@link ComponentBuilder}) default to a unique name such as {@code "retry-1"}, {@link Ticker#system()}
   * and the default event registry. Not thread-safe; the built retry is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private Backoff backoff;
    private int maxAttempts = -1;
    private Duration maxDuration;
    private Duration maxRetryAfter;
    private Function<? super Exception, RetryAction> classifier;
    private Function<Object, RetryAction> resultClassifier;
    private List<Class<? extends Throwable>> ignored;
    private RetryBudget budget;
    private RandomGenerator random;
    private RetryConfig base;
    private boolean baseApplied;

    private Builder() {}

    /**
     * Starts from {@code base}: each option it sets applies unless set on this builder, so one
     * configuration is derived from another. Every value taken from it is checked as if set here.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder from(RetryConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The options set (and those of {@link #from}'s configuration not overridden), checked, as a
     * value; unset options stay empty.
     */
    public RetryConfig config() {
      if (base == null || baseApplied) {
        return own();
      }
      // On a scratch builder, so that this one stays as it was: options may still be set here.
      Builder merged = new Builder();
      merged.fillFrom(own());
      merged.fillFrom(base);
      return merged.own();
    }

    /** The options set on this builder, as a value. */
    private RetryConfig own() {
      return new RetryConfig(
          Optional.ofNullable(backoff),
          maxAttempts >= 1 ? OptionalInt.of(maxAttempts) : OptionalInt.empty(),
          Optional.ofNullable(maxDuration),
          Optional.ofNullable(maxRetryAfter),
          Optional.ofNullable(classifier),
          Optional.ofNullable(resultClassifier),
          Optional.ofNullable(ignored),
          Optional.ofNullable(budget));
    }

    /** Takes the base's options once, before building (see {@link #fillFrom}). */
    private void applyBase() {
      if (base != null && !baseApplied) {
        baseApplied = true;
        fillFrom(base);
      }
    }

    /** Takes each option not set here from {@code b}, through its setter so it is checked. */
    private void fillFrom(RetryConfig b) {
      if (backoff == null) {
        b.backoff().ifPresent(this::backoff);
      }
      if (maxAttempts < 0) {
        b.maxAttempts().ifPresent(this::maxAttempts);
      }
      if (maxDuration == null) {
        b.maxDuration().ifPresent(this::maxDuration);
      }
      if (maxRetryAfter == null) {
        b.maxRetryAfter().ifPresent(this::maxRetryAfter);
      }
      if (classifier == null) {
        b.classifier().ifPresent(this::classifier);
      }
      if (resultClassifier == null) {
        b.resultClassifier().ifPresent(this::classifyResults);
      }
      if (ignored == null) {
        b.ignoreExceptions().ifPresent(this::ignoreAll);
      }
      if (budget == null) {
        b.budget().ifPresent(this::budget);
      }
    }

    /** The delays between attempts; defaults to {@link Backoff#ofDefaults()}. */
    public Builder backoff(Backoff backoff) {
      Args.requireUnset(this.backoff != null, "backoff");
      this.backoff = Args.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * The most calls a run makes, the first included; default 3.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxAttempts(int maxAttempts) {
      Args.requireUnset(this.maxAttempts >= 0, "maxAttempts");
      Args.requireAtLeastOne(maxAttempts, "maxAttempts");
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * A deadline for the whole run, waits included: no retry is started if its wait would end
     * after it. Unset by default.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxDuration(Duration maxDuration) {
      Args.requireUnset(this.maxDuration != null, "maxDuration");
      Args.requirePositiveNanos(maxDuration, "maxDuration");
      this.maxDuration = maxDuration;
      return this;
    }

    /**
     * The longest server hint ({@link RetryAction#retryAfter}) honoured; longer ones are cut to
     * it. Default 5 minutes, so a hostile or broken header cannot park a caller for days.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Args.requireUnset(this.maxRetryAfter != null, "maxRetryAfter");
      Args.requireNonNegativeNanos(maxRetryAfter, "maxRetryAfter");
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /** Decides about each failure; by default {@link Retry#defaultClassifier()}. */
    public Builder classifier(Function<? super Exception, RetryAction> classifier) {
      Args.requireUnset(this.classifier != null, "classifier");
      this.classifier = Args.requireNonNull(classifier, "classifier");
      return this;
    }

    /** Retries a result for which {@code shouldRetry} is true (for example a 503 response). */
    public Builder retryOnResult(Predicate<Object> shouldRetry) {
      Args.requireNonNull(shouldRetry, "shouldRetry");
      return classifyResults(r -> shouldRetry.test(r) ? RetryAction.retry() : null);
    }

    /**
     * Decides about each result: {@link RetryAction#retry()} or {@link RetryAction#retryAfter}
     * retries it, {@link RetryAction#fail()} or null returns it as it is.
     */
    public Builder classifyResults(Function<Object, RetryAction> resultClassifier) {
      Args.requireUnset(this.resultClassifier != null, "result classifier");
      this.resultClassifier = Args.requireNonNull(resultClassifier, "resultClassifier");
      return this;
    }

    /** Failures of these types (and subtypes) are never retried, whatever the classifier says. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read and copied, never stored or written
    public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
      Args.requireUnset(this.ignored != null, "ignoreExceptions");
      this.ignored = Args.listOfNonNull(types, "types");
      return this;
    }

    /** {@link #ignoreExceptions} from a list (for configurations). */
    Builder ignoreAll(List<Class<? extends Throwable>> types) {
      Args.requireUnset(this.ignored != null, "ignoreExceptions");
      this.ignored = Args.copyOfNonNull(types, "types");
      return this;
    }

    /** Caps retries with a budget shared by every retry that uses it; none by default. */
    public Builder budget(RetryBudget budget) {
      Args.requireUnset(this.budget != null, "budget");
      this.budget = Args.requireNonNull(budget, "budget");
      return this;
    }

    /** The jitter's random source; seed one for reproducible delays. Defaults to a thread-local one. */
    public Builder random(RandomGenerator random) {
      Args.requireUnset(this.random != null, "random");
      this.random = Args.requireNonNull(random, "random");
      return this;
    }

    /** Builds the retry. */
    public Retry build() {
      applyBase();
      Config c = new Config();
      c.backoff = backoff != null ? backoff : Backoff.ofDefaults();
      c.maxAttempts = maxAttempts >= 1 ? maxAttempts : 3;
      c.maxDurationNanos = maxDuration != null ? Args.saturatedNanos(maxDuration) : 0;
      c.maxRetryAfterNanos = Args.saturatedNanos(maxRetryAfter != null ? maxRetryAfter : Duration.ofMinutes(5));
      c.classifier = classifier != null ? classifier : DEFAULT_CLASSIFIER;
      c.resultClassifier = resultClassifier;
      c.ignored = ignored != null ? ignored : List.of();
      c.budget = budget;
      c.name = nameOr("retry");
      c.ticker = tickerOr(Ticker.system());
      c.events = eventsOrDefault();
      c.random = random != null ? random : new ThreadLocalRandomSource();
      return new Retry(c);
    }
  }

  /** Defers to the calling thread's {@link ThreadLocalRandom} (which must not be shared). */
  private static final class ThreadLocalRandomSource implements RandomGenerator {
    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public long nextLong(long origin, long bound) {
      return ThreadLocalRandom.current().nextLong(origin, bound);
    }
  }
}
