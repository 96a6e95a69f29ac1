package io.throttlenet.adaptive;

/**
 * Additive increase, multiplicative decrease of a concurrency limit, as TCP does with its window.
 *
 * <ul>
 *   <li><b>Increase.</b> A successful call that ended while the limit was being used (at least
 *       half of it in flight) adds {@code 1 / limit}: one more slot per round trip of a full
 *       limit's calls. An idle limit does not grow: its size has not been tried.
 *   <li><b>Decrease.</b> A dropped call (429, 503, timeout) multiplies the limit by {@code
 *       backoff} (default 0.9), at most once per round trip (the smoothed round trip of successful
 *       calls), since the calls of one overload episode report it together. So does a smoothed
 *       round trip above {@code latencyTolerance} times the baseline (default 1.1): a
 *       queue building up at the downstream. Classic AIMD, which backs off on drops only, keeps
 *       that queue full, its latency several times its service time; give {@link
 *       Double#POSITIVE_INFINITY} for it.
 *   <li><b>Baseline.</b> The {@link ConcurrencyController.Baseline}: measured by a probe at half
 *       the limit about every 100 round trips, so that a queue that lasts is not taken for it
 *       (the limit is frozen during a probe, except for drops).
 * </ul>
 *
 * <p>In the simulation of {@code ControllerSimulationTest} (six seeds, capacities 4 to 32) the
 * limit settles at 0.98–1.12 times the capacity, and 0.95–1.14 times a capacity that halved.
 *
 * <p>Defaults: initial 10, min 1, max 1000, backoff 0.9, latency tolerance 1.1. Thread-safe; see
 * {@link ConcurrencyController}.
 */
public final class AimdController extends ConcurrencyController<AimdController.State> {


  /**
   * The algorithm's state (for tests and tooling).
   *
   * @param limit the limit as a real number
   * @param baseline the round trip without a queue
   * @param smoothedRtt the smoothed round trip (weight 1/8)
   * @param lastDecrease when the limit last came down
   * @param decreased whether it ever did
   */
  public record State(
      double limit, Baseline baseline, long smoothedRtt, long lastDecrease, boolean decreased) {}

  private final double backoff;
  private final double tolerance;

  private AimdController(Builder b) {
    super(b.min, b.max, new State(b.initial, Baseline.NONE, 0, 0, false));
    this.backoff = b.backoff;
    this.tolerance = b.tolerance;
  }

  /** An AIMD controller with the defaults. */
  public static AimdController create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected State next(State s, boolean dropped, long rtt, int inFlight, long now) {
    if (dropped) {
      return decreasedRecently(s.decreased(), s.lastDecrease(), s.smoothedRtt(), now)
          ? s
          : new State(bound(s.limit() * backoff), s.baseline(), s.smoothedRtt(), now, true);
    }
    Baseline baseline = s.baseline().next(rtt, now, s.limit());
    if (baseline.probing()) {
      return new State(s.limit(), baseline, s.smoothedRtt(), s.lastDecrease(), s.decreased());
    }
    long smoothed = RoundTrips.smooth(s.smoothedRtt(), rtt);
    if (smoothed > tolerance * baseline.rtt()) {
      return decreasedRecently(s.decreased(), s.lastDecrease(), smoothed, now)
          ? new State(s.limit(), baseline, smoothed, s.lastDecrease(), true)
          : new State(bound(s.limit() * backoff), baseline, smoothed, now, true);
    }
    double limit = s.limit();
    if (inFlight * 2 >= limit) {
      limit = bound(limit + 1 / limit);
    }
    return new State(limit, baseline, smoothed, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.baseline().limit(s.limit());
  }

  @Override
  public String toString() {
    return "AimdController[limit " + limit() + ", backoff " + backoff + ", tolerance " + tolerance + "]";
  }

  /** Builds an {@link AimdController}. Not thread-safe. */
  public static final class Builder extends ConcurrencyController.Builder<Builder> {
    private double backoff = 0.9;
    private double tolerance = 1.1;

    private Builder() {}

    /**
     * What a decrease multiplies the limit by; default 0.9.
     *
     * @throws IllegalArgumentException unless {@code 0 < backoff < 1}
     */
    public Builder backoff(double backoff) {
      if (!(backoff > 0 && backoff < 1)) {
        throw new IllegalArgumentException("backoff must be > 0 and < 1, was " + backoff);
      }
      this.backoff = backoff;
      return this;
    }

    /**
     * How many times the baseline the smoothed round trip may be before it counts as a sign of
     * overload; default 1.1, {@link Double#POSITIVE_INFINITY} for drops only.
     *
     * @throws IllegalArgumentException unless {@code latencyTolerance > 1}
     */
    public Builder latencyTolerance(double latencyTolerance) {
      if (!(latencyTolerance > 1)) {
        throw new IllegalArgumentException("latencyTolerance must be > 1, was " + latencyTolerance);
      }
      this.tolerance = latencyTolerance;
      return this;
    }

    /**
     * Builds the controller.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    public AimdController build() {
      checkBounds();
      return new AimdController(this);
    }
  }
}
