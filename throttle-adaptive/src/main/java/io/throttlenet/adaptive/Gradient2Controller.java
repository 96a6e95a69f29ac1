package io.throttlenet.adaptive;

/**
 * A concurrency limit from the gradient between a long-term and a short-term round trip, after
 * Netflix's Gradient2: {@code gradient = clamp(tolerance × longRtt / shortRtt, 0.5, 1)}, and the
 * limit moves towards {@code limit × gradient + queueSize} by 0.8 of the gap per round trip (0.8 /
 * limit per sample), where {@code queueSize} (default 0.4) is the headroom that lets it grow while
 * round trips stay flat.
 *
 * <ul>
 *   <li>{@code shortRtt} is an average over about 8 samples; {@code longRtt} one over about 600,
 *       pulled down quickly when it is more than twice the short one, and held within 1.05 times
 *       the {@link ConcurrencyController.Baseline} (re-measured by a probe at half the limit about
 *       every 100 round trips; the limit is frozen during a probe, except for drops). As
 *       published, the long-term average took a lasting queue for the new normal, and the limit
 *       settled with the downstream's queue full. Held at 1.0 times the baseline instead, a
 *       jittery service's ordinary round trips read as a queue, and the limit sank to 0.4 of a
 *       capacity of 32 in the simulation.
 *   <li>At equilibrium {@code limit ≈ 1.05 × capacity + queueSize}: in the simulation of {@code
 *       ControllerSimulationTest}, six seeds, 0.99–1.11 times the capacity for capacities 4 to
 *       32, and 1.03–1.15 times a capacity that halved.
 *   <li>The limit grows only while at least half of it is in use.
 *   <li>A drop (429, 503, timeout) multiplies it by 0.9, at most once per round trip, and is never
 *       taken as a round trip. Gradient2 as published takes a fast 503 for a short round trip,
 *       that is, for a sign to grow: against an overloaded server it never settles.
 * </ul>
 *
 * <p>Defaults: initial 10, min 1, max 1000, tolerance 1.0, queue size 0.4. Thread-safe; see {@link
 * ConcurrencyController}.
 */
public final class Gradient2Controller extends ConcurrencyController<Gradient2Controller.State> {

  /**
   * The algorithm's state (for tests and tooling).
   *
   * @param limit the limit as a real number
   * @param baseline the round trip without a queue
   * @param longRtt the long-term round trip
   * @param shortRtt the short-term round trip (weight 1/8)
   * @param lastDecrease when a drop last brought the limit down
   * @param decreased whether one ever did
   */
  public record State(
      double limit,
      Baseline baseline,
      double longRtt,
      long shortRtt,
      long lastDecrease,
      boolean decreased) {}

  private final double tolerance;
  private final double queueSize;

  private Gradient2Controller(Builder b) {
    super(b.min, b.max, new State(b.initial, Baseline.NONE, 0, 0, 0, false));
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
      return decreasedRecently(s.decreased(), s.lastDecrease(), s.shortRtt(), now)
          ? s
          : new State(
              bound(s.limit() * 0.9), s.baseline(), s.longRtt(), s.shortRtt(), now, true);
    }
    Baseline baseline = s.baseline().next(rtt, now, s.limit());
    if (baseline.probing()) {
      return new State(
          s.limit(), baseline, s.longRtt(), s.shortRtt(), s.lastDecrease(), s.decreased());
    }
    long shortRtt = RoundTrips.smooth(s.shortRtt(), rtt);
    double longRtt = s.longRtt() == 0 ? rtt : s.longRtt() + (rtt - s.longRtt()) / 600;
    if (longRtt > 2 * shortRtt) {
      longRtt *= 0.95;
    }
    // A queue that lasts must not become the new normal: the long-term round trip is held within
    // a twentieth above the baseline.
    long base = baseline.rtt();
    longRtt = Math.max(base, Math.min(longRtt, 1.05 * base));
    double limit = s.limit();
    double gradient = Math.max(0.5, Math.min(1, tolerance * longRtt / shortRtt));
    double target = limit * gradient + queueSize;
    double next = limit + (target - limit) * 0.8 / Math.max(1, limit);
    if (next > limit && inFlight * 2 < limit) {
      next = limit; // not in use: its size has not been tried
    }
    return new State(bound(next), baseline, longRtt, shortRtt, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double limitOf(State s) {
    return s.baseline().limit(s.limit());
  }

  @Override
  public String toString() {
    return "Gradient2Controller[limit " + limit() + ", tolerance " + tolerance + "]";
  }

  /** Builds a {@link Gradient2Controller}. Not thread-safe. */
  public static final class Builder extends ConcurrencyController.Builder<Builder> {
    private double tolerance = 1.0;
    private double queueSize = 0.4;

    private Builder() {}

    /**
     * How much longer than the long-term round trip the short-term one may be before the limit
     * shrinks; default 1.0.
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
     * The headroom the limit keeps above what round trips show is used; default 0.4.
     *
     * @throws IllegalArgumentException unless {@code 0 <= queueSize}, finite
     */
    public Builder queueSize(double queueSize) {
      if (!(queueSize >= 0 && queueSize < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("queueSize must be finite and >= 0, was " + queueSize);
      }
      this.queueSize = queueSize;
      return this;
    }

    /**
     * Builds the controller.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    public Gradient2Controller build() {
      checkBounds();
      return new Gradient2Controller(this);
    }
  }
}
