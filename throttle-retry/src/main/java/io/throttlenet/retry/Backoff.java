package io.throttlenet.retry;

import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.SaturatedMath;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The delays between retries: a curve (constant, linear or exponential), a cap, and a {@link
 * Jitter}.
 *
 * <pre>{@code
 * Backoff b = Backoff.exponential(Duration.ofMillis(100), 2.0)
 *     .withMax(Duration.ofSeconds(5))
 *     .withJitter(Jitter.FULL);
 * }</pre>
 *
 * <p>Pure: {@link #delayNanos} is a function of the attempt, the previous delay and a random
 * source passed in (seed it in tests). Every delay is in {@code [0, max]}, whatever the attempt
 * number or the durations (arithmetic saturates instead of overflowing); without jitter the curve
 * never decreases. The default ({@link #ofDefaults()}) is decorrelated jitter from 100 ms, capped
 * at 30 s. Immutable and thread-safe.
 */
public final class Backoff {
  private enum Curve {
    CONSTANT,
    LINEAR,
    EXPONENTIAL
  }

  private static final Duration DEFAULT_MAX = Duration.ofSeconds(30);

  private final Curve curve;
  private final long baseNanos;
  private final double multiplier;
  private final long maxNanos;
  private final Jitter jitter;

  private Backoff(Curve curve, long baseNanos, double multiplier, long maxNanos, Jitter jitter) {
    this.curve = curve;
    this.baseNanos = baseNanos;
    this.multiplier = multiplier;
    this.maxNanos = maxNanos;
    this.jitter = jitter;
  }

  /**
   * The default: decorrelated jitter from 100 ms, capped at 30 s. Each delay is uniform in
   * {@code [100 ms, 3 × the previous delay]}: on average about 1.5 times the previous one, never
   * below 100 ms, never above 30 s (the exponential curve it is built on sets only the base).
   */
  public static Backoff ofDefaults() {
    return exponential(Duration.ofMillis(100), 2.0).withJitter(Jitter.DECORRELATED);
  }

  /**
   * The same delay every time.
   *
   * @throws IllegalArgumentException if {@code delay} is not positive
   */
  public static Backoff constant(Duration delay) {
    long base = Args.requirePositiveNanos(delay, "delay");
    return new Backoff(Curve.CONSTANT, base, 1, defaultMax(base), Jitter.NONE);
  }

  /**
   * {@code step}, {@code 2 × step}, {@code 3 × step}, …, capped at 30 s (or {@code step} if
   * longer) unless {@link #withMax} says otherwise.
   *
   * @throws IllegalArgumentException if {@code step} is not positive
   */
  public static Backoff linear(Duration step) {
    long base = Args.requirePositiveNanos(step, "step");
    return new Backoff(Curve.LINEAR, base, 1, defaultMax(base), Jitter.NONE);
  }

  /**
   * {@code base}, {@code base × multiplier}, {@code base × multiplier²}, …, capped at 30 s (or
   * {@code base} if longer) unless {@link #withMax} says otherwise.
   *
   * @throws IllegalArgumentException if {@code base} is not positive or {@code multiplier} is not
   *     a finite number >= 1
   */
  public static Backoff exponential(Duration base, double multiplier) {
    long b = Args.requirePositiveNanos(base, "base");
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
    }
    return new Backoff(Curve.EXPONENTIAL, b, multiplier, defaultMax(b), Jitter.NONE);
  }

  /**
   * The same curve, capped at {@code max}.
   *
   * @throws IllegalArgumentException if {@code max} is not positive
   */
  public Backoff withMax(Duration max) {
    return new Backoff(curve, baseNanos, multiplier, Args.requirePositiveNanos(max, "max"), jitter);
  }

  /** The same curve with {@code jitter}. */
  public Backoff withJitter(Jitter jitter) {
    return new Backoff(curve, baseNanos, multiplier, maxNanos, Args.requireNonNull(jitter, "jitter"));
  }

  /** The cap on every delay. */
  public Duration max() {
    return Duration.ofNanos(maxNanos);
  }

  /** The jitter applied to the curve. */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * The curve's delay before retry number {@code attempt} (1 for the first retry), without
   * jitter, capped at {@link #max()}. Never decreases as {@code attempt} grows.
   *
   * @throws IllegalArgumentException if {@code attempt < 1}
   */
  public long curveNanos(int attempt) {
    Args.requireAtLeastOne(attempt, "attempt");
    long d;
    switch (curve) {
      case CONSTANT:
        d = baseNanos;
        break;
      case LINEAR:
        d = SaturatedMath.multiply(baseNanos, attempt);
        break;
      default:
        double v = baseNanos * Math.pow(multiplier, attempt - 1);
        d = v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) v;
        break;
    }
    return Math.min(d, maxNanos);
  }

  /**
   * The delay before retry number {@code attempt}, with jitter drawn from {@code random}.
   *
   * @param attempt 1 for the first retry
   * @param previousNanos the delay used before the previous retry (0 before the first); only
   *     decorrelated jitter uses it
   * @param random the random source; seed it for reproducible delays
   * @return a delay in {@code [0, max]} nanoseconds
   * @throws IllegalArgumentException if {@code attempt < 1}
   */
  public long delayNanos(int attempt, long previousNanos, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    long d = curveNanos(attempt);
    switch (jitter) {
      case NONE:
        return d;
      case FULL:
        return uniform(random, 0, d);
      case EQUAL:
        return d / 2 + uniform(random, 0, d - d / 2);
      default:
        long lo = Math.min(baseNanos, maxNanos);
        long prev = Math.max(previousNanos, lo);
        long hi = Math.min(SaturatedMath.multiply(prev, 3), maxNanos);
        return uniform(random, lo, Math.max(lo, hi));
    }
  }

  /** Uniform in {@code [lo, hi]} (inclusive, {@code lo <= hi}), without overflow at the top. */
  static long uniform(RandomGenerator random, long lo, long hi) {
    if (lo >= hi) {
      return lo;
    }
    if (hi == Long.MAX_VALUE) {
      return random.nextLong(lo, hi); // the top value is lost: one in 2^63
    }
    return random.nextLong(lo, hi + 1);
  }

  /** 30 s, or the first delay if that is longer: a default cap never cuts the first delay. */
  private static long defaultMax(long base) {
    return Math.max(base, Args.saturatedNanos(DEFAULT_MAX));
  }

  @Override
  public String toString() {
    return "Backoff[" + curve.name().toLowerCase(java.util.Locale.ROOT) + " from " + Duration.ofNanos(baseNanos)
        + (curve == Curve.EXPONENTIAL ? " ×" + multiplier : "") + ", max " + max() + ", jitter "
        + jitter + "]";
  }
}
