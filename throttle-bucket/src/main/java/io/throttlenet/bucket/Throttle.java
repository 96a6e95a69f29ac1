package io.throttlenet.bucket;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.bucket.internal.Waits;
import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.SaturatedMath;
import io.throttlenet.core.registry.Rate;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket: cost refills at a steady rate up to a burst, and a request takes its cost from
 * the bucket or waits until the bucket can afford it. A new bucket starts full unless the builder
 * says otherwise.
 *
 * <pre>{@code
 * Throttle throttle = Throttle.perSecond(100);   // 100 per second, burst 100
 * throttle.acquire();                             // parks until a permit is free
 * boolean ok = throttle.tryAcquire(5);            // never waits
 * }</pre>
 *
 * <p>Thread-safe and lock-free on its own: an uncontended {@link #tryAcquire()} is one ticker
 * read, two volatile reads and one compare-and-set, and allocates nothing unless somebody listens
 * for its events. Several throttles can be combined with {@link #allOf}.
 *
 * <p>No caller is made to wait longer than about 18 years: such a wait can only come from an
 * absurd overdraft, and it fails at once (a {@link io.throttlenet.core.MaxWaitExceededException}
 * from {@code acquire}) instead of parking a thread for decades; composites follow the same rule.
 *
 * <h2>Design</h2>
 *
 * The bucket is kept as GCRA: one {@code long}, the theoretical arrival time {@code tat}, the
 * instant at which the bucket will be full again. Each permit is worth an emission interval
 * {@code T} (the period divided by the permits, rounded <em>up</em> to whole nanoseconds, so the
 * effective rate is never above the configured one) and the burst is a tolerance {@code τ = burst
 * × T}. A cost {@code c} arriving at {@code now} is booked by moving {@code tat} to {@code
 * max(tat, now) + c·T}; the caller is released at {@code tat' - τ}, at once if that is not in the
 * future. Every booking is thus a disjoint slice of virtual time, released no earlier than the
 * slice's end minus τ, which is what bounds the cost released in any interval of length {@code t}
 * by {@code burst + rate·t}.
 *
 * <p>The state word is {@code ((tat - epoch) << 2) | parity << 1 | locked}: {@code tat} relative
 * to the ticker reading at construction, the parity of the current configuration, and a lock bit.
 * {@link #setRate} publishes a new configuration whose parity differs; the first thread to see a
 * state of the old parity converts it (permits available are kept, as time scaled to the new
 * interval; a debt owed to booked waiters is kept as time, so they keep their release times and
 * newcomers queue behind them at the new rate) and everyone else retries. This keeps rate changes
 * exact without a lock on the hot path and without allocating a state object per update. One bit
 * can be fooled only if two rate changes complete between a thread's read of the state and its
 * compare-and-set <em>and</em> the state returns to the very same value; rate changes are rare, so
 * this is accepted. The lock bit is set only by composites ({@link AllOf} and friends) for the few
 * nanoseconds in which they decide and charge several limiters at one instant; plain callers spin
 * meanwhile. Bookings reach at most about 36 years ahead, which keeps the relative time within the
 * encoding.
 *
 * <p>Time only moves forward for the bucket. Callers read the ticker before they book, so a
 * caller descheduled in between books with a stale reading; were it booked at that reading after
 * others had been shown a later time, it would take refill they had already been granted, and
 * both would be released together. {@code tat} doubles as the bucket's high-water clock: every
 * booking and every refusal leaves {@code tat} at or after its reading (a booking moves it to
 * {@code max(tat, now) + c·T}, and a refusal means {@code tat > now}), and a composite that only
 * looks at the bucket raises a lagging {@code tat} to its reading when it takes the lock (a full
 * bucket stays full for every reader at that time or later). So a stale reading is never booked
 * before a time the bucket has already acted at: it is booked from {@code tat} and told to wait
 * by its own reckoning, which is the conservative side. What no limiter can see without reading
 * the clock again is a stale reading that nobody has overtaken yet; the hot path stays at one
 * read. Queries ({@link #availablePermits}, {@link #waitNanos}) never write.
 *
 * <p>Cancelling a reservation ({@link #cancel}) returns its cost only if no later booking was
 * made on top of it: moving {@code tat} back under a later booking would let a newcomer share the
 * later booking's slice and exceed the rate. A reservation that cannot be returned comes back with
 * refill, and the {@link LimiterEvent.Cancelled} event says how much was returned.
 */
public final class Throttle implements AdjustableRateLimiter {

  /** Largest τ and farthest booking: about 36 years, so relative times fit the encoding. */
  static final long MAX_TOLERANCE_NANOS = 1L << 60;

  /**
   * How far ahead of now bookings may reach. Waiters beyond it are refused even with an unbounded
   * wait, so the theoretical arrival time always fits the encoding.
   */
  static final long MAX_AHEAD_NANOS = 1L << 60;

  private static final long LOCKED = 1;
  private static final long PARITY = 2;
  private static final int SPINS_BEFORE_YIELD = 64;

  private static final VarHandle STATE;
  private static final VarHandle LATEST_RELEASE;
  private static final VarHandle RECONFIGURED_AT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(Throttle.class, "state", long.class);
      LATEST_RELEASE = lookup.findVarHandle(Throttle.class, "latestRelease", long.class);
      RECONFIGURED_AT = lookup.findVarHandle(Throttle.class, "reconfiguredAt", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    Parts.register(Throttle.class, t -> new Part[] {((Throttle) t).part});
  }

  private final String name;
  private final Ticker ticker;
  private final long epoch;
  private final EventPublisher<LimiterEvent.Acquired> acquiredEvents;
  private final EventPublisher<LimiterEvent.Rejected> rejectedEvents;
  private final EventPublisher<LimiterEvent.Cancelled> cancelledEvents;
  private final ReentrantLock reconfigure = new ReentrantLock();
  private final AsPart part = new AsPart(Parts.nextId());
  private volatile Config config;
  private final long initialPermits;

  /**
   * Ticker reading taken after the last {@link #setRate} had converted the state, or after the
   * last pause, restriction or reset changed it: every booking made before read its time before
   * this, so {@link #cancel} and refunds can tell. Only ever moves forward.
   */
  private volatile long reconfiguredAt;

  /**
   * The latest release time of any booking that had to wait. While it lies ahead, callers are
   * booked in the future and nothing may be given back ({@link AsPart#refund}).
   */
  @SuppressWarnings("unused") // accessed through LATEST_RELEASE
  private volatile long latestRelease;

  /** See the class comment. */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile long state;

  /**
   * The end ({@code tat} after it) and cost of the last booking that had to wait, so that {@link
   * #cancel} never gives back more than that booking took. Written and read only while holding
   * the state's lock bit, whose release (a volatile write) publishes them.
   */
  private long lastWaitingEnd;

  private long lastWaitingCost;

  private Throttle(
      String name, Ticker ticker, EventRegistry events, Config config, long initialPermits) {
    this.name = name;
    this.ticker = ticker;
    this.config = config;
    this.initialPermits = initialPermits;
    this.acquiredEvents = events.publisher(LimiterEvent.Acquired.class, name);
    this.rejectedEvents = events.publisher(LimiterEvent.Rejected.class, name);
    this.cancelledEvents = events.publisher(LimiterEvent.Cancelled.class, name);
    long now = ticker.read();
    this.epoch = now;
    this.reconfiguredAt = now - 1;
    this.latestRelease = now - 1;
    long tat = now + config.tolerance - initialPermits * config.interval;
    this.state = encode(tat, config.parity);
  }

  /**
   * {@code permits} per second, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} is not positive
   */
  public static Throttle perSecond(long permits) {
    return perDuration(permits, Duration.ofSeconds(1));
  }

  /**
   * {@code permits} per minute, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} is not positive
   */
  public static Throttle perMinute(long permits) {
    return perDuration(permits, Duration.ofMinutes(1));
  }

  /**
   * {@code permits} per {@code period}, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} or {@code period} is not positive, or the
   *     rate is faster than one permit per nanosecond
   * @throws NullPointerException if {@code period} is null
   */
  public static Throttle perDuration(long permits, Duration period) {
    return builder().rate(permits, period).build();
  }

  /** A builder; {@link Builder#rate} is required, everything else has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A limiter that admits a cost only if every one of {@code limiters} can afford it at the same
   * instant, and then charges all of them; see {@link AllOf}.
   *
   * @throws IllegalArgumentException if a limiter cannot be composed (only throttle-net's own
   *     local limiters can) or none is given
   * @throws NullPointerException if an argument is null
   */
  public static AllOf allOf(RateLimiter first, RateLimiter... more) {
    return AllOf.builder().add(first).addAll(more).build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  /** The burst: the most that can be granted at once, and the bucket's size. */
  @Override
  public long capacity() {
    return config.burst;
  }

  /** How long an empty bucket takes to refill completely at the current rate. */
  long refillNanos() {
    return config.tolerance;
  }

  /**
   * This throttle's configuration, every option filled in: the current rate (as last set), the
   * burst and the permits it started with. Feed it to {@link Builder#from} for a throttle like
   * this one.
   */
  public ThrottleConfig config() {
    Config c = config;
    return new ThrottleConfig(
        Optional.of(c.rate), OptionalLong.of(c.burst), OptionalLong.of(initialPermits));
  }

  /** The current refill rate in permits per second (after rounding the interval up to whole ns). */
  @Override
  public double permitsPerSecond() {
    return 1e9 / config.interval;
  }

  @Override
  public long reserve(long cost, long nowNanos, long maxWaitNanos) {
    Args.requireNonNegative(maxWaitNanos, "maxWaitNanos");
    if (cost <= 0) {
      Args.requireNonNegative(cost, "cost");
      return 0;
    }
    for (int spins = 0; ; ) {
      Config c = config;
      if (cost > c.burst) {
        return rejectCapacity(cost);
      }
      long s = (long) STATE.getVolatile(this);
      if ((s & (LOCKED | PARITY)) != c.parity) {
        spins = settleOrSpin(c, s, spins);
        continue;
      }
      long tat = (s >> 2) + epoch;
      long base = tat - nowNanos > 0 ? tat : nowNanos;
      long next = base + cost * c.interval;
      long wait = next - c.tolerance - nowNanos;
      if (wait > maxWaitNanos || wait > Waits.LONGEST_WAIT_NANOS || next - nowNanos > MAX_AHEAD_NANOS) {
        return rejectWait(cost, wait, maxWaitNanos);
      }
      if (wait > 0) {
        noteRelease(nowNanos + wait); // before the booking exists, so refunds never miss it
        // A waiting booking is made under the lock bit so that its record for cancel (below) is
        // consistent with the state; waiting is the slow path, the hot path stays one CAS.
        if (!STATE.compareAndSet(this, s, s | LOCKED)) {
          continue;
        }
        lastWaitingEnd = next;
        lastWaitingCost = cost;
        STATE.setVolatile(this, encode(next, c.parity));
        return granted(cost, wait);
      }
      if (STATE.compareAndSet(this, s, encode(next, c.parity))) {
        return granted(cost, 0);
      }
    }
  }

  private long granted(long cost, long wait) {
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new LimiterEvent.Acquired(name, cost, Duration.ofNanos(wait)));
    }
    return wait;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only the last booking, and only one that had to wait, can be given back (see the class
   * comment). The throttle remembers that booking's cost and gives back at most that: a {@code
   * cost} larger than was reserved (a misuse of the SPI) is clamped to the reserved cost rather
   * than thrown, because cancel runs in clean-up paths where an exception would hide the original
   * failure; it never creates permits. The {@link LimiterEvent.Cancelled} event reports what was
   * actually returned.
   */
  @Override
  public void cancel(long cost, long nowNanos, long waitNanos) {
    Args.requireNonNegative(cost, "cost");
    long refunded = 0;
    if (cost > 0 && waitNanos > 0) {
      // A waiting booking was released at next - τ, so its end is known exactly: it can be
      // recognised as the last booking and undone. (A booking granted at once cannot be told
      // apart from later ones and is left to refill.)
      for (int spins = 0; ; ) {
        Config c = config;
        long s = (long) STATE.getVolatile(this);
        if ((s & LOCKED) != 0) {
          spins = spin(spins);
          continue;
        }
        if ((s & PARITY) != c.parity
            || nowNanos - reconfiguredAt <= 0
            || reconfigure.isLocked()) {
          break; // reconfigured since: the booking's slice no longer exists as such
        }
        long end = nowNanos + waitNanos + c.tolerance;
        if ((s >> 2) + epoch != end) {
          break; // a later booking depends on this one
        }
        if (!STATE.compareAndSet(this, s, s | LOCKED)) {
          continue;
        }
        // The record is consistent with the state under the lock bit: it describes the booking
        // that ends at `end` if it is the last waiting one; otherwise its cost is unknown and
        // nothing is given back (refill returns it).
        long back = lastWaitingEnd == end ? Math.min(cost, lastWaitingCost) : 0;
        lastWaitingCost = 0; // tat moves back below the record: it describes nothing any more
        STATE.setVolatile(this, encode(end - back * c.interval, c.parity));
        refunded = back;
        break;
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
    long s = stableState();
    Config c = configFor(s);
    return cost > c.burst ? NEVER : Math.max(waitFor(c, s, cost, nowNanos), 0);
  }

  @Override
  public long availablePermits() {
    return available(ticker.read());
  }

  private long available(long now) {
    return availableIn(stableState(), now);
  }

  private long availableIn(long s, long now) {
    Config c = configFor(s);
    long owed = Math.max((s >> 2) + epoch - now, 0);
    return Math.min(Math.floorDiv(c.tolerance - owed, c.interval), c.burst);
  }

  /**
   * Changes the refill rate to {@code permits} per {@code period}, keeping the burst and the
   * permits available at this instant. Waiters already booked keep their release times, and
   * newcomers queue behind them at the new rate.
   *
   * @throws IllegalArgumentException if the rate is not positive or faster than one permit per
   *     nanosecond, or the burst would take more than about 36 years to refill at it
   * @throws NullPointerException if {@code period} is null
   */
  public void setRate(long permits, Duration period) {
    Args.requirePositive(permits, "permits");
    long periodNanos = Args.requirePositiveNanos(period, "period");
    swapConfig(intervalOf(permits, periodNanos, permits + " per " + period), new Rate(permits, period));
  }

  /**
   * Changes the refill rate to {@code permitsPerSecond}, keeping the burst and the permits
   * available at this instant; booked waiters keep their release times.
   *
   * @throws IllegalArgumentException if the rate is not a finite positive number, is faster than
   *     one permit per nanosecond, or the burst would take more than about 36 years to refill
   */
  @Override
  public void setRate(double permitsPerSecond) {
    long interval = intervalOf(permitsPerSecond);
    swapConfig(interval, rateOf(permitsPerSecond, interval));
  }

  /** A fractional rate as a count per period: exact for whole rates, else one per interval. */
  static Rate rateOf(double permitsPerSecond, long interval) {
    long whole = (long) permitsPerSecond;
    return whole == permitsPerSecond && intervalOf(whole, 1_000_000_000L, "") == interval
        ? new Rate(whole, Duration.ofSeconds(1))
        : new Rate(1, Duration.ofNanos(interval));
  }

  private void swapConfig(long interval, Rate rate) {
    reconfigure.lock();
    try {
      Config old = config;
      // Normally a no-op: every change converts the state before it returns. But a change whose
      // conversion failed (the ticker threw) published its configuration and left the state in
      // the one before; the new configuration takes that one's parity, so the state would pass
      // for converted. Converting it first keeps the permits.
      settle(old);
      Config next = Config.of(old.burst, interval, rate, PARITY - old.parity, old);
      config = next;
      settle(next);
      markReconfigured();
    } finally {
      reconfigure.unlock();
    }
  }

  /** {@inheritDoc} Nothing is granted before the pause ends; then the bucket refills from empty. */
  @Override
  public void pauseUntil(long untilNanos) {
    adjust(Atomic.Adjustment.PAUSE, untilNanos, ticker.read());
  }

  @Override
  public void limitAvailable(long permits, long nowNanos) {
    adjust(Atomic.Adjustment.RESTRICT, permits, nowNanos);
  }

  /** {@inheritDoc} The bucket is full again at its current rate. */
  @Override
  public void reset() {
    adjust(Atomic.Adjustment.RESET, 0, ticker.read());
  }

  private void adjust(Atomic.Adjustment adjustment, long value, long now) {
    Atomic.adjust(new Part[] {part}, adjustment, value, now); // rare: the array is no concern
  }

  private void markReconfigured() {
    long t = ticker.read();
    for (;;) {
      long seen = (long) RECONFIGURED_AT.getVolatile(this);
      if (t - seen <= 0 || RECONFIGURED_AT.compareAndSet(this, seen, t)) {
        return;
      }
    }
  }

  /** Converts the state until it matches {@code c}; only called with the reconfigure lock held. */
  private void settle(Config c) {
    for (int spins = 0; ; ) {
      long s = (long) STATE.getVolatile(this);
      if ((s & (LOCKED | PARITY)) == c.parity) {
        return;
      }
      spins = settleOrSpin(c, s, spins);
    }
  }

  /**
   * An unlocked state of the current parity. Readers wait out a composite's step too: it may
   * already have charged other limiters, so answering with the value before the step would show
   * half of it.
   */
  private long stableState() {
    for (int spins = 0; ; ) {
      Config c = config;
      long s = (long) STATE.getVolatile(this);
      if ((s & (LOCKED | PARITY)) == c.parity) {
        return s;
      }
      spins = settleOrSpin(c, s, spins);
    }
  }

  /** The configuration a state of this parity was written under. */
  private Config configFor(long s) {
    Config c = config;
    return (s & PARITY) == c.parity || c.previous == null ? c : c.previous;
  }

  private long waitFor(Config c, long s, long cost, long now) {
    long tat = (s >> 2) + epoch;
    long base = tat - now > 0 ? tat : now;
    return base + cost * c.interval - c.tolerance - now;
  }

  private int settleOrSpin(Config c, long s, int spins) {
    if ((s & LOCKED) != 0) {
      return spin(spins);
    }
    convert(c, s);
    return 0;
  }

  private static int spin(int spins) {
    if (spins < SPINS_BEFORE_YIELD) {
      Thread.onSpinWait();
    } else {
      Thread.yield(); // the lock holder may have been preempted
    }
    return spins + 1;
  }

  private void noteRelease(long release) {
    for (;;) {
      long latest = (long) LATEST_RELEASE.getVolatile(this);
      if (release - latest <= 0 || LATEST_RELEASE.compareAndSet(this, latest, release)) {
        return;
      }
    }
  }

  /**
   * Moves an unlocked state written under {@code c.previous} to {@code c}, as of now. Available
   * permits are kept as time scaled to the new interval (rounded down, so a conversion loses at
   * most a nanosecond of refill and never creates any); a debt is kept as time, so the last booked
   * waiter keeps its release time and newcomers follow it at the new rate. Does nothing if {@code
   * c} is itself stale: the caller re-reads.
   */
  private void convert(Config c, long s) {
    if (config != c || c.previous == null) {
      return;
    }
    Config old = c.previous;
    long now = ticker.read();
    long owed = Math.max((s >> 2) + epoch - now, 0);
    long newOwed;
    if (owed <= old.tolerance) {
      long available =
          SaturatedMath.multiplyDivide(old.tolerance - owed, c.interval, old.interval, false);
      newOwed = c.tolerance - Math.min(available, c.tolerance);
    } else {
      newOwed = Math.min(c.tolerance + (owed - old.tolerance), MAX_AHEAD_NANOS);
    }
    STATE.compareAndSet(this, s, encode(now + newOwed, c.parity));
  }

  private long encode(long tat, long parity) {
    return ((tat - epoch) << 2) | parity;
  }

  private long rejectCapacity(long cost) {
    if (rejectedEvents.hasListeners()) {
      rejectedEvents.publish(
          new LimiterEvent.Rejected(
              name, cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
    }
    return NEVER;
  }

  private long rejectWait(long cost, long wait, long maxWaitNanos) {
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

  @Override
  public String toString() {
    Config c = config;
    return "Throttle[" + name + ", " + permitsPerSecond() + "/s, burst " + c.burst + "]";
  }

  static long intervalOf(long permits, long periodNanos, String rate) {
    if (permits > periodNanos) {
      throw new IllegalArgumentException(
          "rate must be at most 1 permit per nanosecond, was " + rate);
    }
    return SaturatedMath.multiplyDivide(periodNanos, 1, permits, true);
  }

  static long intervalOf(double permitsPerSecond) {
    Args.requirePositiveFinite(permitsPerSecond, "permitsPerSecond");
    double interval = Math.ceil(1e9 / permitsPerSecond);
    if (interval < 1 || 1e9 / permitsPerSecond < 1) {
      throw new IllegalArgumentException(
          "rate must be at most 1 permit per nanosecond, was " + permitsPerSecond + " per second");
    }
    if (interval > MAX_TOLERANCE_NANOS) {
      throw new IllegalArgumentException(
          "rate must be at least one permit per 36 years, was " + permitsPerSecond + " per second");
    }
    return (long) interval;
  }

  /** The throttle as one part of an atomic composite; every method runs with the lock bit set. */
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
      return config.burst;
    }

    @Override
    public long refillNanos() {
      return config.tolerance;
    }

    @Override
    public long availableAt(long snapshot, long now) {
      return availableIn(snapshot, now);
    }

    @Override
    public long lock(long now) {
      for (int spins = 0; ; ) {
        Config c = config;
        long s = (long) STATE.getVolatile(Throttle.this);
        if ((s & (LOCKED | PARITY)) != c.parity) {
          spins = settleOrSpin(c, s, spins);
        } else if (STATE.compareAndSet(Throttle.this, s, s | LOCKED)) {
          // The high-water clock (see the class comment): a full bucket's tat is raised to now,
          // which changes nothing for anyone reading the clock at now or later, and is written
          // back by unlock at no extra cost.
          return (s >> 2) + epoch - now < 0 ? encode(now, c.parity) | LOCKED : s | LOCKED;
        }
      }
    }

    @Override
    public long maxCharge() {
      return MAX_AHEAD_NANOS / config.interval;
    }

    @Override
    public long waitAt(long snapshot, long cost, long now) {
      Config c = configFor(snapshot);
      return cost > c.burst ? NEVER : Math.max(waitFor(c, snapshot, cost, now), 0);
    }

    @Override
    public long charge(long snapshot, long cost, long now) {
      Config c = configFor(snapshot);
      long tat = (snapshot >> 2) + epoch;
      long base = tat - now > 0 ? tat : now;
      long next = Math.min(cost, MAX_AHEAD_NANOS / c.interval) * c.interval;
      next = base - now + next > MAX_AHEAD_NANOS ? now + MAX_AHEAD_NANOS : base + next;
      return encode(next, c.parity) | LOCKED;
    }

    @Override
    public long handle(long snapshot) {
      return (snapshot >> 2) + epoch;
    }

    @Override
    public long refund(long snapshot, long cost, long handle, long chargedAt, long now) {
      // Safe only while no caller is booked in the future (giving back time under a booked waiter
      // would let a newcomer share its slice), and only under the configuration the charge was
      // made in.
      if (now - (long) LATEST_RELEASE.getVolatile(Throttle.this) < 0
          || chargedAt - reconfiguredAt <= 0
          || reconfigure.isLocked()) {
        return snapshot;
      }
      Config c = configFor(snapshot);
      // The charge's slice ended at `handle`. Until then refill could not have absorbed any of it;
      // from then on, at most one unit of time per unit of time. So what still weighs is at least
      // handle - now: giving back that much (and never more than asked) is safe, and exact when
      // no one charged after us.
      long back = Math.min(Math.min(cost, MAX_AHEAD_NANOS / c.interval) * c.interval, handle - now);
      if (back <= 0) {
        return snapshot;
      }
      long tat = (snapshot >> 2) + epoch;
      lastWaitingCost = 0; // tat moves back: the record of the last waiting booking is void
      return encode(tat - back, c.parity) | LOCKED;
    }

    @Override
    public long restrict(long snapshot, long permits, long now) {
      Config c = configFor(snapshot);
      if (permits >= c.burst) {
        return snapshot; // a full bucket holds no more than that
      }
      // available(now) = (now + τ - tat) / T, so at most `permits` means tat >= now + τ - permits·T.
      long ahead =
          permits >= 0
              ? c.tolerance - permits * c.interval
              : SaturatedMath.add(
                  c.tolerance,
                  SaturatedMath.multiply(
                      permits == Long.MIN_VALUE ? Long.MAX_VALUE : -permits, c.interval));
      return raiseTo(snapshot, c, now, ahead);
    }

    @Override
    public long pause(long snapshot, long until, long now) {
      if (until - now <= 0) {
        return snapshot;
      }
      Config c = configFor(snapshot);
      // One permit exactly at `until` and none before: tat = until + τ - T.
      long ahead = SaturatedMath.add(until - now, c.tolerance - c.interval);
      return raiseTo(snapshot, c, now, ahead);
    }

    private long raiseTo(long snapshot, Config c, long now, long ahead) {
      long target = now + Math.min(ahead, MAX_AHEAD_NANOS);
      if (target - ((snapshot >> 2) + epoch) <= 0) {
        return snapshot; // already at least that restricted
      }
      markReconfigured();
      return encode(target, c.parity) | LOCKED;
    }

    @Override
    public long reset(long snapshot, long now) {
      markReconfigured();
      lastWaitingCost = 0; // tat moves back under any waiting booking: its record is void
      return encode(now, configFor(snapshot).parity) | LOCKED;
    }

    @Override
    public void unlock(long snapshot) {
      STATE.setVolatile(Throttle.this, snapshot & ~LOCKED);
    }
  }

  /** The immutable parameters; replaced as a whole by {@link #setRate}. */
  static final class Config {
    final long burst;
    final long interval;
    final long tolerance;
    /** {@link #PARITY} or 0, ready to compare with the state's bit. */
    final long parity;
    /** The rate as it was given, for {@link Throttle#config()}. */
    final Rate rate;
    /** The configuration this one replaced, without its own predecessor; null for the first. */
    final Config previous;

    private Config(long burst, long interval, Rate rate, long parity, Config previous) {
      this.burst = burst;
      this.interval = interval;
      this.rate = rate;
      this.tolerance = burst * interval;
      this.parity = parity;
      this.previous = previous;
    }

    static Config of(long burst, long interval, Rate rate, long parity, Config previous) {
      if (SaturatedMath.multiply(burst, interval) > MAX_TOLERANCE_NANOS) {
        throw new IllegalArgumentException(
            "burst / rate must be at most about 36 years (the time to refill a full bucket), was "
                + burst + " permits at one per " + interval + " ns");
      }
      Config prev =
          previous == null
              ? null
              : new Config(previous.burst, previous.interval, previous.rate, previous.parity, null);
      return new Config(burst, interval, rate, parity, prev);
    }
  }

  /**
   * Builds a {@link Throttle}. Every option may be set once; {@link #build()} validates the whole
   * and never leaves a half-built limiter. The shared options ({@link ComponentBuilder}) default
   * to a unique name such as {@code "throttle-1"}, {@link Ticker#system()} and the default event registry. Not
   * thread-safe; the built throttle is.
   */
  public static final class Builder extends LimiterBuilder<Builder> {
    private Rate rate;
    private long secondBurst;
    private long burst = -1;
    private long initialPermits = -1;
    private ThrottleConfig base;

    private Builder() {}

    /**
     * Refill {@code permits} per {@code period}. Required (this or {@link #rate(double)}, or a
     * rate in the configuration given to {@link #from}).
     *
     * @throws IllegalArgumentException if either is not positive
     * @throws IllegalStateException if the rate was already set
     */
    public Builder rate(long permits, Duration period) {
      Args.requireUnset(rate != null, "rate");
      Args.requirePositiveNanos(period, "period");
      Args.requirePositive(permits, "permits");
      this.rate = new Rate(permits, period);
      return this;
    }

    /**
     * Refill {@code permitsPerSecond} (fractions allowed, e.g. 0.5 for one every two seconds).
     *
     * @throws IllegalArgumentException if not a finite number > 0
     * @throws IllegalStateException if the rate was already set
     */
    public Builder rate(double permitsPerSecond) {
      Args.requireUnset(rate != null, "rate");
      long interval = intervalOf(permitsPerSecond);
      this.rate = rateOf(permitsPerSecond, interval);
      // The default burst of a fractional rate is its whole permits in a second, which the
      // one-per-interval form cannot say; it is kept here so that config() carries it.
      this.secondBurst = Math.max(1, (long) permitsPerSecond);
      return this;
    }

    /**
     * The most that can be taken at once; defaults to the permits per period (for a rate given
     * per second, the whole permits in a second, at least 1). Independent of the rate.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder burst(long burst) {
      Args.requireUnset(this.burst >= 0, "burst");
      Args.requireAtLeastOne(burst, "burst");
      this.burst = burst;
      return this;
    }

    /**
     * Permits available when the throttle is built, from 0 (start empty) to the burst (the
     * default: start full).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder initialPermits(long initialPermits) {
      Args.requireUnset(this.initialPermits >= 0, "initialPermits");
      this.initialPermits = Args.requireNonNegative(initialPermits, "initialPermits");
      return this;
    }

    /**
     * Starts from {@code base}: each option it sets applies unless set on this builder, so a
     * configuration is derived from another ({@code from(base).burst(10).config()}). Every value
     * taken from it is checked as if set here.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder from(ThrottleConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The options set (and those of {@link #from}'s configuration not overridden), checked as
     * {@link #build()} checks them, without building a throttle. A configuration without a rate is
     * allowed: it is completed by whatever is built from it.
     *
     * @throws IllegalArgumentException as {@link #build()} does
     */
    public ThrottleConfig config() {
      Resolved r = resolve();
      return new ThrottleConfig(
          Optional.ofNullable(r.rate),
          r.burst >= 0 ? OptionalLong.of(r.burst) : OptionalLong.empty(),
          r.initial >= 0 ? OptionalLong.of(r.initial) : OptionalLong.empty());
    }

    /**
     * Builds the throttle.
     *
     * @throws IllegalStateException if no rate was set
     * @throws IllegalArgumentException if the rate is faster than one permit per nanosecond, the
     *     burst would take more than about 36 years to refill, or the initial permits exceed the
     *     burst
     */
    public Throttle build() {
      Resolved r = resolve();
      if (r.rate == null) {
        throw new IllegalStateException("rate must be set");
      }
      long b = r.burst >= 0 ? r.burst : r.defaultBurst;
      return new Throttle(
          nameOr("throttle"),
          tickerOr(Ticker.system()),
          eventsOrDefault(),
          Config.of(b, r.interval, r.rate, 0, null),
          r.initial >= 0 ? r.initial : b);
    }

    /** The options set here over those of the base, each checked; the rate may be missing. */
    private Resolved resolve() {
      Resolved r = new Resolved();
      r.burst = burst;
      r.initial = initialPermits;
      r.rate = rate;
      r.defaultBurst = secondBurst;
      if (base != null) {
        Builder b = new Builder();
        if (rate == null) {
          base.rate().ifPresent(x -> b.rate(x.permits(), x.period()));
          r.rate = b.rate;
          r.defaultBurst = 0;
        }
        if (burst < 0) {
          base.burst().ifPresent(b::burst);
          r.burst = b.burst;
        }
        if (initialPermits < 0) {
          base.initialPermits().ifPresent(b::initialPermits);
          r.initial = b.initialPermits;
        }
      }
      if (r.rate != null) {
        r.interval = intervalOf(r.rate.permits(), Args.saturatedNanos(r.rate.period()), rateText(r.rate));
        if (r.defaultBurst == 0) {
          r.defaultBurst = r.rate.permits();
        }
        if (r.burst < 0 && secondBurst > 0) {
          r.burst = r.defaultBurst; // a fractional rate's burst, see rate(double)
        }
        Config.of(r.burst >= 0 ? r.burst : r.defaultBurst, r.interval, r.rate, 0, null);
      }
      long b = r.burst >= 0 ? r.burst : r.defaultBurst;
      if (r.initial >= 0 && b > 0 && r.initial > b) {
        throw new IllegalArgumentException(
            "initialPermits must be <= burst (" + b + "), was " + r.initial);
      }
      return r;
    }

    private static String rateText(Rate rate) {
      return rate.permits() + " per " + rate.period();
    }

    /** The options after merging, before defaults. */
    private static final class Resolved {
      Rate rate;
      long interval;
      long burst;
      long initial;
      long defaultBurst;
    }
  }
}
