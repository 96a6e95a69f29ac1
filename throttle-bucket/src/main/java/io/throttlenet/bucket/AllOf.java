package io.throttlenet.bucket;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Line;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.bucket.internal.Tickers;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A limiter that must pass every one of several limiters, for example 5 per second <em>and</em>
 * 300 per minute, or a token bucket and a sliding-window log:
 *
 * <pre>{@code
 * AllOf api = Throttle.allOf(Throttle.perSecond(5), Throttle.perMinute(300));
 * api.acquire();
 * }</pre>
 *
 * <p>All or nothing, charged at release time: a cost is granted only at an instant when every
 * part can afford it, and then every part is charged at that instant, atomically (a part's other
 * users never see half of it). A refused, timed-out, cancelled or interrupted acquire leaves every
 * part exactly as it was, because nothing is charged before the moment of release. A slow part
 * therefore never lets a fast part be charged early and over-admit later. The wait reported is the
 * longest part's wait; a cost above any part's capacity fails at once, naming that part.
 *
 * <p>How waiting differs from a single {@link Throttle}: a composite does not book future time on
 * its parts (booking a fast, shared part minutes ahead because a slow part makes the caller wait
 * would stall everyone else using the fast part). Instead, callers that must wait stand in one
 * line, served in arrival order: only the head of the line waits for the moment every part is
 * predicted to afford its cost, then tries again atomically; if other users of a part took the
 * capacity in the meantime, it waits again. A caller arriving while others wait joins the line
 * rather than overtaking it, even if its own cost would fit now (FIFO, with its usual head-of-line
 * blocking). So {@link #tryAcquire(long, Duration)} may, under contention from the parts' other
 * users, wait and still answer {@code false} at its deadline. {@link #reserve} (the SPI other
 * composites use) books only immediate grants and does not look at the line.
 *
 * <p>A predicted wait longer than about 18 years (only an absurd overdraft of a part, such as a
 * huge reservation settle, produces one) fails at once, even for {@code acquire}, with a {@link
 * io.throttlenet.core.MaxWaitExceededException}: parking for it would look like a hang.
 *
 * <p>Parts may be {@link Throttle}s, {@link SlidingWindowLog}s or other {@code AllOf}s (which are
 * flattened); a part listed twice counts once. Thread-safe.
 */
public final class AllOf implements RateLimiter {

  static {
    Parts.register(AllOf.class, a -> ((AllOf) a).parts.clone());
  }

  private final String name;
  private final Ticker ticker;
  private final Part[] parts;
  private final long capacity;
  private final CompositeEvents events;
  private final Line line;

  private AllOf(String name, Ticker ticker, EventRegistry events, Part[] parts) {
    this.name = name;
    this.ticker = ticker;
    this.line = new Line(ticker);
    this.parts = parts;
    long min = Long.MAX_VALUE;
    for (Part p : parts) {
      min = Math.min(min, p.capacity());
    }
    this.capacity = min;
    this.events = new CompositeEvents(name, events);
  }

  /** A builder; add at least one limiter. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  /** The smallest capacity of the parts. */
  @Override
  public long capacity() {
    return capacity;
  }

  /** How long the slowest part takes to recover its whole capacity. */
  long refillNanos() {
    long max = 0;
    for (Part p : parts) {
      max = Math.max(max, p.refillNanos());
    }
    return max;
  }

  /** Whether every part could grant its own whole capacity now: nothing is owed anywhere. */
  boolean full() {
    return Atomic.allFull(parts, ticker.read());
  }

  /** The number of distinct limiters combined (after flattening). */
  public int size() {
    return parts.length;
  }

  /**
   * The largest cost that every part could grant right now, read from all parts at one instant;
   * negative, as for a single limiter, when a part is in debt.
   */
  @Override
  public long availablePermits() {
    return Atomic.minAvailable(parts, ticker.read());
  }

  /**
   * Grants {@code cost} only if every part can afford it at once ({@code maxWaitNanos} aside:
   * a composite never books future time); otherwise charges nothing.
   */
  @Override
  public long reserve(long cost, long nowNanos, long maxWaitNanos) {
    Args.requireNonNegative(maxWaitNanos, "maxWaitNanos");
    Args.requireNonNegative(cost, "cost");
    if (cost == 0) {
      return 0;
    }
    if (cost > capacity) {
      events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
      return NEVER;
    }
    long wait = Atomic.tryCharge(parts, null, cost, nowNanos);
    if (wait == 0) {
      events.acquired(cost, 0);
      return 0;
    }
    if (wait > maxWaitNanos) {
      events.rejected(cost, LimiterEvent.Reason.forWait(maxWaitNanos), wait);
    }
    return RateLimiter.rejection(wait); // see RateLimiter#reserve: composites book no future time
  }

  /** Nothing to give back: a composite books only immediate grants, which are used at once. */
  @Override
  public void cancel(long cost, long nowNanos, long waitNanos) {
    Args.requireNonNegative(cost, "cost");
  }

  @Override
  public long waitNanos(long cost, long nowNanos) {
    Args.requireNonNegative(cost, "cost");
    if (cost == 0) {
      return 0;
    }
    if (cost > capacity) {
      return NEVER;
    }
    return Atomic.peek(parts, null, cost, nowNanos);
  }

  /** Callers waiting in this composite's line right now. */
  public int waiting() {
    return line.size();
  }

  /**
   * Takes {@code cost} if every part can afford it now and nobody is waiting in line (a caller
   * never overtakes the line); never waits.
   */
  @Override
  public boolean tryAcquire(long cost) {
    Args.requireNonNegative(cost, "cost");
    if (cost == 0 || line.isEmpty()) {
      return reserve(cost, ticker.read(), 0) >= 0;
    }
    if (cost > capacity) {
      events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
    } else {
      events.rejected(cost, LimiterEvent.Reason.INSUFFICIENT_PERMITS, behindLine(cost, ticker.read()));
    }
    return false;
  }

  @Override
  public boolean tryAcquire(long cost, Duration maxWait) throws InterruptedException {
    long maxWaitNanos = Args.requireNonNegativeNanos(maxWait, "maxWait");
    Args.requireNonNegative(cost, "cost");
    if (cost > capacity) {
      events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
      return false;
    }
    long now = ticker.read();
    long wait = firstTry(cost, now);
    if (wait == 0) {
      events.acquired(cost, 0);
      return true;
    }
    return line.await(events.attempt(parts, cost, ticker), now, wait, maxWaitNanos);
  }

  @Override
  public void acquire(long cost) throws InterruptedException {
    Args.requireNonNegative(cost, "cost");
    failIfNever(cost);
    long now = ticker.read();
    long wait = firstTry(cost, now);
    if (wait == 0) {
      events.acquired(cost, 0);
      return;
    }
    line.awaitOrThrow(events.attempt(parts, cost, ticker), now, wait, Long.MAX_VALUE);
  }

  /**
   * Charges {@code cost} at once if nobody waits in line and every part affords it (returns 0);
   * otherwise the caller's own predicted wait, at least 1 while others wait ahead of it.
   */
  private long firstTry(long cost, long now) {
    if (cost == 0) {
      return 0;
    }
    return line.isEmpty() ? Atomic.tryCharge(parts, null, cost, now) : behindLine(cost, now);
  }

  private long behindLine(long cost, long now) {
    return Math.max(1, Atomic.peek(parts, null, cost, now));
  }

  @Override
  public CompletionStage<Void> acquireAsync(long cost) {
    return acquireAsync(cost, Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<Void> acquireAsync(long cost, Duration maxWait) {
    return acquireAsync(cost, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  private CompletionStage<Void> acquireAsync(long cost, long maxWaitNanos) {
    Args.requireNonNegative(cost, "cost");
    if (cost > capacity) {
      events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
      return CompletableFuture.failedStage(capacityError(cost));
    }
    long now = ticker.read();
    long wait = firstTry(cost, now);
    if (wait == 0) {
      events.acquired(cost, 0);
      return Stages.DONE;
    }
    return line.join(events.attempt(parts, cost, ticker), now, wait, maxWaitNanos);
  }

  private void failIfNever(long cost) {
    if (cost > capacity) {
      events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
      throw capacityError(cost);
    }
  }

  private CostExceedsCapacityException capacityError(long cost) {
    for (Part p : parts) {
      if (cost > p.capacity()) {
        return new CostExceedsCapacityException(p.name(), cost, p.capacity());
      }
    }
    return new CostExceedsCapacityException(name, cost, capacity);
  }

  /** {@inheritDoc} Every part is paused, all at one instant. */
  @Override
  public void pauseUntil(long untilNanos) {
    Atomic.adjust(parts, Atomic.Adjustment.PAUSE, untilNanos, ticker.read());
  }

  /** {@inheritDoc} Every part is limited to {@code permits}, all at one instant. */
  @Override
  public void limitAvailable(long permits, long nowNanos) {
    Atomic.adjust(parts, Atomic.Adjustment.RESTRICT, permits, nowNanos);
  }

  /** {@inheritDoc} Every part is reset at one instant, and the line is served at once. */
  @Override
  public void reset() {
    Atomic.adjust(parts, Atomic.Adjustment.RESET, 0, ticker.read());
    line.repump();
  }

  @Override
  public String toString() {
    return "AllOf[" + name + ", " + parts.length + " parts, capacity " + capacity + "]";
  }

  /**
   * Builds an {@link AllOf}. The shared options ({@link ComponentBuilder}) default to a unique name
   * such as {@code "all-of-1"}, the first part's ticker and the default event registry. Not thread-safe; the
   * built limiter is.
   */
  public static final class Builder extends LimiterBuilder<Builder> {
    private final List<Part> parts = new ArrayList<>();
    private final List<RateLimiter> limiters = new ArrayList<>();
    private Ticker firstTicker;

    private Builder() {}

    /**
     * Adds a limiter every call must pass.
     *
     * @throws IllegalArgumentException if it cannot be composed atomically (only throttle-net's
     *     local limiters can)
     */
    public Builder add(RateLimiter limiter) {
      Args.requireNonNull(limiter, "limiter");
      Part[] found = Parts.of(limiter);
      if (found == null) {
        throw new IllegalArgumentException(
            "limiter must be a Throttle, a SlidingWindowLog or an AllOf, was " + limiter);
      }
      if (firstTicker == null) {
        firstTicker = limiter.ticker();
      }
      parts.addAll(Arrays.asList(found));
      limiters.add(limiter);
      return this;
    }

    /** Adds each of {@code limiters}; see {@link #add}. */
    public Builder addAll(RateLimiter... limiters) {
      Args.requireNonNull(limiters, "limiters");
      for (RateLimiter l : limiters) {
        add(l);
      }
      return this;
    }

    /**
     * Builds the composite; unless a ticker is set, it waits through the first limiter's.
     *
     * @throws IllegalStateException if no limiter was added
     * @throws IllegalArgumentException if a limiter uses another ticker than the composite (it
     *     would be charged at the composite's readings and refill by its own clock)
     */
    public AllOf build() {
      if (parts.isEmpty()) {
        throw new IllegalStateException("at least one limiter must be added");
      }
      String name = nameOr("all-of");
      Ticker ticker = tickerOr(firstTicker);
      for (RateLimiter l : limiters) {
        Tickers.requireSame(l.ticker(), "limiter " + l.name(), ticker, name);
      }
      Part[] sorted =
          parts.stream().distinct().sorted(Comparator.comparingLong(Part::id)).toArray(Part[]::new);
      return new AllOf(name, ticker, eventsOrDefault(), sorted);
    }
  }
}
