package io.throttlenet.adaptive;

/**
 * A concurrency limit from the queue a downstream builds up, as TCP Vegas does: once per round
 * (when at least {@code max(4, limit / 2)} calls sent since the last decision are back, so that
 * each decision measures the limit it made), the calls queued there are estimated as {@code limit
 * × (1 − baseline / rtt)}, where {@code rtt} is those calls' mean round trip and {@code baseline}
 * the {@link ConcurrencyController.Baseline} (re-measured by a probe at half the limit about every
 * 100 round trips; the limit is frozen during a probe, except for drops).
 *
 * <ul>
 *   <li>Queue at most {@code alpha × limit} (default 0.05): the limit is not yet reached; it grows
 *       by {@code max(0.25, 0.05 × limit)}, but only while at least half of it is in use. Steps
 *       of a quarter call at small limits: the limit counts whole calls (rounded down), and at a
 *       capacity of 2 one more call is half as many again, so it is tried about one round in
 *       four.
 *   <li>Queue above {@code beta × limit} (default 0.15): too much waits there; it comes down by
 *       the excess, {@code queue − beta × limit}, at least one call and at most a quarter of the
 *       limit per round: a client that stalls (a pause, a loaded machine) sees long round trips
 *       too, and one such round must not take the limit to the floor.
 *   <li>In between it stays: the limit settles about 5–15 % above the capacity (in the
 *       simulation of {@code ControllerSimulationTest}, six seeds, 1.03–1.13 times it for
 *       capacities 4 to 32, and 0.96–1.13 times a capacity that halved).
 *   <li>A drop (429, 503, timeout) multiplies it by 0.9, at most once per round trip, and is never
 *       taken as a round trip: a fast 503 would look like an idle downstream.
 * </ul>
 *
 * <p>Thresholds relative to the limit, not Vegas's absolute counts: an absolute queue of 2 to 4 is
 * half the limit of a downstream that takes 4. Per round, not per call: a per-call step with a
 * smoothed round trip reacts to its own change only several round trips later at a small limit,
 * and swung between 1 and 4 at a capacity of 2. Defaults: initial 10, min 1, max 1000, alpha
 * 0.05, beta 0.15. Thread-safe; see {@link ConcurrencyController}.
 */
public final class VegasController extends ConcurrencyController<VegasController.State> {

  /**
   * The algorithm's state (for tests and tooling).
   *
   * @param limit the limit as a real number
   * @param baseline the round trip without a queue
   * @param smoothedRtt the smoothed round trip (weight 1/8), the least time between decreases
   * @param roundStart when the round began: the calls sent since measure the current limit
   * @param roundSum their round trips, summed
   * @param roundCount how many of them are back
   * @param lastDecrease when a drop last brought the limit down
   * @param decreased whether one ever did
   */
  public record State(
      double limit,
      Baseline baseline,
      long smoothedRtt,
      long roundStart,
      long roundSum,
      int roundCount,
      long lastDecrease,
      boolean decreased) {}

  private static final int ROUND_SAMPLES = 4;
  private static final double MIN_STEP = 0.25;
  private static final double STEP = 0.05;
  private static final double MAX_DECREASE = 0.25;

  private final double alpha;
  private final double beta;

  private VegasController(Builder b) {
    super(b.min, b.max, new State(b.initial, Baseline.NONE, 0, 0, 0, 0, 0, false));
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
      return decreasedRecently(s.decreased(), s.lastDecrease(), s.smoothedRtt(), now)
          ? s
          : new State(bound(s.limit() * 0.9), s.baseline(), s.smoothedRtt(), now, 0, 0, now, true);
    }
    Baseline baseline = s.baseline().next(rtt, now, s.limit());
    long smoothed = RoundTrips.smooth(s.smoothedRtt(), rtt);
    // a call sent before the round began measures an older limit, one in a probe half the limit
    boolean counts = !baseline.probing() && now - rtt - s.roundStart() >= 0;
    long sum = counts ? s.roundSum() + rtt : s.roundSum();
    int count = counts ? s.roundCount() + 1 : s.roundCount();
    double applied = Math.floor(s.limit());
    if (!counts || count < Math.max(ROUND_SAMPLES, applied / 2)) {
      return new State(
          s.limit(), baseline, smoothed, s.roundStart(), sum, count, s.lastDecrease(), s.decreased());
    }
    double queue = applied * (1 - (double) baseline.rtt() * count / sum);
    double limit = s.limit();
    if (queue <= alpha * applied) {
      if (inFlight * 2 >= applied) {
        limit = bound(limit + Math.max(MIN_STEP, STEP * limit));
      }
    } else if (queue > beta * applied) {
      double excess = Math.max(1, queue - beta * applied);
      limit = bound(applied - Math.min(excess, Math.max(1, MAX_DECREASE * applied)));
    }
    return new State(limit, baseline, smoothed, now, 0, 0, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.baseline().limit(s.limit());
  }

  @Override
  public String toString() {
    return "VegasController[limit " + limit() + ", alpha " + alpha + ", beta " + beta + "]";
  }

  /** Builds a {@link VegasController}. Not thread-safe. */
  public static final class Builder extends ConcurrencyController.Builder<Builder> {
    private double alpha = 0.05;
    private double beta = 0.15;

    private Builder() {}

    /**
     * The queue estimate, as a share of the limit, at or under which the limit grows, and above
     * which it shrinks; defaults 0.05 and 0.15.
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
