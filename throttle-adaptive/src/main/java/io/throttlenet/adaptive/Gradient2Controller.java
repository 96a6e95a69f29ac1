package io.throttlenet.adaptive;

import io.throttlenet.core.internal.Args;

/**
 * A concurrency limit from the gradient between a long-term and a short-term round trip, after
 * Netflix's Gradient2: {@code gradient = clamp(tolerance × longRtt / shortRtt, 0.5, 1)} and the
 * limit moves a fifth of the way (smoothing 0.2) towards {@code limit × gradient + queueSize},
 * where {@code queueSize = sqrt(limit)} is the headroom that lets it grow while round trips stay
 * flat.
 *
 * <ul>
 *   <li>{@code longRtt} is an average over about 600 samples, pulled down quickly when it is more
 *       than twice the short one (so that a past overload does not hide a new one); {@code
 *       shortRtt} an average over 8 samples.
 *   <li>The limit grows only while at least half of it is in use.
 *   <li>A drop (429, 503, timeout) multiplies it by 0.9, at most once per round trip, and is never
 *       taken as a round trip. Gradient2 as published takes a fast 503 for a short round trip,
 *       that is, for a sign to grow: against an overloaded server it never settles.
 * </ul>
 *
 * <p>Defaults: initial 10, min 1, max 1000, tolerance 1.5. Thread-safe; see {@link
 * ConcurrencyController}.
 */
public final class Gradient2Controller extends ConcurrencyController<Gradient2Controller.State> {

  /** The algorithm's state (for tests and tooling): the limit as a real number, round-trip figures, the last decrease. */
  public record State(
      double limit,
      double longRtt,
      long shortRtt,
      long baseline,
      long slowRtt,
      long lastSample,
      long lastDecrease,
      boolean decreased) {}

  private final double tolerance;
  private final double queueSize;

  private Gradient2Controller(Builder b) {
    super(b.min, b.max, new State(b.initial, 0, 0, Long.MAX_VALUE, 0, 0, 0, false));
    this.tolerance = b.tolerance;
    this.queueSize = b.queueSize;
  }

  /** A Gradient2 controller with the defaults. */
  public static Gradient2Controller create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected State next(State s, boolean dropped, long rtt, int inFlight, long now) {
    if (dropped) {
      boolean recent = s.decreased() && now - s.lastDecrease() < Math.max(1, s.shortRtt());
      return recent
          ? s
          : new State(
              bound(s.limit() * 0.9),
              s.longRtt(),
              s.shortRtt(),
              s.baseline(),
              s.slowRtt(),
              s.lastSample(),
              now,
              true);
    }
    long shortRtt = RoundTrips.smooth(s.shortRtt(), rtt);
    long slowRtt = RoundTrips.smoothSlowly(s.slowRtt(), rtt);
    long baseline =
        RoundTrips.creepingMin(s.baseline(), slowRtt, s.slowRtt() == 0 ? 0 : now - s.lastSample());
    double longRtt = s.longRtt() == 0 ? rtt : s.longRtt() + (rtt - s.longRtt()) / 600;
    if (longRtt > 2 * shortRtt) {
      longRtt *= 0.95;
    }
    // A queue that lasts must not become the new normal: the long-term round trip is held within
    // a fifth above the lowest recent (smoothed) one.
    longRtt = Math.max(baseline, Math.min(longRtt, 1.1 * baseline));
    double limit = s.limit();
    double gradient = Math.max(0.5, Math.min(1, tolerance * longRtt / shortRtt));
    double target = limit * gradient + queueSize;
    double next = limit + (target - limit) * 0.2 / Math.max(1, limit) * 4;
    if (next > limit && inFlight * 2 < limit) {
      next = limit; // not in use: its size has not been tried
    }
    return new State(
        bound(next), longRtt, shortRtt, baseline, slowRtt, now, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.limit();
  }

  @Override
  public String toString() {
    return "Gradient2Controller[limit " + limit() + ", tolerance " + tolerance + "]";
  }

  /** Builds a {@link Gradient2Controller}. Not thread-safe. */
  public static final class Builder {
    private int initial = 10;
    private int min = 1;
    private int max = 1000;
    private double tolerance = 1.0;
    private double queueSize = 0.5;

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
     * How much longer than the long-term round trip the short-term one may be before the limit
     * shrinks; default 1.5.
     *
     * @throws IllegalArgumentException unless {@code tolerance >= 1}, finite
     */
    public Builder tolerance(double tolerance) {
      if (!(tolerance >= 1 && tolerance < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("tolerance must be finite and >= 1, was " + tolerance);
      }
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Builds the controller.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    public Gradient2Controller build() {
      if (max < min) {
        throw new IllegalArgumentException("maxLimit must be >= minLimit (" + min + "), was " + max);
      }
      initial = Math.max(min, Math.min(max, initial));
      return new Gradient2Controller(this);
    }
  }
}
