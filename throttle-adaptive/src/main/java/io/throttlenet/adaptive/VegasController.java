package io.throttlenet.adaptive;

/**
 * A concurrency limit from the queue a downstream builds up, as TCP Vegas does: the calls queued
 * there are estimated as {@code limit × (1 − baseline / rtt)}, where {@code rtt} is a smoothed
 * round trip (weight 1/8) and {@code baseline} the lowest recent one (the minimum of a slower
 * average, weight 1/32, so that a jittery service's dips are not taken for it; it creeps up by a
 * ten-thousandth of the time passed, so that it follows a baseline that shifted up).
 *
 * <ul>
 *   <li>Queue at most {@code alpha × limit} (default 0.1): the limit is not yet reached; it grows
 *       by one per round trip (1/limit per sample), but only while at least half of it is in use.
 *   <li>Queue above {@code beta × limit} (default 0.2): too much waits there; it shrinks by one per
 *       round trip. In between it stays: the limit settles about 10–20 % above the capacity.
 *   <li>A drop (429, 503, timeout) multiplies it by 0.9, at most once per round trip, and is never
 *       taken as a round trip: a fast 503 would look like an idle downstream.
 * </ul>
 *
 * <p>Thresholds relative to the limit, not Vegas's absolute counts: an absolute queue of 2 to 4 is
 * half the limit of a downstream that takes 4. Defaults: initial 10, min 1, max 1000, alpha 0.1,
 * beta 0.2. Thread-safe; see {@link ConcurrencyController}.
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
  public static final class Builder extends ConcurrencyController.Builder<Builder> {
    private double alpha = 0.1;
    private double beta = 0.2;

    private Builder() {}

    /**
     * The queue estimate, as a share of the limit, at or under which the limit grows, and above
     * which it shrinks; defaults 0.1 and 0.2.
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
      checkBounds();
      return new VegasController(this);
    }
  }
}
