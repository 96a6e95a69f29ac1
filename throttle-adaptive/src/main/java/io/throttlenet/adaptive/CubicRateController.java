package io.throttlenet.adaptive;

import io.throttlenet.core.internal.Args;

/**
 * CUBIC rate adaptation on throttle signals, as the AWS SDKs' adaptive retry mode does.
 *
 * <ul>
 *   <li><b>Measured rate.</b> Calls are counted in half-second buckets; the measured send rate is
 *       an average of the buckets' rates (the newest weighted 0.8, as the SDKs do).
 *   <li><b>On a throttle</b> (a drop: 429, 503, timeout) the rate at the time, {@code W_max}
 *       (the lower of the current rate and the measured one), is remembered and the rate becomes
 *       {@code β × W_max}, {@code β = 0.7}.
 *   <li><b>On success</b> the rate follows the cubic {@code W(t) = C (t − K)³ + W_max}, with
 *       {@code C = 0.4}, {@code t} the seconds since the last throttle and {@code K = ∛(W_max (1 −
 *       β) / C)}: fast back towards the old maximum, flat around it, then probing beyond.
 *   <li>The rate is never more than twice the measured send rate: a client that sends little has
 *       not tried a higher rate, so it does not claim one.
 * </ul>
 *
 * <p>Against a token bucket of R per second (in the simulation of {@code
 * RateControllerSimulationTest}, R = 20, 100 and 400, then half that), the rate averaged 0.96–1.00
 * R with 0.03–0.42 % 429s from 50 per second up, about one 429 per probe (1.4 % at 20 per second,
 * 3.5 % at 10), and followed a capacity that halved within 1 s.
 *
 * <p>Defaults: initial 10/s, min 0.5/s, max 1,000,000/s. Thread-safe; see {@link RateController}.
 */
public final class CubicRateController extends RateController<CubicRateController.State> {
  private static final double BETA = 0.7;
  private static final double C = 0.4;
  private static final long BUCKET = 500_000_000L;

  /** The algorithm's state (for tests and tooling). */
  public record State(
      double rate,
      double lastMax,
      long lastThrottle,
      double measured,
      long bucketStart,
      long bucketCount,
      boolean started) {}

  private CubicRateController(Builder b) {
    super(b.min, b.max, new State(b.initial, b.initial, 0, 0, 0, 0, false));
  }

  /** A controller with the defaults. */
  public static CubicRateController create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected State next(State s, boolean dropped, long now) {
    long bucketStart = s.started() ? s.bucketStart() : now;
    long lastThrottle = s.started() ? s.lastThrottle() : now;
    long count = s.bucketCount() + 1;
    double measured = s.measured();
    if (now - bucketStart >= BUCKET) {
      double current = count / ((now - bucketStart) / 1e9);
      measured = measured == 0 ? current : current * 0.8 + measured * 0.2;
      bucketStart = now;
      count = 0;
    }
    double rate;
    double lastMax = s.lastMax();
    if (dropped) {
      double base = measured > 0 ? Math.min(measured, s.rate()) : s.rate();
      lastMax = base;
      lastThrottle = now;
      rate = Math.min(s.rate(), BETA * base); // a throttle never raises it
    } else {
      double t = (now - lastThrottle) / 1e9;
      double k = Math.cbrt(lastMax * (1 - BETA) / C);
      rate = C * Math.pow(t - k, 3) + lastMax;
      if (measured > 0) {
        rate = Math.min(rate, 2 * measured);
      }
    }
    return new State(bound(rate), lastMax, lastThrottle, measured, bucketStart, count, true);
  }

  @Override
  protected double rateOf(State s) {
    return s.rate();
  }

  @Override
  public String toString() {
    return "CubicRateController[" + rate() + "/s]";
  }

  /** Builds a {@link CubicRateController}. Not thread-safe. */
  public static final class Builder {
    private double initial = 10;
    private double min = 0.5;
    private double max = 1_000_000;

    private Builder() {}

    /** The rate to start from, in calls per second; default 10. */
    public Builder initialRate(double perSecond) {
      this.initial = Args.requirePositiveFinite(perSecond, "initialRate");
      return this;
    }

    /** The bounds, in calls per second; defaults 0.5 and 1,000,000. */
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

    /** Builds the controller (the initial rate kept within the bounds). */
    public CubicRateController build() {
      initial = Math.max(min, Math.min(max, initial));
      return new CubicRateController(this);
    }
  }
}
