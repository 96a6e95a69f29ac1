package io.throttlenet.breaker;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Fails fast while a downstream is failing, and lets a few probes find out when it has recovered.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder()
 *     .trip(Trip.consecutive(5))
 *     .cooldown(Duration.ofSeconds(10))
 *     .build(Throttle.perSecond(100));          // or .build() without a limiter
 * try (CircuitBreaker.Permit permit = breaker.acquire()) {
 *   call();
 *   permit.success();
 * } catch (CircuitOpenException open) {
 *   // fail fast; open.retryAfter() is the rest of the cooldown
 * }
 * }</pre>
 *
 * <p>States: {@link BreakerState#CLOSED} (calls pass, outcomes are counted against the {@link
 * Trip}s), {@link BreakerState#OPEN} (calls are rejected until the cooldown ends; the cooldown may
 * grow on repeated trips, and a server's Retry-After seen while open extends it), {@link
 * BreakerState#HALF_OPEN} (at most {@code halfOpenProbes} calls in flight; {@code successesToClose}
 * successes close it, any failure reopens it), plus {@link BreakerState#FORCED_OPEN} and {@link
 * BreakerState#DISABLED} for operators. A breaker wrapping a limiter checks itself first and
 * rejects without touching the limiter's tokens.
 *
 * <h2>Design</h2>
 *
 * The state is an immutable "generation" object swapped by compare-and-set; every transition
 * creates a new generation, and each permit remembers the generation it was issued in. An outcome
 * reported for an older generation is published but moves nothing, so a slow success from before
 * a trip can never close a half-open breaker. A half-open probe's slot is released however the
 * call ends: reported, closed without a report (a failure), interrupted or cancelled while waiting
 * for the limiter; and if a probe is never heard of again, the slots are reclaimed after {@code
 * probeTimeout} by reopening. Transitions allocate; the closed hot path (check, call, record)
 * allocates nothing but what a {@link Permit} or event needs.
 *
 * <p>Thread-safe.
 */
public final class CircuitBreaker implements Decorator<Object> {
  private final Config config;
  private final AtomicReference<Gen> state;
  private final EventPublisher<BreakerEvent.StateTransition> transitions;
  private final EventPublisher<BreakerEvent.CallNotPermitted> rejections;
  private final EventPublisher<BreakerEvent.Success> successes;
  private final EventPublisher<BreakerEvent.Failure> failures;
  private final EventPublisher<BreakerEvent.SlowCall> slowCalls;

  private CircuitBreaker(Config config) {
    this.config = config;
    EventRegistry events = config.events;
    this.transitions = events.publisher(BreakerEvent.StateTransition.class, config.name);
    this.rejections = events.publisher(BreakerEvent.CallNotPermitted.class, config.name);
    this.successes = events.publisher(BreakerEvent.Success.class, config.name);
    this.failures = events.publisher(BreakerEvent.Failure.class, config.name);
    this.slowCalls = events.publisher(BreakerEvent.SlowCall.class, config.name);
    this.state = new AtomicReference<>(closed(0, config.ticker.read(), 0));
  }

  /** A builder; give at least one {@link Trip} (or accept the default of 5 consecutive failures). */
  public static Builder builder() {
    return new Builder();
  }

  /** This breaker's name, used in events and errors. */
  public String name() {
    return config.name;
  }

  /** The current state. An open breaker whose cooldown has ended reports half-open. */
  public BreakerState state() {
    Gen g = state.get();
    if (g.state == BreakerState.OPEN && config.ticker.read() - g.openUntil >= 0) {
      return BreakerState.HALF_OPEN;
    }
    return g.state;
  }

  /** Probe calls in flight right now (0 unless half-open); for tests and diagnostics. */
  int probesInFlight() {
    Gen g = state.get();
    return g.state == BreakerState.HALF_OPEN ? g.probes.get() : 0;
  }

  /**
   * This breaker's configuration with every option filled in (no result predicate reads back as
   * empty; a fixed cooldown reads back without a multiplier). Feed it to {@link Builder#from} for
   * a breaker like this one.
   */
  public CircuitBreakerConfig config() {
    Config c = config;
    boolean grows = c.cooldownGrowth > 1;
    return new CircuitBreakerConfig(
        Optional.of(c.trips),
        Optional.of(Duration.ofNanos(c.cooldownNanos)),
        grows ? OptionalDouble.of(c.cooldownGrowth) : OptionalDouble.empty(),
        grows ? Optional.of(Duration.ofNanos(c.maxCooldownNanos)) : Optional.empty(),
        OptionalInt.of(c.halfOpenProbes),
        OptionalInt.of(c.successesToClose),
        Optional.of(Duration.ofNanos(c.probeTimeoutNanos)),
        Optional.of(Duration.ofNanos(c.maxRetryAfterNanos)),
        c.recordFailure == ALL_FAILURES ? Optional.empty() : Optional.of(c.recordFailure),
        Optional.ofNullable(c.recordResult),
        Optional.of(c.ignored),
        Optional.of(c.recordRejections));
  }

  /** The wrapped limiter, if any. */
  public Optional<RateLimiter> limiter() {
    return Optional.ofNullable(config.limiter);
  }

  /**
   * A permit to make one call: rejects at once when the breaker is open, otherwise (if a limiter
   * is wrapped) waits for one permit of it. Report the outcome on the permit; closing it without a
   * report counts as a failure.
   *
   * @throws CircuitOpenException if the breaker rejects the call
   * @throws InterruptedException if interrupted while waiting for the limiter; the probe slot and
   *     the limiter's reservation are given back
   */
  public Permit acquire() throws InterruptedException {
    return new Permit(admitAndWait(), config.ticker.read());
  }

  /** Admits a call and, if a limiter is wrapped, waits for one of its permits. */
  private Gen admitAndWait() throws InterruptedException {
    Gen g = admit();
    RateLimiter limiter = config.limiter;
    if (limiter == null) {
      return g;
    }
    Ticker ticker = limiter.ticker();
    long now = ticker.read();
    long wait = limiter.reserve(1, now, Long.MAX_VALUE);
    if (wait < 0) {
      release(g);
      throw wait == RateLimiter.NEVER
          ? new CostExceedsCapacityException(limiter.name(), 1, limiter.capacity())
          : new MaxWaitExceededException(limiter.name(), 1, Duration.ofNanos(RateLimiter.requiredWait(wait)), Duration.ofNanos(Long.MAX_VALUE));
    }
    if (wait > 0) {
      boolean waited = false;
      try {
        ticker.sleepUntil(now + wait);
        waited = true;
      } finally {
        if (!waited) {
          limiter.cancel(1, now, wait);
          release(g);
        }
      }
      if (state.get() != g) {
        // The breaker moved while we waited (it may have opened): admission is decided again.
        limiter.cancel(1, now, wait);
        release(g);
        return admitAndWait();
      }
    }
    return g;
  }

  /**
   * A permit if the breaker admits the call and the wrapped limiter (if any) has a permit free
   * now; never waits.
   *
   * @return the permit, or empty if rejected by either
   */
  public Optional<Permit> tryAcquire() {
    Gen g = tryAdmit();
    if (g == null) {
      return Optional.empty();
    }
    if (config.limiter != null && !config.limiter.tryAcquire(1)) {
      release(g);
      return Optional.empty();
    }
    return Optional.of(new Permit(g, config.ticker.read()));
  }

  /**
   * A permit, asynchronously: fails at once with {@link CircuitOpenException} when open,
   * otherwise completes when the wrapped limiter (if any) grants a permit. Cancelling the stage
   * gives back the probe slot and the limiter's reservation.
   */
  public CompletionStage<Permit> acquireAsync() {
    CompletableFuture<Permit> out = new CompletableFuture<>();
    acquireAsyncInto(out);
    return out;
  }

  private void acquireAsyncInto(CompletableFuture<Permit> out) {
    Gen g;
    try {
      g = admit();
    } catch (CircuitOpenException e) {
      out.completeExceptionally(e);
      return;
    }
    RateLimiter limiter = config.limiter;
    if (limiter == null) {
      if (!out.complete(new Permit(g, config.ticker.read()))) {
        release(g);
      }
      return;
    }
    Ticker ticker = limiter.ticker();
    long now = ticker.read();
    long wait = limiter.reserve(1, now, Long.MAX_VALUE);
    if (wait < 0) {
      release(g);
      out.completeExceptionally(
          wait == RateLimiter.NEVER
              ? new CostExceedsCapacityException(limiter.name(), 1, limiter.capacity())
              : new MaxWaitExceededException(limiter.name(), 1, Duration.ofNanos(RateLimiter.requiredWait(wait)), Duration.ofNanos(Long.MAX_VALUE)));
      return;
    }
    if (wait == 0) {
      if (!out.complete(new Permit(g, config.ticker.read()))) {
        release(g);
      }
      return;
    }
    AtomicBoolean settled = new AtomicBoolean(); // exactly one of grant / give-back happens
    Ticker.Scheduled timer =
        ticker.schedule(
            now + wait,
            () -> {
              if (!settled.compareAndSet(false, true)) {
                return;
              }
              try {
                if (state.get() != g) {
                  // The breaker moved while we waited (it may have opened): decide again.
                  limiter.cancel(1, now, wait);
                  release(g);
                  if (!out.isDone()) {
                    acquireAsyncInto(out);
                  }
                } else if (!out.complete(new Permit(g, config.ticker.read()))) {
                  limiter.cancel(1, now, wait);
                  release(g); // the caller gave up at the instant of the grant
                }
              } catch (RuntimeException | Error e) {
                out.completeExceptionally(e); // never leave the caller waiting
              }
            });
    out.whenComplete(
        (ignored, failure) -> {
          if (failure != null && settled.compareAndSet(false, true)) {
            timer.cancel();
            limiter.cancel(1, now, wait);
            release(g);
          }
        });
  }

  /** Opens the breaker until {@link #reset()}: every call is rejected. */
  public void forceOpen() {
    moveTo(BreakerState.FORCED_OPEN, "forced open");
  }

  /** Switches the breaker off until {@link #reset()}: every call passes, nothing is counted. */
  public void disable() {
    moveTo(BreakerState.DISABLED, "disabled");
  }

  /** Closes the breaker and forgets everything counted. */
  public void reset() {
    moveTo(BreakerState.CLOSED, "reset");
  }

  /**
   * A server asked callers to wait {@code hint} (a Retry-After): if the breaker is open, its open
   * period is extended to end no earlier than that, capped at {@link Builder#maxRetryAfter} (5
   * minutes by default) so a broken header cannot keep it open for days.
   *
   * @throws IllegalArgumentException if {@code hint} is negative
   */
  public void onRetryAfter(Duration hint) {
    long h = Math.min(Args.requireNonNegativeNanos(hint, "hint"), config.maxRetryAfterNanos);
    for (;;) {
      Gen g = state.get();
      if (g.state != BreakerState.OPEN) {
        return;
      }
      long until = config.ticker.read() + h;
      if (until - g.openUntil <= 0) {
        return;
      }
      Gen extended = new Gen(BreakerState.OPEN, g.number, g.since, until, g.trips, null);
      if (state.compareAndSet(g, extended)) {
        return;
      }
    }
  }

  @Override
  public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      Gen g = admitAndWait();
      boolean measured = needsClock();
      long start = measured ? config.ticker.read() : 0;
      R result;
      try {
        result = call.get();
      } catch (Throwable t) {
        recordThrown(g, start, measured, t);
        throw t;
      }
      recordResult(g, start, measured, result);
      return result;
    };
  }

  /** Whether outcomes need a duration: slow-call or time-window trips, or someone listening. */
  private boolean needsClock() {
    return config.timed || successes.hasListeners() || failures.hasListeners() || slowCalls.hasListeners();
  }

  private void recordThrown(Gen g, long start, boolean measured, Throwable cause) {
    boolean ignored =
        cause != null && (config.ignored(cause) || (!config.recordRejections && localRefusal(cause)));
    boolean failed = true;
    try {
      failed = cause == null || config.recordFailure.test(cause);
    } finally {
      record(g, start, measured, failed && !ignored, cause, ignored); // even if the predicate threw
    }
  }

  /**
   * A refusal by a step inside the breaker (a throttle-net rejection: a limiter, queue or bulkhead
   * said no) or an interrupt while waiting: the downstream was never asked, so it says nothing
   * about the downstream's health.
   */
  private static boolean localRefusal(Throwable cause) {
    Throwable t = Stages.unwrap(cause);
    return t instanceof RejectedException || t instanceof InterruptedException;
  }

  private void recordResult(Gen g, long start, boolean measured, Object result) {
    boolean failed = true;
    try {
      failed = config.recordResult != null && config.recordResult.test(result);
    } finally {
      record(g, start, measured, failed, null, false); // even if the predicate threw
    }
  }

  @Override
  public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () ->
        Stages.afterGrant(
            acquireAsync().toCompletableFuture(),
            permit -> callRecording(permit, call),
            Permit::abandon); // cancelled before the call started: nothing to report
  }

  /**
   * Makes the call under {@code permit} and records how it ended; never throws. A recording
   * predicate that throws on a result fails the call with its exception; one that throws on a
   * failure is attached to it as suppressed. A cancelled call (its caller gave up) records nothing.
   */
  private <R> CompletionStage<R> callRecording(Permit permit, Supplier<? extends CompletionStage<R>> call) {
    CompletionStage<R> stage;
    try {
      stage = Args.requireNonNull(call.get(), "the call's stage");
    } catch (Throwable t) {
      recordFailure(permit, t);
      return CompletableFuture.failedStage(t);
    }
    return Stages.observe(
        stage,
        (result, thrown) -> {
          if (thrown == null) {
            permit.result(result);
            return;
          }
          Throwable cause = Stages.unwrap(thrown);
          if (cause instanceof CancellationException) {
            permit.abandon(); // says nothing about the downstream
          } else {
            recordFailure(permit, cause);
          }
        });
  }

  private static void recordFailure(Permit permit, Throwable cause) {
    try {
      permit.failure(cause);
    } catch (RuntimeException | Error e) {
      cause.addSuppressed(e); // the caller still gets the call's own failure
    }
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + config.name + ", " + state() + "]";
  }

  // ---- admission ----

  /** Admits a call or throws; a half-open admission takes a probe slot. */
  private Gen admit() {
    Gen g = tryAdmit();
    if (g != null) {
      return g;
    }
    Gen now = state.get();
    Duration retryAfter = retryAfter(now);
    BreakerState s = now.state == BreakerState.OPEN && retryAfter == null ? BreakerState.HALF_OPEN : now.state;
    throw new CircuitOpenException(config.name, s, retryAfter);
  }

  private Duration retryAfter(Gen g) {
    if (g.state == BreakerState.OPEN) {
      long left = g.openUntil - config.ticker.read();
      return left > 0 ? Duration.ofNanos(left) : null;
    }
    return null;
  }

  private Gen tryAdmit() {
    for (;;) {
      Gen g = state.get();
      switch (g.state) {
        case CLOSED:
        case DISABLED:
          return g;
        case FORCED_OPEN:
          notPermitted(g);
          return null;
        case OPEN:
          long now = config.ticker.read();
          if (now - g.openUntil < 0) {
            notPermitted(g);
            return null;
          }
          transition(g, halfOpen(g, now), "cooldown elapsed");
          continue;
        default: // HALF_OPEN
          long t = config.ticker.read();
          int inFlight = g.probes.get();
          if (inFlight >= config.halfOpenProbes) {
            if (t - g.lastProbeAt.get() >= config.probeTimeoutNanos) {
              transition(g, open(g, t, g.trips + 1), "probe not reported within " + Duration.ofNanos(config.probeTimeoutNanos));
              continue;
            }
            notPermitted(g);
            return null;
          }
          g.lastProbeAt.set(t); // stamped first, so nobody sees a full house with an old stamp
          if (g.probes.compareAndSet(inFlight, inFlight + 1)) {
            return g;
          }
      }
    }
  }

  /** Gives back what admission took (a probe slot) when the call never starts. */
  private void release(Gen g) {
    if (g.state == BreakerState.HALF_OPEN) {
      g.probes.decrementAndGet();
    }
  }

  private void notPermitted(Gen g) {
    if (rejections.hasListeners()) {
      rejections.publish(new BreakerEvent.CallNotPermitted(config.name, g.state, Optional.ofNullable(retryAfter(g))));
    }
  }

  // ---- outcomes ----

  /** Records one call's outcome, issued under generation {@code g}. */
  private void record(Gen g, long start, boolean measured, boolean failed, Throwable cause, boolean ignored) {
    // A success while closed under count-based trips needs no time: skip the clock read there
    // (a count-based trip that fires on a success reads it before opening).
    boolean timeless = !failed && g.state == BreakerState.CLOSED && !config.timed;
    boolean haveNow = !timeless || measured;
    long now = haveNow ? config.ticker.read() : 0;
    long duration = measured ? now - start : 0; // 0: not measured (nobody needed it when it started)
    if (!ignored) {
      publishOutcome(failed, cause, duration);
    }
    try {
      if (ignored || state.get() != g) {
        return; // ignored, or from an earlier generation: it must not move the current state
      }
      switch (g.state) {
        case CLOSED:
          for (int i = 0; i < g.counters.length; i++) {
            if (g.counters[i].record(failed, duration, now)) {
              transition(g, open(g, haveNow ? now : config.ticker.read(), 1), "tripped: " + config.trips.get(i));
              return;
            }
          }
          return;
        case HALF_OPEN:
          if (failed) {
            transition(g, open(g, now, g.trips + 1), "probe failed");
          } else if (g.successes.incrementAndGet() >= config.successesToClose) {
            transition(g, closed(g.number + 1, now, 0), "probes succeeded");
          }
          return;
        default:
          return;
      }
    } finally {
      // The slot is freed only after the outcome has moved the state: a failed probe must not
      // let a new probe into the generation it is closing.
      if (g.state == BreakerState.HALF_OPEN) {
        g.probes.decrementAndGet();
      }
    }
  }

  private void publishOutcome(boolean failed, Throwable cause, long duration) {
    if (failed) {
      if (failures.hasListeners()) {
        failures.publish(new BreakerEvent.Failure(config.name, Duration.ofNanos(duration), Optional.ofNullable(cause)));
      }
    } else if (successes.hasListeners()) {
      successes.publish(new BreakerEvent.Success(config.name, Duration.ofNanos(duration)));
    }
    if (config.slowNanos > 0 && duration > config.slowNanos && slowCalls.hasListeners()) {
      slowCalls.publish(new BreakerEvent.SlowCall(config.name, Duration.ofNanos(duration)));
    }
  }

  // ---- transitions ----

  private boolean transition(Gen from, Gen to, String reason) {
    if (!state.compareAndSet(from, to)) {
      return false;
    }
    if (transitions.hasListeners()) {
      transitions.publish(new BreakerEvent.StateTransition(config.name, from.state, to.state, reason));
    }
    return true;
  }

  private void moveTo(BreakerState target, String reason) {
    for (;;) {
      Gen g = state.get();
      long now = config.ticker.read();
      Gen next =
          target == BreakerState.CLOSED
              ? closed(g.number + 1, now, 0)
              : new Gen(target, g.number + 1, now, now, 0, null);
      if (transition(g, next, reason)) {
        return;
      }
    }
  }

  private Gen closed(long number, long now, int trips) {
    Trip.Counter[] counters = new Trip.Counter[config.trips.size()];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = config.trips.get(i).newCounter();
    }
    return new Gen(BreakerState.CLOSED, number, now, now, trips, counters);
  }

  private Gen open(Gen from, long now, int trips) {
    double grown = config.cooldownNanos * Math.pow(config.cooldownGrowth, Math.max(0, trips - 1));
    long cooldown = grown >= config.maxCooldownNanos ? config.maxCooldownNanos : (long) grown;
    return new Gen(BreakerState.OPEN, from.number + 1, now, now + cooldown, trips, null);
  }

  private Gen halfOpen(Gen from, long now) {
    return new Gen(BreakerState.HALF_OPEN, from.number + 1, now, now, from.trips, null);
  }

  /** One state generation; immutable apart from its half-open counters. */
  private static final class Gen {
    final BreakerState state;
    final long number;
    final long since;
    final long openUntil;
    final int trips;
    final Trip.Counter[] counters;
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger successes = new AtomicInteger();
    final AtomicLong lastProbeAt;

    Gen(BreakerState state, long number, long since, long openUntil, int trips, Trip.Counter[] counters) {
      this.state = state;
      this.number = number;
      this.since = since;
      this.openUntil = openUntil;
      this.trips = trips;
      this.counters = counters;
      this.lastProbeAt = new AtomicLong(since);
    }
  }

  /**
   * Permission to make one call; report exactly one outcome. Closing the permit without a report
   * counts as a failure, so a try-with-resources block that throws is recorded correctly.
   * Thread-safe: the first report wins, later ones are ignored.
   */
  public final class Permit implements io.throttlenet.core.Permit {
    private final Gen generation;
    private final long start;
    private final AtomicBoolean reported = new AtomicBoolean();

    private Permit(Gen generation, long start) {
      this.generation = generation;
      this.start = start;
    }

    /** The call succeeded. */
    public void success() {
      if (reported.compareAndSet(false, true)) {
        record(generation, start, true, false, null, false);
      }
    }

    /**
     * The call failed with {@code cause}. An ignored exception counts as neither success nor
     * failure; one the {@code recordFailure} predicate rejects counts as a success.
     */
    public void failure(Throwable cause) {
      if (reported.compareAndSet(false, true)) {
        recordThrown(generation, start, true, cause);
      }
    }

    /** The call returned {@code result}; a result the breaker treats as failure counts as one. */
    public void result(Object result) {
      if (reported.compareAndSet(false, true)) {
        recordResult(generation, start, true, result);
      }
    }

    /**
     * Reports {@code outcome}: {@link Outcome#SUCCESS} is a success, {@link Outcome#DROPPED} and
     * {@link Outcome#FAILURE} are failures, {@link Outcome#IGNORED} counts nothing and frees the
     * probe slot, as {@link #ignore()} does.
     *
     * @throws NullPointerException if {@code outcome} is null
     */
    @Override
    public void release(Outcome outcome) {
      switch (Args.requireNonNull(outcome, "outcome")) {
        case SUCCESS -> success();
        case IGNORED -> ignore();
        default -> failure(null);
      }
    }

    /**
     * The call ended in a way that says nothing about the downstream (it never reached it, or it
     * was cancelled): counts neither as success nor as failure, and frees a half-open probe slot.
     */
    @Override
    public void ignore() {
      abandon();
    }

    /** The call never started: frees what admission took, counting nothing. */
    void abandon() {
      if (reported.compareAndSet(false, true)) {
        CircuitBreaker.this.release(generation);
      }
    }

    /**
     * Counts as a failure unless an outcome was already reported, like every throttle-net {@link
     * io.throttlenet.core.Permit}: a try-with-resources block that throws is recorded correctly.
     */
    @Override
    public void close() {
      if (reported.compareAndSet(false, true)) {
        record(generation, start, true, true, null, false);
      }
    }
  }

  /** The default: every exception that is not ignored is a failure. */
  private static final Predicate<Throwable> ALL_FAILURES = t -> true;

  private static final class Config {
    List<Trip> trips;
    long cooldownNanos;
    double cooldownGrowth;
    long maxCooldownNanos;
    int halfOpenProbes;
    int successesToClose;
    long probeTimeoutNanos;
    long maxRetryAfterNanos;
    long slowNanos;
    /** Whether some trip needs call durations or times (slow calls, time windows). */
    boolean timed;
    Predicate<Throwable> recordFailure;
    Predicate<Object> recordResult;
    List<Class<? extends Throwable>> ignored;
    boolean recordRejections;
    RateLimiter limiter;
    String name;
    Ticker ticker;
    EventRegistry events;

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
   * Builds a {@link CircuitBreaker}. Each option may be set once; {@link #build()} validates. The
   * shared options ({@link ComponentBuilder}) default to a unique name such as {@code "circuit-breaker-1"}, the
   * wrapped limiter's ticker (else {@link Ticker#system()}) and the default event registry. Not
   * thread-safe; the built breaker is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final List<Trip> trips = new ArrayList<>();
    private Duration cooldown;
    private double growth = -1;
    private Duration maxCooldown;
    private int halfOpenProbes = -1;
    private int successesToClose = -1;
    private Duration probeTimeout;
    private Duration maxRetryAfter;
    private Predicate<Throwable> recordFailure;
    private Predicate<Object> recordResult;
    private List<Class<? extends Throwable>> ignored;
    private Boolean recordRejections;
    private CircuitBreakerConfig base;
    private boolean baseApplied;

    private Builder() {}

    /**
     * Starts from {@code base}: each option it sets applies unless set on this builder (its trips
     * unless trips are added here), so one configuration is derived from another. Every value
     * taken from it is checked as if set here.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder from(CircuitBreakerConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The options set (and those of {@link #from}'s configuration not overridden), checked, as a
     * value; unset options stay empty.
     */
    public CircuitBreakerConfig config() {
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
    private CircuitBreakerConfig own() {
      return new CircuitBreakerConfig(
          trips.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(trips)),
          Optional.ofNullable(cooldown),
          growth >= 1 ? OptionalDouble.of(growth) : OptionalDouble.empty(),
          Optional.ofNullable(maxCooldown),
          halfOpenProbes >= 1 ? OptionalInt.of(halfOpenProbes) : OptionalInt.empty(),
          successesToClose >= 1 ? OptionalInt.of(successesToClose) : OptionalInt.empty(),
          Optional.ofNullable(probeTimeout),
          Optional.ofNullable(maxRetryAfter),
          Optional.ofNullable(recordFailure),
          Optional.ofNullable(recordResult),
          Optional.ofNullable(ignored),
          Optional.ofNullable(recordRejections));
    }

    /** Takes the base's options once, before building (see {@link #fillFrom}). */
    private void applyBase() {
      if (base != null && !baseApplied) {
        baseApplied = true;
        fillFrom(base);
      }
    }

    /** Takes each option not set here from {@code b}, through its setter so it is checked. */
    private void fillFrom(CircuitBreakerConfig b) {
      if (trips.isEmpty()) {
        b.trips().ifPresent(t -> trip(t.toArray(new Trip[0])));
      }
      if (cooldown == null) {
        b.cooldown().ifPresent(this::cooldown);
      }
      if (growth < 0 && (b.cooldownMultiplier().isPresent() || b.maxCooldown().isPresent())) {
        cooldownGrowth(
            b.cooldownMultiplier().orElseThrow(() -> new IllegalArgumentException(
                "cooldownMultiplier must be set with maxCooldown, was empty")),
            b.maxCooldown().orElseThrow(() -> new IllegalArgumentException(
                "maxCooldown must be set with cooldownMultiplier, was empty")));
      }
      if (halfOpenProbes < 0) {
        b.halfOpenProbes().ifPresent(this::halfOpenProbes);
      }
      if (successesToClose < 0) {
        b.successesToClose().ifPresent(this::successesToClose);
      }
      if (probeTimeout == null) {
        b.probeTimeout().ifPresent(this::probeTimeout);
      }
      if (maxRetryAfter == null) {
        b.maxRetryAfter().ifPresent(this::maxRetryAfter);
      }
      if (recordFailure == null) {
        b.recordFailure().ifPresent(this::recordFailure);
      }
      if (recordResult == null) {
        b.recordResult().ifPresent(this::recordResult);
      }
      if (ignored == null) {
        b.ignoreExceptions().ifPresent(this::ignoreAll);
      }
      if (recordRejections == null) {
        b.recordRejections().ifPresent(this::recordRejections);
      }
    }

    /** {@link #ignoreExceptions} from a list (for configurations). */
    Builder ignoreAll(List<Class<? extends Throwable>> types) {
      Args.requireUnset(this.ignored != null, "ignoreExceptions");
      this.ignored = Args.copyOfNonNull(types, "types");
      return this;
    }

    /** Adds trip conditions; any one opens the breaker. Default: {@code Trip.consecutive(5)}. */
    public Builder trip(Trip... conditions) {
      Args.requireNonNull(conditions, "conditions");
      for (Trip t : conditions) {
        trips.add(Args.requireNonNull(t, "trip"));
      }
      return this;
    }

    /**
     * How long the breaker stays open after tripping; default 60 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder cooldown(Duration cooldown) {
      Args.requireUnset(this.cooldown != null, "cooldown");
      Args.requirePositiveNanos(cooldown, "cooldown");
      this.cooldown = cooldown;
      return this;
    }

    /**
     * Grows the cooldown by {@code multiplier} each time a half-open probe fails again, up to
     * {@code max}; by default the cooldown is fixed.
     *
     * @throws IllegalArgumentException if {@code multiplier < 1} or not finite, or max not positive
     */
    public Builder cooldownGrowth(double multiplier, Duration max) {
      Args.requireUnset(this.growth >= 0, "cooldownGrowth");
      if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
      }
      Args.requirePositiveNanos(max, "max");
      this.growth = multiplier;
      this.maxCooldown = max;
      return this;
    }

    /**
     * The most probe calls in flight while half-open; default 1.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder halfOpenProbes(int probes) {
      Args.requireUnset(this.halfOpenProbes >= 0, "halfOpenProbes");
      Args.requireAtLeastOne(probes, "halfOpenProbes");
      this.halfOpenProbes = probes;
      return this;
    }

    /**
     * Probe successes that close a half-open breaker; default 1.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder successesToClose(int successes) {
      Args.requireUnset(this.successesToClose >= 0, "successesToClose");
      Args.requireAtLeastOne(successes, "successesToClose");
      this.successesToClose = successes;
      return this;
    }

    /**
     * How long half-open probes may go unreported before the breaker reclaims their slots by
     * reopening (a permit lost without being closed); default 60 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder probeTimeout(Duration timeout) {
      Args.requireUnset(this.probeTimeout != null, "probeTimeout");
      Args.requirePositiveNanos(timeout, "probeTimeout");
      this.probeTimeout = timeout;
      return this;
    }

    /**
     * The longest server hint {@link CircuitBreaker#onRetryAfter} honours; default 5 minutes.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxRetryAfter(Duration max) {
      Args.requireUnset(this.maxRetryAfter != null, "maxRetryAfter");
      Args.requireNonNegativeNanos(max, "maxRetryAfter");
      this.maxRetryAfter = max;
      return this;
    }

    /** Which exceptions count as failures; by default all (except ignored ones). */
    public Builder recordFailure(Predicate<Throwable> isFailure) {
      Args.requireUnset(this.recordFailure != null, "recordFailure");
      this.recordFailure = Args.requireNonNull(isFailure, "isFailure");
      return this;
    }

    /** Which results count as failures (an HTTP 503, say); by default none. */
    public Builder recordResult(Predicate<Object> isFailure) {
      Args.requireUnset(this.recordResult != null, "recordResult");
      this.recordResult = Args.requireNonNull(isFailure, "isFailure");
      return this;
    }

    /** Exceptions of these types count as neither success nor failure. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read and copied, never stored or written
    public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
      Args.requireUnset(this.ignored != null, "ignoreExceptions");
      this.ignored = Args.listOfNonNull(types, "types");
      return this;
    }

    /**
     * Whether refusals by steps inside the breaker count as failures: a throttle-net {@link
     * RejectedException} (a limiter, queue or bulkhead between the breaker and the call said no)
     * or an {@link InterruptedException} (the caller was interrupted while waiting). Default
     * {@code false}: the breaker judges the downstream by the calls that reached it, so local
     * refusals count neither way and a half-open probe that never reached the downstream gives its
     * slot back. Set {@code true} to count them as failures.
     *
     * @throws IllegalStateException if already set
     */
    public Builder recordRejections(boolean record) {
      Args.requireUnset(this.recordRejections != null, "recordRejections");
      this.recordRejections = record;
      return this;
    }

    /** Builds a breaker that wraps no limiter. */
    public CircuitBreaker build() {
      return build(null, false);
    }

    /**
     * Builds a breaker in front of {@code limiter}: it checks itself first (an open breaker
     * leaves the limiter untouched), then takes one permit from the limiter per call.
     */
    public CircuitBreaker build(RateLimiter limiter) {
      return build(Args.requireNonNull(limiter, "limiter"), true);
    }

    private CircuitBreaker build(RateLimiter limiter, boolean wrapped) {
      applyBase();
      Config c = new Config();
      c.trips = trips.isEmpty() ? List.of(Trip.consecutive(5)) : List.copyOf(trips);
      c.cooldownNanos = Args.saturatedNanos(cooldown != null ? cooldown : Duration.ofSeconds(60));
      c.cooldownGrowth = growth >= 1 ? growth : 1;
      c.maxCooldownNanos = maxCooldown != null ? Math.max(Args.saturatedNanos(maxCooldown), c.cooldownNanos) : c.cooldownNanos;
      c.halfOpenProbes = halfOpenProbes >= 1 ? halfOpenProbes : 1;
      c.successesToClose = successesToClose >= 1 ? successesToClose : 1;
      c.probeTimeoutNanos = Args.saturatedNanos(probeTimeout != null ? probeTimeout : Duration.ofSeconds(60));
      c.maxRetryAfterNanos = Args.saturatedNanos(maxRetryAfter != null ? maxRetryAfter : Duration.ofMinutes(5));
      long slow = 0;
      for (Trip t : c.trips) {
        slow = slow == 0 ? t.slowNanos() : t.slowNanos() == 0 ? slow : Math.min(slow, t.slowNanos());
      }
      c.slowNanos = slow;
      c.timed = c.trips.stream().anyMatch(Trip::isTimed);
      c.recordFailure = recordFailure != null ? recordFailure : ALL_FAILURES;
      c.recordResult = recordResult;
      c.ignored = ignored != null ? ignored : List.of();
      c.recordRejections = recordRejections != null && recordRejections;
      c.limiter = wrapped ? limiter : null;
      c.name = nameOr("circuit-breaker");
      c.ticker = tickerOr(limiter != null ? limiter.ticker() : Ticker.system());
      c.events = eventsOrDefault();
      return new CircuitBreaker(c);
    }
  }
}
