package io.throttlenet.adaptive;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.internal.Args;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An algorithm that finds the rate (calls per second) a downstream takes from how its calls end:
 * each {@linkplain #onSample sample} (an outcome and the time, as data) yields a new rate. Apart
 * from the limiter it steers; {@link AdaptiveRate} wires one to a {@link
 * io.throttlenet.bucket.Throttle}.
 *
 * <p>Contract, for every implementation: the rate stays within {@code [min, max]}; a {@link
 * Outcome#DROPPED} sample (a 429 or 503, a timeout) never raises it; {@link Outcome#FAILURE} and
 * {@link Outcome#IGNORED} samples change nothing. Thread-safe without locks: the state is an
 * immutable value replaced by compare-and-set, so concurrent samples are never lost.
 *
 * @param <S> the algorithm's immutable state
 */
public abstract class RateController<S> {
  private final double min;
  private final double max;
  private final AtomicReference<S> state;

  /**
   * For implementations.
   *
   * @throws IllegalArgumentException unless {@code 0 < min <= max}, both finite
   */
  protected RateController(double min, double max, S initial) {
    Args.requirePositiveFinite(min, "min");
    Args.requirePositiveFinite(max, "max");
    if (max < min) {
      throw new IllegalArgumentException("max must be >= min (" + min + "), was " + max);
    }
    this.min = min;
    this.max = max;
    this.state = new AtomicReference<>(Args.requireNonNull(initial, "initial"));
  }

  /** The current rate in calls per second, within {@code [min, max]}. */
  public final double rate() {
    return bound(rateOf(state.get()));
  }

  /** The lowest rate. */
  public final double min() {
    return min;
  }

  /** The highest rate. */
  public final double max() {
    return max;
  }

  /**
   * Folds one call's end into the state and returns the new rate.
   *
   * @param outcome what the call says about the downstream's capacity
   * @param nowNanos a reading of the ticker the samples share
   */
  public final double onSample(Outcome outcome, long nowNanos) {
    Args.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.IGNORED || outcome == Outcome.FAILURE) {
      return rate();
    }
    for (;;) {
      S s = state.get();
      S next = next(s, outcome == Outcome.DROPPED, nowNanos);
      if (next == s || state.compareAndSet(s, next)) {
        return bound(rateOf(next));
      }
    }
  }

  /** The state after one sample; pure (it may run again on a newer state). */
  protected abstract S next(S state, boolean dropped, long nowNanos);

  /** The rate a state stands for, before bounding. */
  protected abstract double rateOf(S state);

  /** {@code value} within {@code [min, max]}. */
  protected final double bound(double value) {
    return Double.isNaN(value) ? min : Math.max(min, Math.min(max, value));
  }
}
