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
 *       round trip above {@code latencyTolerance} times the lowest recent one (default 1.1): a
 *       queue building up at the downstream. Classic AIMD, which backs off on drops only, keeps
 *       that queue full, its latency several times its service time; give {@link
 *       Double#POSITIVE_INFINITY} for it.
 *   <li><b>Lowest round trip.</b> The minimum of a slow average of successful calls' round trips
 *       (over about 32, so that the dips of a jittery service are not taken for the baseline), which
 *       creeps up by a thousandth of the time passed, so that it follows a baseline that shifted
 *       up within about 700 round trips.
 * </ul>
 *
 * <p>Defaults: initial 10, min 1, max 1000, backoff 0.9, latency tolerance 1.1. Thread-safe; see
 * {@link ConcurrencyController}.
 */
public final class AimdController extends ConcurrencyController<AimdController.State> {


  /** The algorithm's state (for tests and tooling): the limit as a real number, round-trip figures, the last decrease. */
  public record State(
      double limit,
      long minRtt,
      long smoothedRtt,
      long slowRtt,
      long lastSample,
      long lastDecrease,
      boolean decreased) {}

  private final double backoff;
  private final double tolerance;

  private AimdController(Builder b) {
    super(b.min, b.max, new State(b.initial, Long.MAX_VALUE, 0, 0, 0, 0, false));
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
    long minRtt = s.minRtt();
    long smoothed = s.smoothedRtt();
    long slowRtt = s.slowRtt();
    boolean slow = false;
    if (!dropped) {
      smoothed = RoundTrips.smooth(smoothed, rtt);
      slowRtt = RoundTrips.smoothSlowly(slowRtt, rtt);
      minRtt = RoundTrips.creepingMin(minRtt, slowRtt, s.slowRtt() == 0 ? 0 : now - s.lastSample());
      slow = smoothed > tolerance * minRtt;
    }
    if (dropped || slow) {
      boolean recent = s.decreased() && now - s.lastDecrease() < Math.max(1, smoothed);
      if (recent) {
        return dropped
            ? s
            : new State(s.limit(), minRtt, smoothed, slowRtt, now, s.lastDecrease(), true);
      }
      return new State(
          bound(s.limit() * backoff),
          minRtt,
          smoothed,
          slowRtt,
          dropped ? s.lastSample() : now,
          now,
          true);
    }
    double limit = s.limit();
    if (inFlight * 2 >= limit) {
      limit = bound(limit + 1 / limit);
    }
    return new State(limit, minRtt, smoothed, slowRtt, now, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.limit();
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
     * How many times the lowest recent round trip the smoothed one may be before it counts as a sign of
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
