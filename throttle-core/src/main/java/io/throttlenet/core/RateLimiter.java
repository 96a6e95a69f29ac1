package io.throttlenet.core;

import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A limiter of cost per unit of time, with one verb vocabulary: {@code tryAcquire} never waits
 * (or waits at most a given bound) and answers {@code false} instead of throwing; {@code acquire}
 * waits as long as needed by parking and throws {@link InterruptedException}; {@code
 * acquireAsync} returns a {@link CompletionStage} completed by the {@link Ticker}'s scheduler, so
 * no thread is held while waiting.
 *
 * <h2>The reservation SPI</h2>
 *
 * All verbs are built on two operations every implementation provides, and which composites use
 * to combine limiters:
 *
 * <ul>
 *   <li>{@link #reserve(long, long, long)} books {@code cost} at the earliest time it is
 *       admissible, if that is no later than a maximum wait, and answers how long the caller must
 *       wait; a request that would wait longer, or that can never fit, books nothing.
 *   <li>{@link #cancel(long, long, long)} gives back a booking that was not used (the waiter was
 *       interrupted, timed out or cancelled).
 * </ul>
 *
 * <p>A granted reservation is a promise: the caller released at the time it was given never makes
 * the limiter exceed its rate, however many others reserve meanwhile. The result of {@code
 * reserve} is one {@code long}, so the hot path allocates nothing: a value {@code >= 0} is the
 * wait in nanoseconds; {@link #NEVER} means the cost exceeds {@link #capacity()}; any other
 * negative value {@code r} means "would wait {@link #requiredWait(long) -(r + 1)} ns, more than
 * allowed".
 *
 * <p>Costs are non-negative; a cost of 0 is always granted at once. Implementations are
 * thread-safe.
 */
public interface RateLimiter extends Decorator<Object> {

  /** Result of {@link #reserve} for a cost that can never be granted: it exceeds the capacity. */
  long NEVER = Long.MIN_VALUE;

  /** This limiter's name, used in events, errors and metrics. */
  String name();

  /** The time source and waiting seam this limiter uses. */
  Ticker ticker();

  /** The largest cost this limiter can grant in one request (a token bucket's burst). */
  long capacity();

  /**
   * The cost that could be granted right now without waiting. Negative when outstanding
   * reservations have booked more than is available (they are owed by future refill).
   */
  long availablePermits();

  /**
   * Books {@code cost} at the earliest admissible time, if the caller would have to wait no longer
   * than {@code maxWaitNanos} for it.
   *
   * @param cost the cost to book, {@code >= 0}
   * @param nowNanos the current time, read from {@link #ticker()} by the caller
   * @param maxWaitNanos the longest acceptable wait, {@code >= 0}
   * <p>A limiter that never books future time (the composites, which charge all their parts at the
   * instant of release) grants only what it can grant at once: for it, a refused result's {@link
   * #requiredWait} is the time until it could, even when that is within {@code maxWaitNanos}. Such
   * a limiter overrides the waiting verbs to wait without booking.
   *
   * @return the wait in nanoseconds ({@code >= 0}) if booked; {@link #NEVER} if {@code cost}
   *     exceeds the capacity; otherwise a negative value whose {@link #requiredWait} is the wait
   *     that was refused. Nothing is booked unless the result is {@code >= 0}.
   * @throws IllegalArgumentException if {@code cost} or {@code maxWaitNanos} is negative
   */
  long reserve(long cost, long nowNanos, long maxWaitNanos);

  /**
   * Gives back a booking that {@link #reserve} granted and that will not be used. Pass the same
   * {@code cost} and {@code nowNanos} as to {@code reserve}, and the wait it returned. The cost goes
   * back in full unless later bookings depend on it (the limiter never lets them exceed the rate
   * to return it); whatever cannot be returned comes back with refill.
   */
  void cancel(long cost, long nowNanos, long waitNanos);

  /**
   * How long {@code cost} would wait if reserved at {@code nowNanos}, without booking anything.
   *
   * @return the wait in nanoseconds, or {@link #NEVER} if the cost exceeds the capacity
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  long waitNanos(long cost, long nowNanos);

  /**
   * Grants nothing before {@code untilNanos}: a cool-down shared by every caller of this limiter,
   * such as a server's "retry after" or a budget it reported as used up. Callers that ask
   * meanwhile wait until then (and are refused at once if they may not wait that long); a waiter
   * parked in a composite's line is woken at the new time, not polled. From {@code untilNanos}
   * the limiter grants as if it had been drained just then: a token bucket refills from empty
   * (one permit at {@code untilNanos}, then at its rate), a sliding window counts only real
   * bookings. Bookings granted before the pause keep their release times: a granted reservation
   * is a promise. A pause never shortens an earlier one, and a time already past does nothing.
   * Atomic with every other verb.
   *
   * @param untilNanos the end of the pause, on {@link #ticker()}'s scale
   */
  void pauseUntil(long untilNanos);

  /**
   * Lowers what is available at {@code nowNanos} to at most {@code permits}; a negative value is
   * a debt that later callers wait out. Never raises what is available (use {@link #reset()}),
   * and bookings already granted stand. Used to follow a budget that somebody else also spends,
   * such as the "remaining" a server reports. Atomic with every other verb. Cost handed back
   * afterwards by {@link #cancel} or a composite's refund for a booking made before the change is
   * not given back: the new bound already accounts for what was spent.
   *
   * @param permits the most that may be available at {@code nowNanos}
   * @param nowNanos the current time, read from {@link #ticker()}
   */
  void limitAvailable(long permits, long nowNanos);

  /**
   * Back to the state of a new limiter: full capacity now, no debt, no pause. Bookings granted
   * earlier still release their callers at their times, so right after a reset up to the
   * capacity may be granted on top of them; meant for a known fresh start (a server reporting a
   * new window, a test), not for routine use. Atomic with every other verb.
   */
  void reset();

  /** The wait a rejected {@link #reserve} result stands for; undefined for granted results. */
  static long requiredWait(long reserveResult) {
    return reserveResult == NEVER ? Long.MAX_VALUE : -(reserveResult + 1);
  }

  /** Encodes a refused wait as a {@link #reserve} result; saturates at the largest encodable. */
  static long rejection(long requiredWaitNanos) {
    return -1 - Math.min(requiredWaitNanos, Long.MAX_VALUE - 1);
  }

  /** Takes one permit if it is free now; never waits. */
  default boolean tryAcquire() {
    return tryAcquire(1);
  }

  /**
   * Takes {@code cost} if it is free now; never waits, never throws a rejection.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  default boolean tryAcquire(long cost) {
    return reserve(cost, ticker().read(), 0) >= 0;
  }

  /**
   * Takes {@code cost}, waiting for it at most {@code maxWait}. Reserves only if the cost will be
   * granted in time, so it never waits in vain: a {@code false} comes at once.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   * @throws InterruptedException if interrupted while waiting; the reservation is given back
   */
  default boolean tryAcquire(long cost, Duration maxWait) throws InterruptedException {
    long maxWaitNanos = Args.requireNonNegativeNanos(maxWait, "maxWait");
    long now = ticker().read();
    long wait = reserve(cost, now, maxWaitNanos);
    if (wait < 0) {
      return false;
    }
    if (wait > 0) {
      awaitReservation(cost, now, wait);
    }
    return true;
  }

  /**
   * Takes one permit, waiting as long as needed.
   *
   * @throws InterruptedException if interrupted while waiting; the reservation is given back
   */
  default void acquire() throws InterruptedException {
    acquire(1);
  }

  /**
   * Takes {@code cost}, waiting as long as needed.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   * @throws CostExceedsCapacityException at once if {@code cost} exceeds {@link #capacity()}
   * @throws MaxWaitExceededException at once if the limiter refuses to book that far ahead (for a
   *     token bucket, decades of queued waiters)
   * @throws InterruptedException if interrupted while waiting; the reservation is given back
   */
  default void acquire(long cost) throws InterruptedException {
    long now = ticker().read();
    long wait = reserve(cost, now, Long.MAX_VALUE);
    if (wait < 0) {
      throw rejection(cost, wait, Long.MAX_VALUE);
    }
    if (wait > 0) {
      awaitReservation(cost, now, wait);
    }
  }

  /**
   * Takes {@code cost} asynchronously, waiting as long as needed. The stage fails with {@link
   * CostExceedsCapacityException} if the cost exceeds the capacity. Cancelling the stage (through
   * {@code toCompletableFuture().cancel(..)}) or completing it exceptionally before it is granted
   * gives the reservation back.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  default CompletionStage<Void> acquireAsync(long cost) {
    return reserveAsync(cost, Long.MAX_VALUE);
  }

  /**
   * Takes {@code cost} asynchronously if it can be granted within {@code maxWait}; otherwise the
   * stage fails at once with {@link MaxWaitExceededException} (or {@link
   * CostExceedsCapacityException}) and nothing is reserved.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  default CompletionStage<Void> acquireAsync(long cost, Duration maxWait) {
    return reserveAsync(cost, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  /**
   * How long {@code cost} would wait if asked for now, without reserving it; empty if it never
   * can be granted.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  default Optional<Duration> waitTime(long cost) {
    long wait = waitNanos(cost, ticker().read());
    return wait == NEVER ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
  }

  /** Wraps {@code call} so that every invocation first {@linkplain #acquire() acquires} a permit. */
  @Override
  default <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      acquire(1);
      return call.get();
    };
  }

  /**
   * Wraps {@code call} so that every invocation first {@linkplain #acquireAsync(long) acquires} a
   * permit without blocking, then starts the call. If the returned stage is cancelled (or otherwise
   * completed by the caller) before the call starts, the permit is given back and the call is
   * never started.
   */
  @Override
  default <R> Supplier<CompletionStage<R>> decorateAsync(
      Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () ->
        Stages.afterGrant(
            acquireAsync(1).toCompletableFuture(),
            ignored -> call.get(),
            ignored -> cancel(1, ticker().read(), 0)); // taken as the caller gave up: return it
  }

  private void awaitReservation(long cost, long now, long wait) throws InterruptedException {
    boolean released = false;
    try {
      ticker().sleepUntil(now + wait);
      released = true;
    } finally {
      if (!released) {
        cancel(cost, now, wait);
      }
    }
  }

  private RejectedException rejection(long cost, long reserveResult, long maxWaitNanos) {
    if (reserveResult == NEVER) {
      return new CostExceedsCapacityException(name(), cost, capacity());
    }
    return new MaxWaitExceededException(
        name(), cost, Duration.ofNanos(requiredWait(reserveResult)), Duration.ofNanos(maxWaitNanos));
  }

  private CompletionStage<Void> reserveAsync(long cost, long maxWaitNanos) {
    Ticker ticker = ticker();
    long now = ticker.read();
    long wait = reserve(cost, now, maxWaitNanos);
    if (wait == 0) {
      return Stages.DONE;
    }
    if (wait < 0) {
      return CompletableFuture.failedStage(rejection(cost, wait, maxWaitNanos));
    }
    CompletableFuture<Void> granted = new CompletableFuture<>();
    Ticker.Scheduled timer;
    try {
      timer = ticker.schedule(now + wait, () -> granted.complete(null));
    } catch (RuntimeException | Error e) {
      cancel(cost, now, wait);
      throw e;
    }
    granted.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            timer.cancel();
            cancel(cost, now, wait);
          }
        });
    return granted;
  }
}
