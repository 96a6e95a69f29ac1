package io.throttlenet.adaptive;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.internal.Args;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An algorithm that finds how many calls a downstream takes at once from how its calls end: each
 * {@linkplain #onSample sample} (an outcome, a round-trip time, how many calls were in flight, and
 * the time, all as data) yields a new limit. The algorithm is apart from the limiter it steers;
 * {@link AdaptiveConcurrency} wires one to a {@link io.throttlenet.queue.ConcurrencyLimit}.
 *
 * <p>Contract, for every implementation: the limit always stays within {@code [min, max]}; a
 * {@link Outcome#DROPPED} sample (a 429 or 503, a timeout) never raises it, and neither its
 * round trip (a fast 503 is no evidence of a fast downstream) nor a {@link Outcome#FAILURE} or
 * {@link Outcome#IGNORED} one is taken for a measurement.
 *
 * <p>Thread-safe, without locks: the state is an immutable value replaced by compare-and-set, so
 * concurrent samples are never lost (each is folded into the state the other left). A sample costs
 * one small allocation, for the new state.
 *
 * @param <S> the algorithm's immutable state
 */
public abstract class ConcurrencyController<S> {
  private final int min;
  private final int max;
  private final AtomicReference<S> state;

  /**
   * For implementations.
   *
   * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
   */
  protected ConcurrencyController(int min, int max, S initial) {
    Args.requireAtLeastOne(min, "min");
    if (max < min) {
      throw new IllegalArgumentException("max must be >= min (" + min + "), was " + max);
    }
    this.min = min;
    this.max = max;
    this.state = new AtomicReference<>(Args.requireNonNull(initial, "initial"));
  }

  /**
   * The current limit, within {@code [min, max]}: the algorithm's real-valued limit rounded down
   * (a limit of 2.9 lets 2 calls in; 3 are let in once the algorithm has grown to 3).
   */
  public final int limit() {
    return clamp(limitOf(state.get()));
  }

  /** The lowest limit. */
  public final int min() {
    return min;
  }

  /** The highest limit. */
  public final int max() {
    return max;
  }

  /**
   * Folds one call's end into the state and returns the new limit.
   *
   * @param outcome what the call says about the downstream's capacity
   * @param rttNanos how long it took, from the grant of its slot to its end
   * @param inFlight how many calls were in flight when it ended, itself included
   * @param nowNanos a reading of the ticker the samples share
   */
  public final int onSample(Outcome outcome, long rttNanos, int inFlight, long nowNanos) {
    Args.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.IGNORED || outcome == Outcome.FAILURE) {
      return limit();
    }
    long rtt = Math.max(1, rttNanos);
    for (;;) {
      S s = state.get();
      S next = next(s, outcome == Outcome.DROPPED, rtt, inFlight, nowNanos);
      if (next == s || state.compareAndSet(s, next)) {
        return clamp(limitOf(next));
      }
    }
  }

  /**
   * The state after one sample; pure (no side effect: it may run again on a newer state if a
   * concurrent sample won). The limit it implies is clamped to {@code [min, max]} by the caller,
   * but implementations keep their own figure within it too, so that it does not run away.
   *
   * @param dropped whether the call was dropped (its {@code rttNanos} is then no measurement)
   */
  protected abstract S next(S state, boolean dropped, long rttNanos, int inFlight, long nowNanos);

  /** The limit a state stands for, before clamping. */
  protected abstract double limitOf(S state);

  /**
   * Whether the limit came down less than {@code window} (a round trip) before {@code now}: the
   * calls of one overload episode report it together, and one decrease answers them all.
   */
  protected static boolean decreasedRecently(
      boolean decreased, long lastDecrease, long window, long now) {
    return decreased && now - lastDecrease < Math.max(1, window);
  }

  /** {@code value} within {@code [min, max]}. */
  protected final double bound(double value) {
    return Math.max(min, Math.min(max, value));
  }

  private int clamp(double value) {
    return (int) bound(value);
  }

  /** The state, for tests and tooling. */
  protected final S state() {
    return state.get();
  }

  /**
   * A downstream's round trip without a queue, as the controllers estimate it (for tests and
   * tooling; part of their states).
   *
   * <p>The first successful call's round trip, then what a probe measures: {@value #FIRST_PROBE}
   * baselines after the first sample, then every {@value #PROBE_INTERVAL}, the controller
   * {@linkplain #probing() halves its limit}, as BBR does, so that a limit at most twice the
   * capacity leaves no queue. The lowest round trip seen, the usual estimate, fails whenever the
   * limit stays above the capacity (a limit that started too high, or one held a little above it,
   * as Vegas and Gradient2 do): every round trip then includes a queue, the queue is taken for the
   * baseline, and the limit ratchets up; with jitter, its dips also make it too low.
   *
   * <p>A call sent after the probe began finds no queue. The probe measures the mean round trip of
   * the calls sent in a window that opens with the first of them and lasts one baseline, or as
   * many as needed for about {@value #PROBE_SAMPLES} calls at half the limit; it ends when a call
   * sent a baseline after the window closed comes back, so the window's slow calls are back too
   * (the first few calls to return are the fastest). A measurement more than a tenth below the
   * baseline replaces it: nothing makes calls faster than the downstream, so the baseline was too
   * high (a limit that started above the capacity) or shifted down. Otherwise the new baseline is
   * the mean of the last and the measurement (one probe measures few calls), at most a quarter
   * above the last: a client that stalls makes round trips longer too, and one probe in a stall
   * must not make a queue look like none. A baseline that doubled is found within four probes. A
   * probe lasts about three baselines at half the limit: 1 to 2 % of the throughput at the
   * capacity.
   *
   * @param rtt the baseline, in nanoseconds; 0 before the first sample
   * @param nextProbe when the next probe begins (a ticker reading)
   * @param probing whether a probe is under way
   * @param probeStart when it began
   * @param windowEnd when its window closes (sending time), once its first call is back
   * @param probeSum the round trips of the window's calls that are back, summed
   * @param probeCount how many of them
   */
  public record Baseline(
      long rtt,
      long nextProbe,
      boolean probing,
      long probeStart,
      long windowEnd,
      long probeSum,
      int probeCount) {
    /** In baselines, from the first sample to the first probe. */
    public static final int FIRST_PROBE = 10;

    /** In baselines, from the end of a probe to the next. */
    public static final int PROBE_INTERVAL = 100;

    /** About how many calls a probe measures. */
    public static final int PROBE_SAMPLES = 8;

    static final Baseline NONE = new Baseline(0, 0, false, 0, 0, 0, 0);

    /** The limit to apply: {@code limit}, or half of it during a probe. */
    double limit(double limit) {
      return probing ? limit / 2 : limit;
    }

    /**
     * The baseline after a successful call's round trip {@code sample}, ending at {@code now},
     * under a limit of {@code limit} (outside a probe).
     */
    Baseline next(long sample, long now, double limit) {
      if (rtt == 0) {
        return new Baseline(sample, now + FIRST_PROBE * sample, false, 0, 0, 0, 0);
      }
      if (probing) {
        return probed(sample, now, limit);
      }
      return now - nextProbe < 0 ? this : new Baseline(rtt, nextProbe, true, now, 0, 0, 0);
    }

    private Baseline probed(long sample, long now, double limit) {
      long sent = now - sample;
      if (sent - probeStart < 0) {
        return this; // sent before the probe: it met the queue the probe drains
      }
      if (probeCount == 0) {
        long window = (long) (rtt * Math.max(1, PROBE_SAMPLES / Math.max(1, limit / 2)));
        return new Baseline(rtt, nextProbe, true, probeStart, sent + window, sample, 1);
      }
      if (sent - windowEnd < 0) {
        return new Baseline(
            rtt, nextProbe, true, probeStart, windowEnd, probeSum + sample, probeCount + 1);
      }
      if (sent - windowEnd < rtt) {
        return this; // the window's slowest calls may still be out
      }
      long measured = probeSum / probeCount;
      // Nothing makes a probe's calls faster than the downstream, but a client that stalls (a
      // pause, a loaded machine) makes them slower: a much lower measurement is taken at once, a
      // higher one averaged in and at most a quarter up per probe
      long next =
          measured < rtt - rtt / 10
              ? measured
              : Math.min(rtt + (measured - rtt) / 2, rtt + rtt / 4);
      return new Baseline(next, now + PROBE_INTERVAL * next, false, 0, 0, 0, 0);
    }
  }

  /**
   * What every controller's builder shares: the limit to start from and its bounds. Not
   * thread-safe.
   *
   * @param <B> the concrete builder
   */
  public abstract static class Builder<B extends Builder<B>> {
    int initial = 10;
    int min = 1;
    int max = 1000;

    /** For the controllers' builders. */
    Builder() {}

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The limit to start from; default 10 (kept within min and max). */
    public B initialLimit(int initial) {
      Args.requireAtLeastOne(initial, "initialLimit");
      this.initial = initial;
      return self();
    }

    /** The lowest limit; default 1. */
    public B minLimit(int min) {
      Args.requireAtLeastOne(min, "minLimit");
      this.min = min;
      return self();
    }

    /** The highest limit; default 1000. */
    public B maxLimit(int max) {
      Args.requireAtLeastOne(max, "maxLimit");
      this.max = max;
      return self();
    }

    /**
     * Checks the bounds and keeps the initial limit within them; for {@code build()}.
     *
     * @throws IllegalArgumentException if {@code maxLimit < minLimit}
     */
    void checkBounds() {
      if (max < min) {
        throw new IllegalArgumentException("maxLimit must be >= minLimit (" + min + "), was " + max);
      }
      initial = Math.max(min, Math.min(max, initial));
    }
  }
}
