package io.throttlenet.redis;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A token bucket (GCRA) whose state lives in Redis, so every process that builds one with the same
 * {@linkplain Builder#key key} and store shares one budget, exactly.
 *
 * <pre>{@code
 * RedisThrottle openai = RedisThrottle.builder(redis)
 *     .key("openai-org-42")
 *     .rate(500, Duration.ofMinutes(1))        // the whole fleet's budget
 *     .outage(OutagePolicy.fallback(4))        // 4 instances: 1/4 each while Redis is away
 *     .build();
 * openai.acquire();
 * }</pre>
 *
 * <p>It speaks the same verbs as every {@link RateLimiter} and plugs in wherever one does
 * (a {@code Decorators} chain's {@code withThrottle}, {@code HeaderSync}). Every grant is one
 * round trip: one Lua script that reads the server's clock ({@code TIME}), decides and books. A
 * caller that must wait is told how long by the script and parks (or, asynchronously, is
 * completed by the {@link Ticker}'s timer) exactly that long, measured from the reply: no
 * polling. The bucket starts full; its key expires once the bucket is full again, so idle
 * budgets use no Redis memory, and an expired key means the same as a full bucket.
 *
 * <p><b>Shared configuration.</b> The rate and burst travel with each call: instances sharing a
 * key must be built with the same rate and burst (the last caller's parameters apply to its own
 * call). A rate changed at run time ({@link #setRate(double)}, as {@code AdaptiveRate} and {@code
 * HeaderSync} do) is stored in the key and overrides every instance's own from then on. The
 * interval per permit is rounded up to whole nanoseconds, so the rate is never above the one
 * configured; a full bucket may take at most about 26 days to refill, and bookings reach at most
 * about 52 days ahead.
 *
 * <p><b>Time.</b> Only the Redis server's clock decides; client clocks may differ arbitrarily. The
 * {@code nowNanos} of the SPI methods is used only to tell the caller when to wake. A server clock
 * stepped backwards makes the bucket stricter for that long; stepped forwards, it refills early.
 *
 * <p><b>Cancelling.</b> A reservation given back before use ({@link #cancel}, an interrupted
 * {@link #acquire}, a cancelled {@link #acquireAsync} stage) returns its cost if no later booking
 * was made on top of it; otherwise the cost comes back with refill, as for {@link Throttle}.
 *
 * <p><b>Leasing</b> ({@link Builder#lease}): each round trip takes a batch of permits and this
 * instance spends them locally, cutting round trips by up to the batch size. The total charged
 * to Redis is still exact; what changes is <em>when</em> permits are spent: a leased permit may
 * be spent up to the lease's time-to-live after Redis granted it. So in any interval of length
 * {@code t}, a fleet of N leasing instances is released at most {@code burst + rate·t +
 * min(N·batch, rate·ttl)}, and up to one batch per instance and time-to-live is wasted (expired
 * leases are dropped, not returned). A pause, reset or rate change drops this instance's lease,
 * and so does a restriction ({@link #limitAvailable}) below what it holds; a refill in flight when
 * the lease was dropped is discarded. A cost of a batch or more goes straight to Redis. {@link
 * #availablePermits} counts this instance's lease.
 *
 * <p><b>Outages</b>: see {@link OutagePolicy}. Each call waits for Redis at most the {@linkplain
 * Builder#timeout timeout}; a fail-closed {@link #acquire} throws {@link
 * RedisUnavailableException}.
 *
 * <p>Thread-safe. Publishes {@link io.throttlenet.core.LimiterEvent}s like the local limiters
 * (with the fallback's own under the same name) and {@link RedisEvent}s.
 */
public final class RedisThrottle implements AdjustableRateLimiter {
  /*
   * Design. The bucket is GCRA, as in Throttle: one theoretical arrival time t per key, booking
   * cost c at max(t, now) + c·interval and releasing the caller at t' - tolerance. The whole
   * decision runs in gcra.lua, atomically, at the server's TIME; the client sends the rate with
   * every call (no configuration lives in Redis) and learns the wait, the server instant of the
   * booking and its end. Lua numbers are doubles, so the script keeps nanoseconds relative to the
   * current second and rebases every stored instant on each call (see the script's header).
   *
   * Handles. A booking's end (second, ns) identifies it exactly: cancel gives the cost back iff the
   * key's t still equals that end (nobody booked on top), which is the rule Throttle applies to
   * its last waiting booking, but for every booking, across processes. The SPI's cancel gets only
   * (cost, now, wait), so the last waiting booking made through reserve() is remembered to map it
   * back; the verbs this class overrides keep their handle and need no lookup.
   *
   * Waiting. The server's wait counts from its clock; the client sleeps it from the moment the
   * reply arrived (reserve() adds the elapsed time to what it returns), so network delay only ever
   * makes a caller later, never earlier.
   *
   * Leasing. The pool is one AtomicLong of leased permits and a volatile expiry, written by the one
   * caller whose refill is in flight (refill holds its future; others that miss the pool wait for
   * it, then retry the pool once more before asking Redis on their own). The expiry is written
   * before the pool, so a reader that sees the new permits also sees their expiry. A drop (pause,
   * restriction, reset, rate change) moves the lease epoch on; the refilling caller reads the epoch
   * before it sends, and its reply fills the pool only if the epoch is unchanged, so a refill whose
   * script ran before a pause cannot refill the pool after it. Fill and drop take a lock (both are
   * rare) so that check and write are one step; takes stay a lock-free CAS. A grant from the pool
   * gives nothing back to it, so it needs no epoch.
   */

  private final Shared shared;
  private final String key;
  private final String[] keys;
  private final Supplier<RateLimiter> fallback; // null unless the policy is FALLBACK
  private final AtomicReference<Booking> lastWaiting = new AtomicReference<>();
  private final AtomicLong pool = new AtomicLong();
  /** The refill of the lease in flight, if any: one at a time, and callers that miss wait for it. */
  private final LeaseRefill refill = new LeaseRefill();
  private volatile long poolExpiry;
  private final Object leaseLock = new Object();
  private long leaseEpoch; // guarded by leaseLock
  /** The rate as built, as last set here, or as a grant reported it in force in Redis. */
  private volatile Rate rate;

  /** What every view of one configuration shares (a throttle, or a per-key family). */
  static final class Shared {
    final String name;
    final Ticker ticker;
    final Rate rate;
    final Remote remote;
    final LimiterEvents events;
    final long leaseBatch;
    final long leaseTtlNanos;

    Shared(String name, Ticker ticker, Rate rate, Remote remote, EventRegistry events, long leaseBatch, long leaseTtlNanos) {
      this.name = name;
      this.ticker = ticker;
      this.rate = rate;
      this.remote = remote;
      this.events = new LimiterEvents(name, events);
      this.leaseBatch = leaseBatch;
      this.leaseTtlNanos = leaseTtlNanos;
    }
  }

  RedisThrottle(Shared shared, String key, String redisKey, Supplier<RateLimiter> fallback) {
    this.shared = shared;
    this.key = key;
    this.keys = new String[] {redisKey};
    this.fallback = fallback;
    this.rate = shared.rate;
  }

  /** A builder over {@code store}; {@link Builder#key} and {@link Builder#rate} are required. */
  public static Builder builder(RedisStore store) {
    return new Builder(Checks.nonNull(store, "store"));
  }

  @Override
  public String name() {
    return shared.name;
  }

  @Override
  public Ticker ticker() {
    return shared.ticker;
  }

  /** The burst: the most that can be granted at once. */
  @Override
  public long capacity() {
    return rate.burst();
  }

  /** The key this budget is shared under (the Redis key is derived from it). */
  public String key() {
    return key;
  }

  /**
   * The refill rate in permits per second (after rounding the interval up to whole ns): as built,
   * as last {@linkplain #setRate(double) set} through this instance, or as the last grant from
   * Redis reported it (so a change made by another instance shows here after this one's next
   * grant).
   */
  @Override
  public double permitsPerSecond() {
    return rate.permitsPerSecond();
  }

  /**
   * Changes the refill rate of the shared bucket to {@code permitsPerSecond}, keeping the burst:
   * one round trip, applied atomically at the server's clock. The permits available then stay
   * available, callers booked to wait keep their release times, and later callers, of every
   * instance sharing the key, are paced at the new rate (the rate set in Redis overrides the one
   * each instance was built with, for as long as the key lives: at least a day after its last
   * use). Bookings made before the change are not refunded by a later cancel. This instance's
   * lease is dropped, as on a pause. The fallback, if any, gets its share of the new rate. While Redis is unavailable the change applies to this
   * instance (and its fallback) only.
   *
   * @throws IllegalArgumentException if the rate is not finite and positive, is faster than one
   *     permit per nanosecond, or the burst would take more than about 26 days to refill at it
   */
  @Override
  public void setRate(double permitsPerSecond) {
    changeRate(rate.withPermitsPerSecond(permitsPerSecond));
  }

  /**
   * Changes the refill rate to {@code permits} per {@code period}; see {@link #setRate(double)}.
   *
   * @throws IllegalArgumentException if either is not positive, the rate is faster than one permit
   *     per nanosecond, or the burst would take more than about 26 days to refill at it
   */
  public void setRate(long permits, Duration period) {
    changeRate(Rate.of(permits, period, rate.burst()));
  }

  private void changeRate(Rate next) {
    dropLease(); // leased at the old rate
    // sent with the rate it replaces: the script converts the bucket from the one in force
    String[] args = args("rate", 0, 0, next.interval(), null);
    rate = next;
    if (fallback != null && fallback.get() instanceof AdjustableRateLimiter local) {
      local.setRate(next.permitsPerSecond() / Math.max(outagePolicy().fleetSize(), 1));
    }
    shared.remote.call(keys, args);
    dropLease(); // again: see dropLease
  }

  /** The outage policy. */
  public OutagePolicy outagePolicy() {
    return shared.remote.policy();
  }

  /** True while Redis is considered unreachable and the outage policy applies. */
  public boolean isRedisDown() {
    return shared.remote.isDown();
  }

  /** Scripts this limiter has sent to Redis so far (for monitoring, and to measure leasing). */
  public long roundTrips() {
    return shared.remote.roundTrips();
  }

  // ---- the SPI ---------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * <p>One round trip (none when a lease covers the cost). The wait returned counts from {@code
   * nowNanos} to the reply plus the server's wait, so a caller released at {@code nowNanos +
   * wait} is never early by the network's delay.
   */
  @Override
  public long reserve(long cost, long nowNanos, long maxWaitNanos) {
    Booking b = book(cost, nowNanos, maxWaitNanos);
    if (b.source == Source.REDIS && b.result > 0) {
      lastWaiting.set(b);
    }
    return b.result;
  }

  @Override
  public void cancel(long cost, long nowNanos, long waitNanos) {
    Checks.nonNegative(cost, "cost");
    Booking b = lastWaiting.get();
    if (b != null && b.cost == cost && b.clientNow == nowNanos && b.result == waitNanos
        && lastWaiting.compareAndSet(b, null)) {
      giveBack(b).join();
    } else if (fallback != null && cost > 0) {
      fallback.get().cancel(cost, nowNanos, waitNanos); // the fallback knows its own bookings
    } else {
      shared.events.cancelled(cost, 0);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One round trip. While Redis is unavailable the policy answers: at once for fail-open, the
   * fallback's wait for a fallback; a fail-closed limiter has no wait to offer and throws.
   *
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   *     (so a {@code Decorators} chain's throttle step reports the outage, not a wait)
   */
  @Override
  public long waitNanos(long cost, long nowNanos) {
    Checks.nonNegative(cost, "cost");
    if (cost == 0) {
      return 0;
    }
    if (cost > capacity()) {
      return NEVER;
    }
    List<Long> r = shared.remote.call(keys, args("peek", 0, 0, cost, null));
    if (r == null) {
      return switch (outagePolicy().kind()) {
        case FAIL_OPEN -> 0;
        case FAIL_CLOSED -> throw new RedisUnavailableException(
            name(), Duration.ofNanos(shared.remote.retryAfterNanos()));
        case FALLBACK -> fallback.get().waitNanos(cost, nowNanos);
      };
    }
    return Math.max(r.get(0), 0);
  }

  @Override
  public long availablePermits() {
    List<Long> r = shared.remote.call(keys, args("peek", 0, 0, 0, null));
    if (r == null) {
      return switch (outagePolicy().kind()) {
        case FAIL_OPEN -> capacity();
        case FAIL_CLOSED -> 0;
        case FALLBACK -> fallback.get().availablePermits();
      };
    }
    return r.get(1) + leased();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The pause is sent as a length from now ({@code untilNanos} minus this ticker's reading) and
   * ends at that length from the server's clock. This instance's lease is dropped. If Redis is
   * unavailable the pause applies to the fallback only.
   */
  @Override
  public void pauseUntil(long untilNanos) {
    long length = untilNanos - shared.ticker.read();
    if (length <= 0) {
      return;
    }
    dropLease();
    if (fallback != null) {
      fallback.get().pauseUntil(untilNanos);
    }
    shared.remote.call(keys, args("pause", length, 0, 0, null));
    dropLease(); // again: see dropLease
  }

  /**
   * {@inheritDoc}
   *
   * <p>Applies at the server's clock when the script runs, in one round trip this call waits for,
   * so the bound is in force in Redis before the caller's next attempt (as {@code HeaderSync}
   * requires). This instance's lease is dropped only if it holds more than {@code permits}, or
   * {@code permits} leaves nothing; a smaller lease is kept, within the leasing bound of the class
   * comment. The fallback, if any, is limited to its share. Ignored (but the fallback's) while
   * Redis is unavailable.
   */
  @Override
  public void limitAvailable(long permits, long nowNanos) {
    Rate rate = this.rate;
    if (permits >= rate.burst()) {
      return;
    }
    boundLease(permits);
    if (fallback != null) {
      int n = Math.max(outagePolicy().fleetSize(), 1);
      fallback.get().limitAvailable(Math.floorDiv(permits, n), nowNanos);
    }
    long bounded = Math.max(permits, -rate.maxOwedPermits());
    shared.remote.call(keys, args("limit", 0, 0, bounded, null));
    boundLease(permits); // again: see dropLease
  }

  /**
   * {@inheritDoc} The shared bucket (and the fallback) are full again; this instance's lease is
   * dropped, as on a pause.
   */
  @Override
  public void reset() {
    dropLease();
    if (fallback != null) {
      fallback.get().reset();
    }
    shared.remote.call(keys, args("reset", 0, 0, 0, null));
    dropLease(); // again: see dropLease
  }

  // ---- the verbs, overridden to wait from the reply and to give back by handle --------------

  @Override
  public boolean tryAcquire(long cost) {
    return book(cost, shared.ticker.read(), 0).result >= 0;
  }

  @Override
  public boolean tryAcquire(long cost, Duration maxWait) throws InterruptedException {
    Booking b = book(cost, shared.ticker.read(), Checks.nonNegativeNanos(maxWait, "maxWait"));
    if (b.result < 0) {
      return false;
    }
    await(b);
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   */
  @Override
  public void acquire(long cost) throws InterruptedException {
    Booking b = book(cost, shared.ticker.read(), Long.MAX_VALUE);
    if (b.result < 0) {
      throw rejection(b, Long.MAX_VALUE);
    }
    await(b);
  }

  /**
   * {@inheritDoc}
   *
   * <p>No thread is held while Redis answers or while the caller waits. The stage completes on the
   * store's executor or the ticker's timer, never on Lettuce's I/O thread; it fails with {@link
   * RedisUnavailableException} if Redis is unavailable and the policy is to fail closed.
   */
  @Override
  public CompletionStage<Void> acquireAsync(long cost) {
    return grantAsync(cost, Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<Void> acquireAsync(long cost, Duration maxWait) {
    return grantAsync(cost, Checks.nonNegativeNanos(maxWait, "maxWait"));
  }

  @Override
  public String toString() {
    return "RedisThrottle[" + name() + ", key " + key + ", " + permitsPerSecond() + "/s, burst " + capacity() + "]";
  }

  // ---- internals ---------------------------------------------------------------------------

  enum Source { NONE, REDIS, LOCAL, OPEN, CLOSED }

  /** One decision: {@code result} as {@link #reserve} returns it, and what to give back. */
  record Booking(Source source, long result, long cost, long clientNow, long sec, long at, long end) {
    static Booking of(Source source, long result, long cost, long clientNow) {
      return new Booking(source, result, cost, clientNow, 0, 0, 0);
    }
  }

  private Booking book(long cost, long now, long maxWait) {
    Checks.nonNegative(maxWait, "maxWaitNanos");
    Checks.nonNegative(cost, "cost");
    if (cost == 0) {
      return Booking.of(Source.NONE, 0, 0, now);
    }
    if (cost > capacity()) {
      shared.events.rejectedCapacity(cost);
      return Booking.of(Source.NONE, NEVER, cost, now);
    }
    // the pool holds less than a batch (the refilling caller's cost came out of it), so a cost of
    // a batch or more neither waits for a refill nor claims one
    for (int attempt = 0; cost < shared.leaseBatch; attempt++) {
      if (takeLeased(cost)) {
        shared.events.acquired(cost, 0);
        return Booking.of(Source.NONE, 0, cost, now);
      }
      CompletableFuture<Void> inFlight = refill.current();
      if (inFlight == null || attempt == 2) {
        break;
      }
      LeaseRefill.await(inFlight); // one round trip at most, and it may bring enough for us
    }
    CompletableFuture<Void> mine = claimRefill(cost);
    long extra = mine == null ? 0 : shared.leaseBatch - cost;
    long claimedIn = claimedIn(mine);
    try {
      List<Long> r = shared.remote.call(keys, args("reserve", maxWait, extra, cost, null));
      return r == null ? outage(cost, now, maxWait) : fromReply(r, cost, now, maxWait, claimedIn);
    } finally {
      refill.done(mine);
    }
  }

  private CompletableFuture<Booking> bookAsync(long cost, long now, long maxWait) {
    Checks.nonNegative(maxWait, "maxWaitNanos");
    Checks.nonNegative(cost, "cost");
    if (cost == 0 || cost > capacity()) {
      return CompletableFuture.completedFuture(book(cost, now, maxWait)); // no round trip
    }
    if (cost < shared.leaseBatch && takeLeased(cost)) {
      shared.events.acquired(cost, 0);
      return CompletableFuture.completedFuture(Booking.of(Source.NONE, 0, cost, now));
    }
    CompletableFuture<Void> mine = claimRefill(cost);
    long extra = mine == null ? 0 : shared.leaseBatch - cost;
    long claimedIn = claimedIn(mine);
    return shared.remote
        .callAsync(keys, args("reserve", maxWait, extra, cost, null))
        .handle(
            (r, failure) -> {
              try {
                if (failure != null) {
                  throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
                }
                return r == null ? outage(cost, now, maxWait) : fromReply(r, cost, now, maxWait, claimedIn);
              } finally {
                refill.done(mine); // after the pool is filled, so those waiting for it find it
              }
            });
  }

  /** {@code claimedIn}: the lease epoch when this caller claimed the refill, or -1. */
  private Booking fromReply(List<Long> r, long cost, long now, long maxWait, long claimedIn) {
    long wait = r.get(1);
    if (r.get(0) != 1) {
      shared.events.rejectedWait(cost, wait, maxWait);
      return Booking.of(Source.REDIS, RateLimiter.rejection(wait), cost, now);
    }
    if (r.size() > 6 && r.get(6) != rate.interval()) {
      rate = rate.withInterval(r.get(6)); // another instance changed the rate
    }
    long leased = r.get(4);
    if (leased > 0 && claimedIn >= 0) {
      synchronized (leaseLock) {
        if (claimedIn == leaseEpoch) { // else dropped while in flight: spent in Redis, never here
          poolExpiry = shared.ticker.read() + shared.leaseTtlNanos;
          pool.set(leased);
        }
      }
    }
    long result = wait == 0 ? 0 : wait + Math.max(shared.ticker.read() - now, 0);
    shared.events.acquired(cost, result);
    return new Booking(Source.REDIS, result, cost, now, r.get(2), r.get(3), r.get(5));
  }

  private Booking outage(long cost, long now, long maxWait) {
    return switch (outagePolicy().kind()) {
      case FAIL_OPEN -> {
        shared.events.acquired(cost, 0);
        yield Booking.of(Source.OPEN, 0, cost, now);
      }
      case FAIL_CLOSED -> {
        long retry = Math.max(shared.remote.retryAfterNanos(), 1);
        shared.events.rejectedWait(cost, retry, maxWait);
        yield Booking.of(Source.CLOSED, RateLimiter.rejection(retry), cost, now);
      }
      case FALLBACK -> Booking.of(Source.LOCAL, fallback.get().reserve(cost, now, maxWait), cost, now);
    };
  }

  private boolean takeLeased(long cost) {
    if (shared.leaseBatch == 0) {
      return false;
    }
    for (;;) {
      long p = pool.get();
      if (p < cost) {
        return false;
      }
      if (shared.ticker.read() - poolExpiry > 0) {
        pool.compareAndSet(p, 0); // expired: dropped, not returned (see the class comment)
        return false;
      }
      if (pool.compareAndSet(p, p - cost)) {
        return true;
      }
    }
  }

  /**
   * Makes this caller the one that refills the lease (only one at a time, so the pool never holds
   * more than a batch), or returns null if leasing is off, the cost fills a batch, or another
   * caller is refilling.
   */
  private CompletableFuture<Void> claimRefill(long cost) {
    return shared.leaseBatch <= cost ? null : refill.claim();
  }

  /** The refill of the lease: for tests that hold one in flight. */
  LeaseRefill refill() {
    return refill;
  }

  /** The lease epoch for the caller that claimed the refill (read before it sends), or -1. */
  private long claimedIn(CompletableFuture<Void> mine) {
    if (mine == null) {
      return -1;
    }
    synchronized (leaseLock) {
      return leaseEpoch;
    }
  }

  /**
   * Drops the lease (a pause, restriction, reset or rate change), and with it any refill in
   * flight: see the design comment. Called before the change is sent (no local grant while it
   * travels) and again once its script has run: a refill claimed between the first drop and the
   * script may have run before it in Redis, and its reply, which comes first on the connection, is
   * then either dropped here or refused by the epoch.
   */
  private void dropLease() {
    if (shared.leaseBatch == 0) {
      return;
    }
    synchronized (leaseLock) {
      leaseEpoch++;
      pool.set(0);
    }
  }

  /** Drops the lease if it holds more than {@code permits}, a new bound, or the bound is none. */
  private void boundLease(long permits) {
    if (permits <= 0 || leased() > permits) {
      dropLease();
    }
  }

  private long leased() {
    return shared.leaseBatch == 0 || shared.ticker.read() - poolExpiry > 0 ? 0 : pool.get();
  }

  private void await(Booking b) throws InterruptedException {
    if (b.result == 0) {
      return;
    }
    boolean released = false;
    try {
      shared.ticker.sleepUntil(b.clientNow + b.result);
      released = true;
    } finally {
      if (!released) {
        giveBack(b).join();
      }
    }
  }

  private CompletionStage<Void> grantAsync(long cost, long maxWait) {
    long now = shared.ticker.read();
    CompletableFuture<Void> granted = new CompletableFuture<>();
    bookAsync(cost, now, maxWait)
        .whenComplete(
            (b, failure) -> {
              if (failure != null) {
                Throwable cause = RedisStore.unwrap(failure);
                shared.remote.store().executor().execute(() -> granted.completeExceptionally(cause));
              } else if (b.result < 0) {
                RejectedException e = rejection(b, maxWait);
                shared.remote.store().executor().execute(() -> granted.completeExceptionally(e));
              } else {
                release(granted, b);
              }
            });
    return granted;
  }

  private void release(CompletableFuture<Void> granted, Booking b) {
    Runnable complete = () -> granted.complete(null);
    Ticker.Scheduled timer =
        b.result == 0 ? null : shared.ticker.schedule(b.clientNow + b.result, complete);
    if (timer == null) {
      shared.remote.store().executor().execute(complete);
    }
    granted.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            if (timer != null) {
              timer.cancel();
            }
            giveBack(b);
          }
        });
  }

  /** Gives an unused booking back, without blocking; completes with the cost returned. */
  private CompletableFuture<Long> giveBack(Booking b) {
    switch (b.source) {
      case REDIS:
        return shared.remote
            .callAsync(keys, args("cancel", 0, 0, b.cost, b))
            .handle(
                (r, failure) -> {
                  long back = failure == null && r != null ? r.get(0) : 0;
                  shared.events.cancelled(b.cost, back);
                  return back;
                });
      case LOCAL:
        fallback.get().cancel(b.cost, b.clientNow, b.result);
        return CompletableFuture.completedFuture(b.cost);
      default:
        shared.events.cancelled(b.cost, 0);
        return CompletableFuture.completedFuture(0L);
    }
  }

  private RejectedException rejection(Booking b, long maxWait) {
    if (b.result == NEVER) {
      return new CostExceedsCapacityException(
          name(), b.cost, b.source == Source.LOCAL ? fallback.get().capacity() : capacity());
    }
    if (b.source == Source.CLOSED) {
      return new RedisUnavailableException(name(), Duration.ofNanos(RateLimiter.requiredWait(b.result)));
    }
    return new MaxWaitExceededException(
        name(), b.cost, Duration.ofNanos(RateLimiter.requiredWait(b.result)), Duration.ofNanos(maxWait));
  }

  private String[] args(String op, long scalar1, long scalar2, long value, Booking handle) {
    Rate rate = this.rate;
    return Scripts.args(op, scalar1, scalar2, new long[] {rate.interval()}, new long[] {rate.tolerance()},
        new long[] {value}, handle == null ? null : new long[] {handle.sec, handle.end, handle.sec, handle.at});
  }

  /**
   * Builds a {@link RedisThrottle}. Every option may be set once. Defaults: burst = the permits
   * per period, {@link OutagePolicy#failClosed()}, a 100 ms timeout, a probe of Redis at most
   * every second during an outage, no leasing, the system ticker, a unique name such as {@code
   * redis-throttle-1} and the default event registry. Not thread-safe; the throttle is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final RedisStore store;
    private final Options options = new Options();
    private String key;
    private long permits;
    private Duration period;
    private long burst = -1;
    private long leaseBatch;
    private long leaseTtlNanos;

    private Builder(RedisStore store) {
      this.store = store;
    }

    /**
     * The name the budget is shared under: every instance with the same key (and store) shares
     * one bucket. Required. The Redis key is {@code throttlenet:{key}}.
     *
     * @throws IllegalArgumentException if empty or containing braces
     * @throws IllegalStateException if already set
     */
    public Builder key(String key) {
      Checks.unset(this.key != null, "key");
      this.key = Checks.keyPart(key, "key");
      return this;
    }

    /**
     * Refill {@code permits} per {@code period}, for the whole fleet. Required.
     *
     * @throws IllegalArgumentException if either is not positive
     * @throws IllegalStateException if already set
     */
    public Builder rate(long permits, Duration period) {
      Checks.unset(this.period != null, "rate");
      Checks.positiveNanos(period, "period");
      this.permits = Checks.positive(permits, "permits");
      this.period = period;
      return this;
    }

    /**
     * The most that can be taken at once; defaults to the permits per period.
     *
     * @throws IllegalArgumentException if less than 1
     * @throws IllegalStateException if already set
     */
    public Builder burst(long burst) {
      Checks.unset(this.burst >= 0, "burst");
      this.burst = Checks.positive(burst, "burst");
      return this;
    }

    /**
     * Takes up to {@code batch} permits per round trip and spends them locally for at most {@code
     * ttl}; see the class comment for the overshoot this allows.
     *
     * @throws IllegalArgumentException if {@code batch} is less than 2 or {@code ttl} not positive
     * @throws IllegalStateException if already set
     */
    public Builder lease(long batch, Duration ttl) {
      Checks.unset(leaseBatch != 0, "lease");
      if (batch < 2) {
        throw new IllegalArgumentException("batch must be >= 2, was " + batch);
      }
      this.leaseTtlNanos = Checks.positiveNanos(ttl, "ttl");
      this.leaseBatch = batch;
      return this;
    }

    /** What to do while Redis is unreachable; see {@link OutagePolicy}. */
    public Builder outage(OutagePolicy policy) {
      options.outage(policy);
      return this;
    }

    /** How long a call waits for Redis before applying the outage policy; default 100 ms. */
    public Builder timeout(Duration timeout) {
      options.timeout(timeout);
      return this;
    }

    /** How often Redis is tried again during an outage; default 1 s. */
    public Builder probeInterval(Duration interval) {
      options.probeInterval(interval);
      return this;
    }

    /**
     * Builds the throttle; contacts Redis only when it is first used.
     *
     * @throws IllegalStateException if the key or the rate was not set
     * @throws IllegalArgumentException if the rate is faster than one permit per nanosecond, the
     *     burst takes more than about 26 days to refill, or a lease batch exceeds the burst
     */
    public RedisThrottle build() {
      if (key == null) {
        throw new IllegalStateException("key must be set");
      }
      if (period == null) {
        throw new IllegalStateException("rate must be set");
      }
      Rate rate = Rate.of(permits, period, burst >= 0 ? burst : permits);
      if (leaseBatch > rate.burst()) {
        throw new IllegalArgumentException(
            "lease batch must be <= burst (" + rate.burst() + "), was " + leaseBatch);
      }
      String name = nameOr("redis-throttle");
      Ticker ticker = tickerOr(Ticker.system());
      EventRegistry events = eventsOrDefault();
      Remote remote = options.remote(store, name, ticker, events);
      Shared shared = new Shared(name, ticker, rate, remote, events, leaseBatch, leaseTtlNanos);
      RateLimiter fallback =
          remote.policy().kind() == OutagePolicy.Kind.FALLBACK
              ? localShare(rate, remote.policy().fleetSize(), name, ticker, events)
              : null;
      return new RedisThrottle(shared, key, "throttlenet:{" + key + "}", fallback == null ? null : () -> fallback);
    }
  }

  /** A local token bucket with 1/n of {@code rate}'s rate and burst (at least 1), starting full. */
  static Throttle localShare(Rate rate, int n, String name, Ticker ticker, EventRegistry events) {
    return Throttle.builder()
        .rate(rate.permits(), Duration.ofNanos(rate.periodNanos()).multipliedBy(n))
        .burst(Math.max(1, rate.burst() / n))
        .name(name)
        .ticker(ticker)
        .events(events)
        .build();
  }
}
