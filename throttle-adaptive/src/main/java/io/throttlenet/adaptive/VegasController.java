package io.throttlenet.adaptive;

import io.throttlenet.core.internal.Args;

/**
 * A concurrency limit from the queue a downstream builds up, as TCP Vegas does: the calls queued
 * there are estimated as {@code limit × (1 − minRtt / rtt)}, where {@code minRtt} is the lowest
 * recent round trip (the service time with no queue; it creeps up by 0.1 % per sample, so it
 * follows a baseline that shifted up) and {@code rtt} a smoothed one.
 *
 * <ul>
 *   <li>Queue at most {@code alpha} (default 2): the limit is not yet reached; it grows by {@code
 *       log10(limit) + 1} per round trip (that is, per {@code limit} samples), but only while at
 *       least half of it is in use.
 *   <li>Queue above {@code beta} (default 4): too much waits there; it shrinks by {@code
 *       log10(limit) + 1} per round trip.
 *   <li>A drop (429, 503, timeout) multiplies it by 0.9, at most once per round trip, and is never
 *       taken as a round trip: a fast 503 would look like an idle downstream.
 * </ul>
 *
 * <p>Defaults: initial 10, min 1, max 1000, alpha 2, beta 4. Thread-safe; see {@link
 * ConcurrencyController}.
 */
public final class VegasController extends ConcurrencyController<VegasController.State> {

  /** The algorithm's state (for tests and tooling): the limit as a real number, round-trip figures, the last decrease. */
  public record State(
      double limit,
      long minRtt,
      long smoothedRtt,
      long slowRtt,
      long lastSample,
      long lastDecrease,
      boolean decreased) {}

  private final double alpha;
  private final double beta;

  private VegasController(Builder b) {
    super(b.min, b.max, new State(b.initial, Long.MAX_VALUE, 0, 0, 0, 0, false));
    this.alpha = b.alpha;
    this.beta = b.beta;
  }

  /** A Vegas controller with the defaults. */
  public static VegasController create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected State next(State s, boolean dropped, long rtt, int inFlight, long now) {
    if (dropped) {
      boolean recent = s.decreased() && now - s.lastDecrease() < Math.max(1, s.smoothedRtt());
      return recent
          ? s
          : new State(
              bound(s.limit() * 0.9),
              s.minRtt(),
              s.smoothedRtt(),
              s.slowRtt(),
              s.lastSample(),
              now,
              true);
    }
    long smoothed = RoundTrips.smooth(s.smoothedRtt(), rtt);
    long slowRtt = RoundTrips.smoothSlowly(s.slowRtt(), rtt);
    long minRtt =
        RoundTrips.creepingMin(s.minRtt(), slowRtt, s.slowRtt() == 0 ? 0 : now - s.lastSample());
    double limit = s.limit();
    double queue = limit * (1 - (double) minRtt / smoothed);
    double step = 1 / limit;
    if (queue <= alpha * limit) {
      if (inFlight * 2 >= limit) {
        limit = bound(limit + step);
      }
    } else if (queue > beta * limit) {
      limit = bound(limit - step);
    }
    return new State(limit, minRtt, smoothed, slowRtt, now, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.limit();
  }

  @Override
  public String toString() {
    return "VegasController[limit " + limit() + ", alpha " + alpha + ", beta " + beta + "]";
  }

  /** Builds a {@link VegasController}. Not thread-safe. */
  public static final class Builder {
    private int initial = 10;
    private int min = 1;
    private int max = 1000;
    private double alpha = 0.1;
    private double beta = 0.2;

    private Builder() {}

    /** The limit to start from; default 10 (kept within min and max). */
    public Builder initialLimit(int initial) {
      Args.requireAtLeastOne(initial, "initialLimit");
      this.initial = initial;
      return this;
    }

    /** The lowest limit; default 1. */
    public Builder minLimit(int min) {
      Args.requireAtLeastOne(min, "minLimit");
      this.min = min;
      return this;
    }

    /** The highest limit; default 1000. */
    public Builder maxLimit(int max) {
      Args.requireAtLeastOne(max, "maxLimit");
      this.max = max;
      return this;
    }

    /**
     * The queue estimate at or under which the limit grows, and above which it shrinks; defaults
     * 2 and 4.
     *
     * @throws IllegalArgumentException unless {@code 0 <= alpha < beta}, both finite
     */
    public Builder queue(double alpha, double beta) {
      if (!(alpha >= 0 && beta > alpha && beta < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "alpha and beta must be finite with 0 <= alpha < beta, were " + alpha + " and " + beta);
      }
      this.alpha = alpha;
      this.beta = beta;
      return this;
    }

    /**
     * Builds the controller.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    public VegasController build() {
      if (max < min) {
        throw new IllegalArgumentException("maxLimit must be >= minLimit (" + min + "), was " + max);
      }
      initial = Math.max(min, Math.min(max, initial));
      return new VegasController(this);
    }
  }
}
