package io.throttlenet.bucket;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.bucket.internal.Waits;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exact sliding-window limit: at most {@code limit} cost released in <em>every</em> window of
 * length {@code window}, with no burst at window boundaries (unlike fixed windows, and unlike a
 * token bucket, which allows its burst on top of its rate). Cost-aware, with the same verbs as
 * every {@link RateLimiter}.
 *
 * <pre>{@code
 * SlidingWindowLog log = SlidingWindowLog.of(1000, Duration.ofMinutes(1));
 * log.acquire(25);
 * }</pre>
 *
 * <p>Thread-safe. A short lock guards the log (never held while anyone waits).
 *
 * <h2>Design</h2>
 *
 * The log is a ring of bookings in release-time order, each with the running total of cost up to
 * and including it, so "how much cost must expire before {@code c} more fits" is a binary search
 * instead of a scan. Bookings whose time has left the window are dropped from the front on every
 * operation, so memory is proportional to the bookings inside the window (at most {@code limit},
 * plus waiters booked ahead). Time is in nanoseconds throughout, so windows under a millisecond
 * are as exact as long ones.
 *
 * <p>A cost that fits even counting every booking in the log, future ones included, is released
 * at once; otherwise it is booked after the last booking, at the first instant when enough old
 * cost has expired. Booking after the last booking is what makes checking the one window that ends
 * at the new booking sufficient. Cancelling a booking removes it wherever it is: fewer bookings
 * can only make every window lighter, so the log returns the full cost, unlike a token bucket.
 */
public final class SlidingWindowLog implements RateLimiter {
  private static final int INITIAL_CAPACITY = 16;

  /** Longest window, and how far ahead bookings may reach: about 73 years, far from overflow. */
  static final long MAX_NANOS = 1L << 61;

  static {
    Parts.register(SlidingWindowLog.class, l -> new Part[] {((SlidingWindowLog) l).part});
  }

  private final String name;
  private final Ticker ticker;
  private final long limit;
  private final long window;
  private final EventPublisher<LimiterEvent.Acquired> acquiredEvents;
  private final EventPublisher<LimiterEvent.Rejected> rejectedEvents;
  private final EventPublisher<LimiterEvent.Cancelled> cancelledEvents;
  private final ReentrantLock lock = new ReentrantLock();
  private final AsPart part = new AsPart(Parts.nextId());

  // All guarded by lock. Entry i (0 <= i < size) lives at index (head + i) & (times.length - 1).
  private long[] times = new long[INITIAL_CAPACITY];
  private long[] totals = new long[INITIAL_CAPACITY];
  private int head;
  private int size;
  /** Running total just before the first entry. */
  private long base;
  /** The latest time any operation has seen; see {@link #clock}. */
  private long highWater;
  /** The time of the last booking made for a composite; see {@link AsPart#handle}. */
  private long lastCharge;
  /**
   * The time of the last pause, restriction or reset: bookings made at or before it are not
   * given back, since the stand-in it booked already accounts for what was spent.
   */
  private long restrictedAt;

  private SlidingWindowLog(
      String name, Ticker ticker, EventRegistry events, long limit, long windowNanos) {
    this.name = name;
    this.ticker = ticker;
    this.limit = limit;
    this.window = windowNanos;
    this.acquiredEvents = events.publisher(LimiterEvent.Acquired.class, name);
    this.rejectedEvents = events.publisher(LimiterEvent.Rejected.class, name);
    this.cancelledEvents = events.publisher(LimiterEvent.Cancelled.class, name);
    this.highWater = ticker.read();
    this.restrictedAt = highWater - 1;
  }

  /**
   * At most {@code limit} per {@code window}.
   *
   * @throws IllegalArgumentException if either is not positive
   * @throws NullPointerException if {@code window} is null
   */
  public static SlidingWindowLog of(long limit, Duration window) {
    return builder().limit(limit).window(window).build();
  }

  /** A builder; {@link Builder#limit} and {@link Builder#window} are required. */
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

  /** The limit per window: the most that can ever be granted at once. */
  @Override
  public long capacity() {
    return limit;
  }

  /** The window length. */
  public Duration window() {
    return Duration.ofNanos(window);
  }

  @Override
  public long availablePermits() {
    return available(ticker.read());
  }

  private long available(long now) {
    lock.lock();
    try {
      expire(clock(now));
      return limit - booked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long reserve(long cost, long nowNanos, long maxWaitNanos) {
    Args.requireNonNegative(maxWaitNanos, "maxWaitNanos");
    Args.requireNonNegative(cost, "cost");
    if (cost == 0) {
      return 0;
    }
    if (cost > limit) {
      if (rejectedEvents.hasListeners()) {
        rejectedEvents.publish(
            new LimiterEvent.Rejected(
                name, cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
      }
      return NEVER;
    }
    long wait;
    boolean granted;
    lock.lock();
    try {
      long now = clock(nowNanos);
      expire(now);
      long at = earliest(cost, now);
      wait = at - nowNanos;
      granted = wait <= maxWaitNanos && wait <= Waits.LONGEST_WAIT_NANOS && at - now <= MAX_NANOS;
      if (granted) {
        insert(at, cost);
      }
    } finally {
      lock.unlock();
    }
    if (!granted) {
      if (rejectedEvents.hasListeners()) {
        rejectedEvents.publish(
            new LimiterEvent.Rejected(
                name,
                cost,
                LimiterEvent.Reason.forWait(maxWaitNanos),
                Optional.of(Duration.ofNanos(wait))));
      }
      return RateLimiter.rejection(wait);
    }
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new LimiterEvent.Acquired(name, cost, Duration.ofNanos(wait)));
    }
    return wait;
  }

  @Override
  public void cancel(long cost, long nowNanos, long waitNanos) {
    Args.requireNonNegative(cost, "cost");
    long refunded = 0;
    if (cost > 0 && cost <= limit) {
      long time = nowNanos + waitNanos;
      lock.lock();
      try {
        if (nowNanos - restrictedAt > 0 && remove(time, cost)) {
          refunded = cost;
        }
      } finally {
        lock.unlock();
      }
    }
    if (cancelledEvents.hasListeners()) {
      cancelledEvents.publish(new LimiterEvent.Cancelled(name, cost, refunded));
    }
  }

  @Override
  public long waitNanos(long cost, long nowNanos) {
    Args.requireNonNegative(cost, "cost");
    if (cost == 0) {
      return 0;
    }
    if (cost > limit) {
      return NEVER;
    }
    lock.lock();
    try {
      long now = clock(nowNanos);
      expire(now);
      return earliest(cost, now) - nowNanos;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc} The log books a stand-in for the whole limit that leaves the window exactly at
   * {@code untilNanos}; from then on only real bookings count.
   */
  @Override
  public void pauseUntil(long untilNanos) {
    adjust(Atomic.Adjustment.PAUSE, untilNanos, ticker.read());
  }

  /**
   * {@inheritDoc} The log books a stand-in for the difference at {@code nowNanos}, which leaves
   * the window a window later like any booking (a debt beyond the whole limit counts as the limit).
   */
  @Override
  public void limitAvailable(long permits, long nowNanos) {
    adjust(Atomic.Adjustment.RESTRICT, permits, nowNanos);
  }

  /** {@inheritDoc} The log forgets every booking. */
  @Override
  public void reset() {
    adjust(Atomic.Adjustment.RESET, 0, ticker.read());
  }

  private void adjust(Atomic.Adjustment adjustment, long value, long now) {
    Atomic.adjust(new Part[] {part}, adjustment, value, now); // rare: the array is no concern
  }

  @Override
  public String toString() {
    return "SlidingWindowLog[" + name + ", " + limit + " per " + window() + "]";
  }

  // ---- the log; every method below runs with the lock held ----

  /**
   * The time an operation acts at: the caller's reading, or a later one already seen. Callers
   * read the ticker before taking the lock, so readings arrive out of order; once a booking has
   * been expired as of a later time it is gone, and acting at an earlier time could then admit
   * cost inside a window that still holds it.
   */
  private long clock(long nowNanos) {
    if (nowNanos - highWater > 0) {
      highWater = nowNanos;
    }
    return highWater;
  }

  private int index(int i) {
    return (head + i) & (times.length - 1);
  }

  private long booked() {
    return size == 0 ? 0 : totals[index(size - 1)] - base;
  }

  /** Drops bookings released at least a window ago: they no longer count in any window ahead. */
  private void expire(long now) {
    while (size > 0 && now - times[head] >= window) {
      base = totals[head];
      head = (head + 1) & (times.length - 1);
      size--;
    }
  }

  /** The earliest release time for {@code cost} (which is at most the limit). */
  private long earliest(long cost, long now) {
    long excess = booked() + cost - limit;
    if (excess <= 0) {
      return now; // fits even counting every booking, future ones included
    }
    // The first booking by which at least `excess` cost has been booked must have expired.
    int lo = 0;
    int hi = size - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (totals[index(mid)] - base >= excess) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long t = times[index(lo)] + window; // bookings are at most MAX_NANOS ahead: no overflow
    long last = times[index(size - 1)];
    if (last - t > 0) {
      t = last;
    }
    return t - now > 0 ? t : now;
  }

  /**
   * Adds a booking at {@code time}, keeping release-time order. A booking weighs at most the
   * limit: any window holding it is full whatever its cost, and admission only asks which
   * bookings must expire first, so the cap changes no decision, while the running totals stay far
   * from overflow after a composite's huge overdraft (two {@code Long.MAX_VALUE} settles used to
   * wrap the total negative and reopen the window).
   */
  private void insert(long time, long cost) {
    cost = Math.min(cost, limit);
    if (size == times.length) {
      grow();
    }
    int pos = size;
    while (pos > 0 && times[index(pos - 1)] - time > 0) {
      pos--;
    }
    long before = pos == 0 ? base : totals[index(pos - 1)];
    for (int i = size; i > pos; i--) {
      int to = index(i);
      int from = index(i - 1);
      times[to] = times[from];
      totals[to] = totals[from] + cost;
    }
    times[index(pos)] = time;
    totals[index(pos)] = before + cost;
    size++;
  }

  /** Removes one booking of {@code cost} at {@code time}, if the log still holds it. */
  private boolean remove(long time, long cost) {
    for (int i = size - 1; i >= 0; i--) {
      int at = index(i);
      long t = times[at];
      if (t == time && totals[at] - (i == 0 ? base : totals[index(i - 1)]) == cost) {
        for (int j = i; j < size - 1; j++) {
          int to = index(j);
          int from = index(j + 1);
          times[to] = times[from];
          totals[to] = totals[from] - cost;
        }
        size--;
        return true;
      }
      if (time - t > 0) {
        return false; // passed the place where it would be: the log no longer holds it
      }
    }
    return false;
  }

  /**
   * Takes back up to {@code units} from the bookings made at exactly {@code time} (one charge's,
   * or several made at that same instant, which count alike). Removing cost only lightens windows.
   */
  private void reduce(long time, long units) {
    int i = 0;
    while (i < size && time - times[index(i)] > 0) {
      i++;
    }
    long removed = 0;
    long previous = i == 0 ? base : totals[index(i - 1)];
    int out = i;
    for (int in = i; in < size; in++) {
      int at = index(in);
      long total = totals[at];
      long cost = total - previous;
      previous = total;
      long take = times[at] == time ? Math.min(cost, units - removed) : 0;
      removed += take;
      if (cost - take > 0) {
        int to = index(out++); // out <= in: never overwrites an entry not yet read
        times[to] = times[at];
        totals[to] = total - removed;
      }
    }
    size = out;
  }

  private void grow() {
    int n = times.length;
    long[] newTimes = new long[n << 1];
    long[] newTotals = new long[n << 1];
    for (int i = 0; i < size; i++) {
      newTimes[i] = times[index(i)];
      newTotals[i] = totals[index(i)];
    }
    times = newTimes;
    totals = newTotals;
    head = 0;
  }

  /** The log as one part of an atomic composite: the lock is the log's own. */
  private final class AsPart implements Part {
    private final long id;

    AsPart(long id) {
      this.id = id;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long capacity() {
      return limit;
    }

    @Override
    public long refillNanos() {
      return window;
    }

    @Override
    public long availableAt(long snapshot, long now) {
      expire(clock(now));
      return limit - booked();
    }

    @Override
    public long lock(long now) {
      lock.lock();
      clock(now); // the log's high-water clock, which every operation below goes through
      return 0;
    }

    /** Any: a booking's weight is capped at the limit (see {@link #insert}), so none overflows. */
    @Override
    public long maxCharge() {
      return Long.MAX_VALUE;
    }

    @Override
    public long waitAt(long snapshot, long cost, long now) {
      if (cost > limit) {
        return NEVER;
      }
      long at = clock(now);
      expire(at);
      return earliest(cost, at) - now;
    }

    @Override
    public long charge(long snapshot, long cost, long now) {
      long at = clock(now);
      expire(at);
      insert(at, cost);
      lastCharge = at;
      return snapshot;
    }

    @Override
    public long handle(long snapshot) {
      return lastCharge;
    }

    @Override
    public long refund(long snapshot, long cost, long handle, long chargedAt, long now) {
      expire(clock(now));
      if (chargedAt - restrictedAt <= 0) {
        return snapshot; // a stand-in booked since already accounts for what the charge spent
      }
      reduce(handle, cost); // nothing if that booking has already left the window
      return snapshot;
    }

    @Override
    public long restrict(long snapshot, long permits, long now) {
      long at = clock(now);
      expire(at);
      // booked() counts future bookings too; a debt beyond the limit weighs the limit anyway
      long excess = permits < -limit ? limit : limit - booked() - permits;
      if (excess > 0) {
        insert(at, excess);
        restrictedAt = at;
      }
      return snapshot;
    }

    @Override
    public long pause(long snapshot, long until, long now) {
      long at = clock(now);
      if (until - at <= 0) {
        return snapshot;
      }
      expire(at);
      // A stand-in for the whole limit, released a window before `until`: every window that
      // ends before `until` is full, and it leaves exactly at `until`. Clamped so that it never
      // lies further ahead than bookings may.
      long release = Math.min(until - at, MAX_NANOS) + at - window;
      insert(release, limit);
      restrictedAt = at;
      return snapshot;
    }

    @Override
    public long reset(long snapshot, long now) {
      clock(now);
      head = 0;
      size = 0;
      base = 0;
      restrictedAt = highWater;
      return snapshot;
    }

    @Override
    public void unlock(long snapshot) {
      lock.unlock();
    }
  }

  /**
   * Builds a {@link SlidingWindowLog}. Every option may be set once. The shared options ({@link
   * ComponentBuilder}) default to a unique name such as {@code "sliding-window-log-1"}, {@link Ticker#system()}
   * and the default event registry. Not thread-safe; the built log is.
   */
  public static final class Builder extends LimiterBuilder<Builder> {
    private long limit;
    private long windowNanos;

    private Builder() {}

    /**
     * The most cost released in any window. Required.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder limit(long limit) {
      Args.requireUnset(this.limit != 0, "limit");
      Args.requireAtLeastOne(limit, "limit");
      this.limit = limit;
      return this;
    }

    /**
     * The window length; any positive length up to about 73 years, including under a
     * millisecond. Required.
     *
     * @throws IllegalArgumentException if not positive or longer than that
     */
    public Builder window(Duration window) {
      Args.requireUnset(this.windowNanos != 0, "window");
      long nanos = Args.requirePositiveNanos(window, "window");
      if (nanos > MAX_NANOS) {
        throw new IllegalArgumentException("window must be at most about 73 years, was " + window);
      }
      this.windowNanos = nanos;
      return this;
    }

    /**
     * Builds the log.
     *
     * @throws IllegalStateException if the limit or the window was not set
     */
    public SlidingWindowLog build() {
      if (limit == 0) {
        throw new IllegalStateException("limit must be set");
      }
      if (windowNanos == 0) {
        throw new IllegalStateException("window must be set");
      }
      return new SlidingWindowLog(
          nameOr("sliding-window-log"),
          tickerOr(Ticker.system()),
          eventsOrDefault(),
          limit,
          windowNanos);
    }
  }
}
