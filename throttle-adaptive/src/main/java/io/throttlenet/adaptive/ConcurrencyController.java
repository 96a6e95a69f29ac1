package io.throttlenet.adaptive;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.internal.Args;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An algorithm that finds how many calls a downstream takes at once from how its calls end: each
 * {@linkplain #onSample sample} (an outcome, a round-trip time, how many calls were in flight, and
 * the time, all as data) yields a new limit. The algorithm is apart from the limiter it steers;
 * {@link AdaptiveConcurrency} wires one to a {@link io.throttlenet.queue.ConcurrencyLimit}.
 *
 * <p>Contract, for every implementation: the limit always stays within {@code [min, max]}; a
 * {@link Outcome#DROPPED} sample (a 429 or 503, a timeout) never raises it, and neither its
 * round trip (a fast 503 is no evidence of a fast downstream) nor a {@link Outcome#FAILURE} or
 * {@link Outcome#IGNORED} one is taken for a measurement.
 *
 * <p>Thread-safe, without locks: the state is an immutable value replaced by compare-and-set, so
 * concurrent samples are never lost (each is folded into the state the other left). A sample costs
 * one small allocation, for the new state.
 *
 * @param <S> the algorithm's immutable state
 */
public abstract class ConcurrencyController<S> {
  private final int min;
  private final int max;
  private final AtomicReference<S> state;

  /**
   * For implementations.
   *
   * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
   */
  protected ConcurrencyController(int min, int max, S initial) {
    Args.requireAtLeastOne(min, "min");
    if (max < min) {
      throw new IllegalArgumentException("max must be >= min (" + min + "), was " + max);
    }
    this.min = min;
    this.max = max;
    this.state = new AtomicReference<>(Args.requireNonNull(initial, "initial"));
  }

  /** The current limit, within {@code [min, max]}. */
  public final int limit() {
    return clamp(limitOf(state.get()));
  }

  /** The lowest limit. */
  public final int min() {
    return min;
  }

  /** The highest limit. */
  public final int max() {
    return max;
  }

  /**
   * Folds one call's end into the state and returns the new limit.
   *
   * @param outcome what the call says about the downstream's capacity
   * @param rttNanos how long it took, from the grant of its slot to its end
   * @param inFlight how many calls were in flight when it ended, itself included
   * @param nowNanos a reading of the ticker the samples share
   */
  public final int onSample(Outcome outcome, long rttNanos, int inFlight, long nowNanos) {
    Args.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.IGNORED || outcome == Outcome.FAILURE) {
      return limit();
    }
    long rtt = Math.max(1, rttNanos);
    for (;;) {
      S s = state.get();
      S next = next(s, outcome == Outcome.DROPPED, rtt, inFlight, nowNanos);
      if (next == s || state.compareAndSet(s, next)) {
        return clamp(limitOf(next));
      }
    }
  }

  /**
   * The state after one sample; pure (no side effect: it may run again on a newer state if a
   * concurrent sample won). The limit it implies is clamped to {@code [min, max]} by the caller,
   * but implementations keep their own figure within it too, so that it does not run away.
   *
   * @param dropped whether the call was dropped (its {@code rttNanos} is then no measurement)
   */
  protected abstract S next(S state, boolean dropped, long rttNanos, int inFlight, long nowNanos);

  /** The limit a state stands for, before clamping. */
  protected abstract double limitOf(S state);

  /** {@code value} within {@code [min, max]}. */
  protected final double bound(double value) {
    return Math.max(min, Math.min(max, value));
  }

  private int clamp(double value) {
    return (int) Math.round(bound(value));
  }

  /** The state, for tests and tooling. */
  protected final S state() {
    return state.get();
  }

  /**
   * What every controller's builder shares: the limit to start from and its bounds. Not
   * thread-safe.
   *
   * @param <B> the concrete builder
   */
  public abstract static class Builder<B extends Builder<B>> {
    int initial = 10;
    int min = 1;
    int max = 1000;

    /** For the controllers' builders. */
    Builder() {}

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The limit to start from; default 10 (kept within min and max). */
    public B initialLimit(int initial) {
      Args.requireAtLeastOne(initial, "initialLimit");
      this.initial = initial;
      return self();
    }

    /** The lowest limit; default 1. */
    public B minLimit(int min) {
      Args.requireAtLeastOne(min, "minLimit");
      this.min = min;
      return self();
    }

    /** The highest limit; default 1000. */
    public B maxLimit(int max) {
      Args.requireAtLeastOne(max, "maxLimit");
      this.max = max;
      return self();
    }

    /**
     * Checks the bounds and keeps the initial limit within them; for {@code build()}.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    void checkBounds() {
      if (max < min) {
        throw new IllegalArgumentException("maxLimit must be >= minLimit (" + min + "), was " + max);
      }
      initial = Math.max(min, Math.min(max, initial));
    }
  }
}
