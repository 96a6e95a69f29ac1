package io.throttlenet.adaptive;

import io.throttlenet.core.internal.Args;

/**
 * Additive increase, multiplicative decrease of a rate: while calls succeed the rate grows by
 * {@code increase} calls per second for every second that passes (default 1 per second per
 * second); a drop (429, 503, timeout) multiplies it by {@code backoff} (default 0.7), at most once
 * per {@code cooldown} (default 1 s), since the calls of one overload episode report it together.
 *
 * <p>A sawtooth: the rate climbs from 0.7 of the capacity back to it in {@code 0.3 × capacity /
 * increase} seconds, then one 429 sends it down again. Against a token bucket of R per second (in
 * the simulation of {@code RateControllerSimulationTest}, R = 20, 100 and 400, then half that),
 * the rate averaged 0.87–0.97 R with 0.00–0.13 % 429s from 50 per second up, about one 429 per
 * tooth (0.8 % at 20 per second, 2.9 % at 10), and followed a capacity that halved within 2 s.
 * The default increase suits tens of calls per second; a capacity of thousands takes minutes per
 * tooth, so give it a larger {@code increase}.
 *
 * <p>Defaults: initial 10/s, min 0.1/s, max 1,000,000/s. Thread-safe; see {@link RateController}.
 */
public final class AimdRateController extends RateController<AimdRateController.State> {

  /** The algorithm's state (for tests and tooling). */
  public record State(double rate, long lastSample, boolean sampled, long lastDecrease, boolean decreased) {}

  private final double increase;
  private final double backoff;
  private final long cooldown;

  private AimdRateController(Builder b) {
    super(b.min, b.max, new State(b.initial, 0, false, 0, false));
    this.increase = b.increase;
    this.backoff = b.backoff;
    this.cooldown = b.cooldown;
  }

  /** A controller with the defaults. */
  public static AimdRateController create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected State next(State s, boolean dropped, long now) {
    if (dropped) {
      if (s.decreased() && now - s.lastDecrease() < cooldown) {
        return s;
      }
      return new State(bound(s.rate() * backoff), now, true, now, true);
    }
    double elapsed = s.sampled() ? Math.max(0, now - s.lastSample()) / 1e9 : 0;
    return new State(bound(s.rate() + increase * elapsed), now, true, s.lastDecrease(), s.decreased());
  }

  @Override
  protected double rateOf(State s) {
    return s.rate();
  }

  @Override
  public String toString() {
    return "AimdRateController[" + rate() + "/s, +" + increase + "/s per s, x" + backoff + "]";
  }

  /** Builds an {@link AimdRateController}. Not thread-safe. */
  public static final class Builder {
    private double initial = 10;
    private double min = 0.1;
    private double max = 1_000_000;
    private double increase = 1;
    private double backoff = 0.7;
    private long cooldown = 1_000_000_000L;

    private Builder() {}

    /** The rate to start from, in calls per second; default 10. */
    public Builder initialRate(double perSecond) {
      this.initial = Args.requirePositiveFinite(perSecond, "initialRate");
      return this;
    }

    /** The bounds, in calls per second; defaults 0.1 and 1,000,000. */
    public Builder bounds(double min, double max) {
      Args.requirePositiveFinite(min, "min");
      Args.requirePositiveFinite(max, "max");
      if (max < min) {
        throw new IllegalArgumentException("max must be >= min (" + min + "), was " + max);
      }
      this.min = min;
      this.max = max;
      return this;
    }

    /** How much the rate grows per second while calls succeed; default 1 (call/s per s). */
    public Builder increase(double perSecondPerSecond) {
      this.increase = Args.requirePositiveFinite(perSecondPerSecond, "increase");
      return this;
    }

    /**
     * What a decrease multiplies the rate by; default 0.7.
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

    /** The least time between two decreases; default 1 s. */
    public Builder cooldown(java.time.Duration cooldown) {
      this.cooldown = Args.requireNonNegativeNanos(cooldown, "cooldown");
      return this;
    }

    /** Builds the controller (the initial rate kept within the bounds). */
    public AimdRateController build() {
      initial = Math.max(min, Math.min(max, initial));
      return new AimdRateController(this);
    }
  }
}
