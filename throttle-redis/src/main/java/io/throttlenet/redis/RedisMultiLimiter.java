package io.throttlenet.redis;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.multidim.AdjustableMultiLimiter;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.MultiLimiterEvent;
import io.throttlenet.multidim.Reservation;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Several named budgets in Redis, charged all or nothing in one Lua script: the fleet-wide
 * version of {@link MultiLimiter}, for an LLM provider's requests and tokens per minute shared by
 * every instance using one API key.
 *
 * <pre>{@code
 * RedisMultiLimiter llm = RedisMultiLimiter.builder(redis)
 *     .key("openai-org-42")
 *     .dimension("requests", 500, Duration.ofMinutes(1))
 *     .dimension("tokens", 30_000, Duration.ofMinutes(1))
 *     .build();
 * try (RedisReservation r = llm.reserve(Costs.of("requests", 1, "tokens", 1_200))) {
 *   Response resp = client.call(prompt);
 *   r.settle(Costs.of("requests", 1, "tokens", resp.totalTokens()));
 * }
 * }</pre>
 *
 * <p>Each dimension is a GCRA token bucket in its own key, {@code throttlenet:{key}:dimension}:
 * all of one limiter's keys share the hash tag {@code {key}}, so the script runs on one node of a
 * Redis Cluster. One round trip decides every dimension at the server's time and either books
 * all of them or none. A dimension the costs do not name is not charged; an unknown name is an
 * {@link IllegalArgumentException}; a cost above a dimension's burst fails at once, without a
 * round trip, naming {@code name[dimension]}.
 *
 * <p><b>Waiting.</b> Unlike the local {@link MultiLimiter}, which books no future time and lines
 * waiters up, this limiter books every dimension's cost at that dimension's earliest slot in the
 * same script and tells the caller to wait for the slowest: one round trip, no polling, no line
 * to keep across processes. The price: while a caller waits for a slow dimension, its cost in
 * the faster ones is already counted, so a fast dimension's budget may go unused for up to that
 * wait. The rate bound holds in every dimension either way.
 *
 * <p><b>Reserve then settle</b>: {@link #reserve} charges an estimate and returns a {@link
 * RedisReservation} whose {@link RedisReservation#settle settle} charges what was under-estimated
 * and gives back what was over-estimated (in full if nothing was booked after it; otherwise as far
 * as no waiting caller could be overtaken, the rest coming back with refill).
 *
 * <p><b>Leasing</b> ({@link Builder#lease}), as for {@link RedisThrottle}: a round trip granted at
 * once also takes up to a batch in each dimension the call charges, free at that instant, and this
 * instance spends it locally (all or nothing across the dimensions) for at most the lease's
 * time-to-live. A reservation granted from the lease settles against it: what it did not use goes
 * back to the lease while it lasts (up to a batch), what it used beyond is taken from the lease or
 * else charged in Redis at once. Per dimension, in any interval of length {@code t}, a fleet of N
 * leasing instances is released at most {@code burst + rate·t + min(N·batch, rate·ttl)}; up to
 * one batch per instance and time-to-live is wasted (expired leases are dropped, not returned).
 * A pause, reset or rate change drops this instance's lease, and so does a restriction ({@link
 * #limitAvailable}) below what the lease holds of that dimension; grants made from a dropped lease
 * give nothing back to it when settled, and a refill in flight when it was dropped is discarded.
 * A call the batch can never cover (a cost above the batch, or in a dimension it does not name)
 * goes straight to Redis. {@link #availablePermits} counts the lease.
 *
 * <p><b>Steering.</b> It is an {@link AdjustableMultiLimiter}: {@code HeaderSync} follows it as it
 * follows a local {@link MultiLimiter} ({@link #limitAvailable}, {@link #pauseUntil(String, long)}
 * and {@link #setRate(String, double)} each run in the script, so the whole fleet is bound).
 *
 * <p>Shared configuration, time, key expiry and outages are as for {@link RedisThrottle}; the
 * {@linkplain OutagePolicy#fallback fallback} is a local {@link MultiLimiter} whose dimensions
 * each have 1/N of the rate and burst. Thread-safe.
 */
public final class RedisMultiLimiter implements AdjustableMultiLimiter {
  /*
   * Design. Every call is the script of RedisThrottle over n keys (one per dimension, in the order
   * they were added): reserve reads all n buckets at one TIME, computes each dimension's wait for
   * its cost, and either books all of them (the caller waits for the largest) or writes nothing
   * and names the dimension that bound. A Costs is turned into a long[] in dimension order once
   * per call; dimensions it does not name cost 0 and are left untouched (not even their TTL).
   *
   * A booking keeps the server instant it was charged at and each dimension's end; settle sends
   * the signed difference per dimension in one script: positive is charged now, negative is given
   * back in full if that dimension's t still equals the end (nobody booked after), otherwise only
   * while no caller is booked to wait there and at most what still weighs (end minus now), and
   * never past a pause, restriction or reset made since (the key's r). Cancel is a settle at zero.
   *
   * Leasing. The caller that claims the refill (one at a time, as in RedisThrottle) asks the
   * script for the rest of a batch in each dimension it charges; the script adds what is free at
   * once and reports it per dimension, and the reply replaces the pool (MultiLease, a lock over a
   * long[] because a take must be all or nothing across dimensions). A grant from the pool has no
   * handle in Redis: its settle goes to the pool, and only what the pool cannot cover to Redis.
   */

  private final String name;
  private final Ticker ticker;
  private final Remote remote;
  private final String[] dimensions;
  /** Per dimension: as built, as last set here, or as the last grant reported it in force. */
  private final AtomicReferenceArray<Rate> rates;
  private final String[] keys;
  private final Map<String, Integer> index;
  private final Set<String> dimensionSet;
  private final MultiLimiter fallback;
  private final MultiLease lease; // null unless leasing
  private final EventPublisher<MultiLimiterEvent.Acquired> acquiredEvents;
  private final EventPublisher<MultiLimiterEvent.Rejected> rejectedEvents;
  final EventPublisher<MultiLimiterEvent.Settled> settledEvents;

  private RedisMultiLimiter(Builder b, String name, Ticker ticker, EventRegistry events, Remote remote) {
    this.name = name;
    this.ticker = ticker;
    this.remote = remote;
    int n = b.rates.size();
    this.dimensions = b.rates.keySet().toArray(String[]::new);
    this.rates = new AtomicReferenceArray<>(b.rates.values().toArray(Rate[]::new));
    this.keys = new String[n];
    Map<String, Integer> idx = new LinkedHashMap<>();
    for (int d = 0; d < n; d++) {
      keys[d] = "throttlenet:{" + b.key + "}:" + dimensions[d];
      idx.put(dimensions[d], d);
    }
    this.index = Collections.unmodifiableMap(idx);
    this.dimensionSet = index.keySet();
    this.lease = b.leaseBatch == null ? null : new MultiLease(leaseBatch(b), b.leaseTtlNanos, ticker);
    this.acquiredEvents = events.publisher(MultiLimiterEvent.Acquired.class, name);
    this.rejectedEvents = events.publisher(MultiLimiterEvent.Rejected.class, name);
    this.settledEvents = events.publisher(MultiLimiterEvent.Settled.class, name);
    if (remote.policy().kind() == OutagePolicy.Kind.FALLBACK) {
      MultiLimiter.Builder local = MultiLimiter.builder().name(name).ticker(ticker).events(events);
      int fleet = remote.policy().fleetSize();
      for (int d = 0; d < n; d++) {
        Throttle share = RedisThrottle.localShare(
            rates.get(d), fleet, name + "[" + dimensions[d] + "]", ticker, events);
        local.dimension(dimensions[d], share);
      }
      this.fallback = local.build();
    } else {
      this.fallback = null;
    }
  }

  /** The lease batch in dimension order; checked against the dimensions and their bursts. */
  private long[] leaseBatch(Builder b) {
    long[] batch = new long[dimensions.length];
    for (Map.Entry<String, Long> e : b.leaseBatch.asMap().entrySet()) {
      Integer d = index.get(e.getKey());
      if (d == null) {
        throw new IllegalArgumentException(
            "lease batch names dimension " + e.getKey() + ", unknown to " + name + " (it has "
                + dimensionSet + ")");
      }
      if (e.getValue() > rates.get(d).burst()) {
        throw new IllegalArgumentException("lease batch of " + e.getKey() + " must be <= burst ("
            + rates.get(d).burst() + "), was " + e.getValue());
      }
      batch[d] = e.getValue();
    }
    return batch;
  }

  /** A builder over {@code store}; set the key and at least one dimension. */
  public static Builder builder(RedisStore store) {
    return new Builder(Checks.nonNull(store, "store"));
  }

  /** This limiter's name, used in events and errors. */
  @Override
  public String name() {
    return name;
  }

  /** The time source and waiting seam (waits are decided by the server, slept on this ticker). */
  @Override
  public Ticker ticker() {
    return ticker;
  }

  /** The dimension names, in the order they were added. */
  @Override
  public Set<String> dimensions() {
    return dimensionSet;
  }

  /**
   * The burst of {@code dimension}: the most one call can cost in it.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public long capacity(String dimension) {
    return rates.get(dimension(dimension)).burst();
  }

  /** The outage policy. */
  public OutagePolicy outagePolicy() {
    return remote.policy();
  }

  /** True while Redis is considered unreachable and the outage policy applies. */
  public boolean isRedisDown() {
    return remote.isDown();
  }

  /** Scripts this limiter has sent to Redis so far. */
  public long roundTrips() {
    return remote.roundTrips();
  }

  /**
   * Takes {@code costs} in every dimension they name if all can afford them now; never waits,
   * never throws a rejection. One round trip.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public boolean tryAcquire(Costs costs) {
    return book(costs, 0).granted();
  }

  /**
   * Takes {@code costs}, waiting at most {@code maxWait}; {@code false} at once if the server
   * says the wait would be longer (nothing is booked then).
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension or maxWait is negative
   * @throws InterruptedException if interrupted while waiting; the costs are given back
   */
  public boolean tryAcquire(Costs costs, Duration maxWait) throws InterruptedException {
    Booking b = bookWaiting(costs, Checks.nonNegativeNanos(maxWait, "maxWait"));
    if (!b.granted()) {
      return false;
    }
    await(b);
    return true;
  }

  /**
   * Takes {@code costs}, waiting as long as the server says.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   * @throws CostExceedsCapacityException at once if a cost exceeds its dimension's burst
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   * @throws InterruptedException if interrupted while waiting; the costs are given back
   */
  public void acquire(Costs costs) throws InterruptedException {
    Booking b = bookWaiting(costs, Long.MAX_VALUE);
    if (!b.granted()) {
      throw rejection(b, Long.MAX_VALUE);
    }
    await(b);
  }

  /**
   * Takes {@code costs} asynchronously; the stage completes on the store's executor or the
   * ticker's timer once granted, or fails with the rejection. Cancelling it before the grant gives
   * the costs back.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public CompletionStage<Void> acquireAsync(Costs costs) {
    return acquireAsync(costs, null);
  }

  /**
   * Like {@link #acquireAsync(Costs)}, failing with {@link MaxWaitExceededException} (nothing
   * booked) if the wait would exceed {@code maxWait} (null: no bound).
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension or maxWait is negative
   */
  public CompletionStage<Void> acquireAsync(Costs costs, Duration maxWait) {
    long bound = maxWait == null ? Long.MAX_VALUE : Checks.nonNegativeNanos(maxWait, "maxWait");
    return reserveAsync(costs, bound).thenApply(r -> null);
  }

  /**
   * Charges {@code estimate}, waiting as long as needed, and returns the reservation to settle.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension
   * @throws CostExceedsCapacityException at once if a cost exceeds its dimension's burst
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   * @throws InterruptedException if interrupted while waiting; nothing stays charged
   */
  public RedisReservation reserve(Costs estimate) throws InterruptedException {
    Booking b = bookWaiting(estimate, Long.MAX_VALUE);
    if (!b.granted()) {
      throw rejection(b, Long.MAX_VALUE);
    }
    await(b);
    return new RedisReservation(this, b);
  }

  /**
   * Charges {@code estimate} if all its dimensions can afford it now; never waits.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension
   */
  public Optional<RedisReservation> tryReserve(Costs estimate) {
    Booking b = book(estimate, 0);
    return b.granted() ? Optional.of(new RedisReservation(this, b)) : Optional.empty();
  }

  /**
   * Charges {@code estimate} asynchronously (waiting at most {@code maxWait}, null for no bound).
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension or maxWait is
   *     negative
   */
  public CompletionStage<RedisReservation> reserveAsync(Costs estimate, Duration maxWait) {
    long bound = maxWait == null ? Long.MAX_VALUE : Checks.nonNegativeNanos(maxWait, "maxWait");
    return reserveAsync(estimate, bound);
  }

  /**
   * What {@code dimension} has available now at the server (negative while owed); under an
   * outage, what the policy grants.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  public long availablePermits(String dimension) {
    int d = dimension(dimension);
    List<Long> r = remote.call(keys, args("peek", 0, new long[keys.length], null));
    if (r == null) {
      return switch (remote.policy().kind()) {
        case FAIL_OPEN -> rates.get(d).burst();
        case FAIL_CLOSED -> 0;
        case FALLBACK -> fallback.availablePermits(dimension);
      };
    }
    return r.get(d + 1) + (lease == null ? 0 : lease.available(d));
  }

  /**
   * How long {@code costs} would wait now, without booking; empty if a cost exceeds its burst.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public Optional<Duration> waitTime(Costs costs) {
    long[] values = values(costs);
    if (exceeding(values) >= 0) {
      return Optional.empty();
    }
    List<Long> r = remote.call(keys, args("peek", 0, values, null));
    if (r == null) {
      return switch (remote.policy().kind()) {
        case FAIL_OPEN -> Optional.of(Duration.ZERO);
        case FAIL_CLOSED -> Optional.of(Duration.ofNanos(remote.retryAfterNanos()));
        case FALLBACK -> fallback.waitTime(costs);
      };
    }
    return Optional.of(Duration.ofNanos(Math.max(r.get(0), 0)));
  }

  /**
   * Grants nothing in any dimension before {@code untilNanos} (on this ticker's scale); see
   * {@link RateLimiter#pauseUntil}. Sent as a length from now, applied at the server's clock.
   */
  @Override
  public void pauseUntil(long untilNanos) {
    long length = untilNanos - ticker.read();
    if (length <= 0) {
      return;
    }
    dropLease();
    if (fallback != null) {
      fallback.pauseUntil(untilNanos);
    }
    remote.call(keys, args("pause", length, new long[keys.length], null));
    dropLease(); // again: see dropLease
  }

  /**
   * Grants nothing in {@code dimension} before {@code untilNanos} (on this ticker's scale), and so
   * nothing that needs it; see {@link RateLimiter#pauseUntil}. One round trip on that dimension's
   * key, applied at the server's clock.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public void pauseUntil(String dimension, long untilNanos) {
    int d = dimension(dimension);
    long length = untilNanos - ticker.read();
    if (length <= 0) {
      return;
    }
    dropLease();
    if (fallback != null) {
      fallback.pauseUntil(dimension, untilNanos);
    }
    Rate rate = rates.get(d);
    String[] args = Scripts.args("pause", length, 0, new long[] {rate.interval()},
        new long[] {rate.tolerance()}, new long[1], null);
    remote.call(new String[] {keys[d]}, args);
    dropLease(); // again: see dropLease
  }

  /**
   * Lowers what {@code dimension} has available to at most {@code permits}; see {@link
   * RateLimiter#limitAvailable}. Applied at the server's clock, in one round trip that this call
   * waits for, so the bound is in force in Redis before the caller's next attempt (as {@code
   * HeaderSync} requires: it applies a response's signals before the response is handed on). This
   * instance's lease is dropped only if it holds more of the dimension than {@code permits}, or
   * {@code permits} leaves nothing; a smaller lease is kept, within the leasing bound of the class
   * comment.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public void limitAvailable(String dimension, long permits, long nowNanos) {
    int d = dimension(dimension);
    if (permits >= rates.get(d).burst()) {
      return;
    }
    if (lease != null) {
      lease.bound(d, permits);
    }
    if (fallback != null) {
      fallback.limitAvailable(dimension, Math.floorDiv(permits, remote.policy().fleetSize()), nowNanos);
    }
    long[] values = new long[keys.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = i == d ? Math.max(permits, -rates.get(d).maxOwedPermits()) : rates.get(i).burst();
    }
    remote.call(keys, args("limit", 0, values, null));
    if (lease != null) {
      lease.bound(d, permits); // again: see dropLease
    }
  }

  /**
   * The refill rate of {@code dimension} in permits per second: as built, as last {@linkplain
   * #setRate(String, double) set} through this instance, or as the last grant from Redis reported
   * it.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public double permitsPerSecond(String dimension) {
    return rates.get(dimension(dimension)).permitsPerSecond();
  }

  /**
   * Changes the refill rate of {@code dimension} to {@code permitsPerSecond}, keeping its burst,
   * for every instance sharing the key: one round trip, atomic at the server's clock, with the
   * same rules as {@link RedisThrottle#setRate(double)} (available permits stay, booked waiters
   * keep their release times, the rate set in Redis overrides each instance's own).
   *
   * @throws IllegalArgumentException if the dimension is unknown, or the rate is not finite and
   *     positive, is faster than one permit per nanosecond, or the burst would take more than
   *     about 26 days to refill at it
   */
  @Override
  public void setRate(String dimension, double permitsPerSecond) {
    int d = dimension(dimension);
    changeRate(d, rates.get(d).withPermitsPerSecond(permitsPerSecond));
  }

  /**
   * Changes the refill rate of {@code dimension} to {@code permits} per {@code period}; see
   * {@link #setRate(String, double)}.
   *
   * @throws IllegalArgumentException if the dimension is unknown, either number is not positive,
   *     or the rate is out of range as for {@link #setRate(String, double)}
   */
  public void setRate(String dimension, long permits, Duration period) {
    int d = dimension(dimension);
    changeRate(d, Rate.of(permits, period, rates.get(d).burst()));
  }

  /** The lease, or null: for tests that hold a refill in flight. */
  MultiLease lease() {
    return lease;
  }

  /**
   * Drops the lease; called before a pause, restriction, reset or rate change is sent (no local
   * grant while it travels) and again once its script has run: a refill claimed between the first
   * drop and the script may have run before it in Redis, and its reply, which comes first on the
   * connection, is then either dropped here or refused by the epoch.
   */
  private void dropLease() {
    if (lease != null) {
      lease.drop();
    }
  }

  private void changeRate(int d, Rate next) {
    dropLease();
    long[] values = new long[keys.length];
    values[d] = next.interval();
    // sent with the rate it replaces: the script converts the bucket from the one in force
    String[] args = args("rate", 0, values, null);
    rates.set(d, next);
    if (fallback != null
        && fallback.limiter(dimensions[d]) instanceof AdjustableRateLimiter local) {
      local.setRate(next.permitsPerSecond() / remote.policy().fleetSize());
    }
    remote.call(keys, args);
    dropLease(); // again: see dropLease
  }

  private void learn(int d, long interval) {
    Rate current = rates.get(d);
    if (current.interval() != interval) {
      // another instance changed the rate
      rates.compareAndSet(d, current, current.withInterval(interval));
    }
  }

  /** Every dimension full again; see {@link RateLimiter#reset}. */
  public void reset() {
    dropLease();
    if (fallback != null) {
      fallback.reset();
    }
    remote.call(keys, args("reset", 0, new long[keys.length], null));
    dropLease(); // again: see dropLease
  }

  /**
   * A decorator that charges {@code costs} before every call, waiting at most {@code maxWait}
   * (null: no bound): for a {@code Decorators} chain's {@code with(..)}.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension or exceed a burst
   */
  public Decorator<Object> decorator(Costs costs, Duration maxWait) {
    return decorator(costs, r -> null, maxWait);
  }

  /**
   * A decorator that reserves {@code estimate} before every call and settles it at {@code actual}
   * of the result (null keeps the estimate); a call that fails keeps the estimate charged, since
   * the downstream may have counted it.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension or exceeds a
   *     burst, or maxWait is negative
   */
  public <T> Decorator<T> decorator(Costs estimate, Function<? super T, Costs> actual, Duration maxWait) {
    int over = exceeding(values(estimate));
    if (over >= 0) {
      throw new IllegalArgumentException(
          "estimate for " + name + "[" + dimensions[over] + "] must be <= its capacity ("
              + rates.get(over).burst() + "), was " + estimate.get(dimensions[over]));
    }
    Checks.nonNull(actual, "actual");
    long bound = maxWait == null ? Long.MAX_VALUE : Checks.nonNegativeNanos(maxWait, "maxWait");
    return new Decorator<>() {
      @Override
      public <R extends T> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
        Checks.nonNull(call, "call");
        return () -> {
          Booking b = bookWaiting(estimate, bound);
          if (!b.granted()) {
            throw rejection(b, bound);
          }
          await(b);
          RedisReservation r = new RedisReservation(RedisMultiLimiter.this, b);
          R result = call.get();
          settleQuietly(r, actual, result).join(); // bounded by the limiter's timeout
          return result;
        };
      }

      @Override
      public <R extends T> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
        Checks.nonNull(call, "call");
        return () ->
            reserveAsync(estimate, bound)
                .thenCompose(r -> call.get().thenApply(result -> {
                  settleQuietly(r, actual, result); // sent, not awaited: never blocks the caller's thread
                  return result;
                }));
      }
    };
  }

  /** Settles at {@code actual} of the result without blocking; keeps the estimate if it cannot. */
  private static <T> CompletableFuture<Void> settleQuietly(
      RedisReservation r, Function<? super T, Costs> actual, T result) {
    try {
      Costs real = actual.apply(result);
      if (real != null) {
        return r.settleAsync(real).exceptionally(e -> null);
      }
    } catch (RuntimeException e) {
      // a broken cost function, or costs naming an unknown dimension, keep the estimate rather
      // than fail a call that is done
    }
    r.close();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String toString() {
    return "RedisMultiLimiter[" + name + ", " + dimensionSet + "]";
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * One decision; for Redis, the handle to settle or give back by; leaseEpoch: granted from this
   * lease in that epoch ({@link MultiLease#take}), or -1.
   */
  record Booking(
      Costs costs, long[] values, boolean granted, long waitNanos, long clientNow, int binding,
      boolean closed, long sec, long at, long[] ends, Reservation local, long leaseEpoch) {

    boolean leased() {
      return leaseEpoch >= 0;
    }

    /** Refused at once by the local fallback during an outage: a caller that may wait waits there. */
    boolean fallbackBusy() {
      return !granted && binding < 0;
    }

    Booking grantedLocally(Reservation reservation) {
      return new Booking(costs, values, true, 0, clientNow, -1, false, 0, 0, null, reservation, -1);
    }
  }

  private Booking book(Costs costs, long maxWait) {
    long[] values = values(costs);
    long now = ticker.read();
    int over = exceeding(values);
    if (over >= 0) {
      return refused(costs, values, RateLimiter.NEVER, now, over, false, maxWait);
    }
    // a call the pool can never cover neither waits for refills nor claims one (its reply would
    // replace the pool by a lease in its own dimensions only)
    boolean coverable = lease != null && lease.couldCover(values);
    for (int attempt = 0; coverable; attempt++) {
      long epoch = lease.take(values);
      if (epoch >= 0) {
        return leased(costs, values, now, epoch);
      }
      CompletableFuture<Void> inFlight = lease.refill().current();
      if (inFlight == null || attempt == 2) {
        break;
      }
      LeaseRefill.await(inFlight); // one round trip at most, and it may bring enough for us
    }
    CompletableFuture<Void> mine = coverable ? lease.refill().claim() : null;
    long claimedIn = mine == null ? -1 : lease.epoch();
    try {
      List<Long> r = remote.call(keys, args("reserve", maxWait, values, extras(mine, values)));
      return fromReply(costs, values, now, maxWait, r, claimedIn);
    } finally {
      if (mine != null) {
        lease.refill().done(mine); // after the pool is filled, so those waiting for it find it
      }
    }
  }

  /** Granted from this instance's lease, in {@code epoch}: no round trip. */
  private Booking leased(Costs costs, long[] values, long now, long epoch) {
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new MultiLimiterEvent.Acquired(name, costs, Duration.ZERO));
    }
    return new Booking(costs, values, true, 0, now, -1, false, 0, 0, null, null, epoch);
  }

  /** For the caller refilling the lease, per dimension {extra, 0, 0, 0}; otherwise null. */
  private long[] extras(CompletableFuture<Void> mine, long[] values) {
    if (mine == null) {
      return null;
    }
    long[] extras = lease.extras(values);
    long[] slots = new long[4 * extras.length];
    for (int d = 0; d < extras.length; d++) {
      slots[4 * d] = extras[d];
    }
    return slots;
  }

  /**
   * {@link #book}, and during an outage with a fallback, waiting on the local limiter as its own
   * callers do (it books nothing ahead, so there is no wait to return instead).
   */
  private Booking bookWaiting(Costs costs, long maxWait) throws InterruptedException {
    Booking b = book(costs, maxWait);
    if (!b.fallbackBusy() || maxWait == 0) {
      return b;
    }
    try {
      return b.grantedLocally(
          maxWait == Long.MAX_VALUE ? fallback.reserve(costs) : fallback.reserve(costs, Duration.ofNanos(maxWait)));
    } catch (MaxWaitExceededException tooLong) {
      return b;
    }
  }

  private CompletionStage<RedisReservation> reserveAsync(Costs costs, long maxWait) {
    long[] values = values(costs);
    long now = ticker.read();
    CompletableFuture<Booking> booked;
    int over = exceeding(values);
    // a cost above a burst is above the batch too: never coverable, never taken from the pool
    boolean coverable = lease != null && lease.couldCover(values);
    long epoch = coverable ? lease.take(values) : -1;
    if (over >= 0) {
      booked = CompletableFuture.completedFuture(refused(costs, values, RateLimiter.NEVER, now, over, false, maxWait));
    } else if (epoch >= 0) {
      booked = CompletableFuture.completedFuture(leased(costs, values, now, epoch));
    } else {
      CompletableFuture<Void> mine = coverable ? lease.refill().claim() : null;
      long claimedIn = mine == null ? -1 : lease.epoch();
      booked = remote.callAsync(keys, args("reserve", maxWait, values, extras(mine, values)))
          .handle((r, failure) -> {
            try {
              if (failure != null) {
                if (failure instanceof RuntimeException e) {
                  throw e;
                }
                if (failure instanceof Error e) {
                  throw e;
                }
                throw new CompletionException(failure); // passed on as thenApply would
              }
              return fromReply(costs, values, now, maxWait, r, claimedIn);
            } finally {
              if (mine != null) {
                lease.refill().done(mine);
              }
            }
          })
          .thenCompose(b -> !b.fallbackBusy() || maxWait == 0
              ? CompletableFuture.completedFuture(b)
              : (maxWait == Long.MAX_VALUE
                  ? fallback.reserveAsync(costs)
                  : fallback.reserveAsync(costs, Duration.ofNanos(maxWait))).thenApply(b::grantedLocally));
    }
    CompletableFuture<RedisReservation> granted = new CompletableFuture<>();
    booked.whenComplete((b, failure) -> {
      if (failure != null) {
        Throwable cause = RedisStore.unwrap(failure);
        remote.store().executor().execute(() -> granted.completeExceptionally(cause));
      } else if (!b.granted()) {
        RejectedException e = rejection(b, maxWait);
        remote.store().executor().execute(() -> granted.completeExceptionally(e));
      } else {
        RedisReservation r = new RedisReservation(this, b);
        Runnable complete = () -> granted.complete(r);
        Ticker.Scheduled timer = b.waitNanos() == 0 ? null : ticker.schedule(b.clientNow() + b.waitNanos(), complete);
        if (timer == null) {
          remote.store().executor().execute(complete);
        }
        granted.whenComplete((ignored, f) -> {
          if (f != null) {
            if (timer != null) {
              timer.cancel();
            }
            giveBack(b);
          }
        });
      }
    });
    return granted;
  }

  /** {@code claimedIn}: the lease's epoch when this caller claimed the refill, or -1. */
  private Booking fromReply(Costs costs, long[] values, long now, long maxWait, List<Long> r, long claimedIn) {
    if (r == null) {
      return outage(costs, values, now, maxWait);
    }
    long wait = r.get(1);
    if (r.get(0) != 1) {
      return refused(costs, values, wait, now, (int) (r.get(5) - 1), false, maxWait);
    }
    int n = keys.length;
    long[] ends = new long[n];
    for (int d = 0; d < n; d++) {
      ends[d] = r.get(5 + d);
      learn(d, r.get(5 + n + d));
    }
    if (claimedIn >= 0) {
      long[] leasedNow = new long[n];
      for (int d = 0; d < n; d++) {
        leasedNow[d] = r.get(5 + 2 * n + d);
      }
      lease.fill(leasedNow, claimedIn);
    }
    long result = wait == 0 ? 0 : wait + Math.max(ticker.read() - now, 0);
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new MultiLimiterEvent.Acquired(name, costs, Duration.ofNanos(result)));
    }
    return new Booking(
        costs, values, true, result, now, -1, false, r.get(2), r.get(3), ends, null, -1);
  }

  private Booking outage(Costs costs, long[] values, long now, long maxWait) {
    switch (remote.policy().kind()) {
      case FAIL_OPEN:
        return new Booking(costs, values, true, 0, now, -1, false, 0, 0, null, null, -1);
      case FAIL_CLOSED:
        return refused(costs, values, Math.max(remote.retryAfterNanos(), 1), now, 0, true, maxWait);
      default:
        Optional<Reservation> local = fallback.tryReserve(costs); // publishes its own events
        return local
            .map(l -> new Booking(costs, values, true, 0, now, -1, false, 0, 0, null, l, -1))
            .orElseGet(() -> new Booking(
                costs, values, false, fallbackWait(costs), now, -1, false, 0, 0, null, null, -1));
    }
  }

  private long fallbackWait(Costs costs) {
    return fallback.waitTime(costs).map(Duration::toNanos).orElse(RateLimiter.NEVER);
  }

  private Booking refused(Costs costs, long[] values, long wait, long now, int binding, boolean closed, long maxWait) {
    if (rejectedEvents.hasListeners()) {
      LimiterEvent.Reason reason = wait == RateLimiter.NEVER
          ? LimiterEvent.Reason.CAPACITY_EXCEEDED : LimiterEvent.Reason.forWait(maxWait);
      Optional<Duration> retry = wait == RateLimiter.NEVER ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
      rejectedEvents.publish(new MultiLimiterEvent.Rejected(name, costs, dimensions[binding], reason, retry));
    }
    return new Booking(costs, values, false, wait, now, binding, closed, 0, 0, null, null, -1);
  }

  private RejectedException rejection(Booking b, long maxWait) {
    if (b.binding() < 0) { // refused at once by the local fallback
      for (int d = 0; d < dimensions.length; d++) {
        long capacity = fallback.capacity(dimensions[d]);
        if (b.values()[d] > capacity) {
          return new CostExceedsCapacityException(name + "[" + dimensions[d] + "]", b.values()[d], capacity);
        }
      }
      long cost = java.util.Arrays.stream(b.values()).max().orElse(0);
      return new MaxWaitExceededException(name, cost, Duration.ofNanos(b.waitNanos()), Duration.ofNanos(maxWait));
    }
    if (b.waitNanos() == RateLimiter.NEVER) {
      String d = dimensions[b.binding()];
      return new CostExceedsCapacityException(
          name + "[" + d + "]", b.costs().get(d), rates.get(b.binding()).burst());
    }
    if (b.closed()) {
      return new RedisUnavailableException(name, Duration.ofNanos(b.waitNanos()));
    }
    return new MaxWaitExceededException(name, b.values()[b.binding()], Duration.ofNanos(b.waitNanos()), Duration.ofNanos(maxWait));
  }

  private void await(Booking b) throws InterruptedException {
    if (b.waitNanos() == 0) {
      return;
    }
    boolean released = false;
    try {
      ticker.sleepUntil(b.clientNow() + b.waitNanos());
      released = true;
    } finally {
      if (!released) {
        giveBack(b).join();
      }
    }
  }

  /** Gives the whole booking back (settles at zero), without blocking. */
  CompletableFuture<long[]> giveBack(Booking b) {
    long[] delta = new long[b.values().length];
    for (int d = 0; d < delta.length; d++) {
      delta[d] = -b.values()[d];
    }
    return settle(b, delta);
  }

  /** Charges positive and gives back negative {@code delta} per dimension, as of the booking. */
  CompletableFuture<long[]> settle(Booking b, long[] delta) {
    if (b.leased()) {
      return settleLeased(delta, b.leaseEpoch());
    }
    if (b.ends() == null) {
      return CompletableFuture.completedFuture(new long[delta.length]); // granted without Redis
    }
    long[] handles = new long[4 * keys.length];
    for (int d = 0; d < keys.length; d++) {
      handles[4 * d] = b.sec();
      handles[4 * d + 1] = b.ends()[d];
      handles[4 * d + 2] = b.sec();
      handles[4 * d + 3] = b.at();
    }
    return remote.callAsync(keys, args("settle", 0, delta, handles)).thenApply(r -> {
      long[] back = new long[delta.length];
      for (int d = 0; r != null && d < back.length; d++) {
        back[d] = r.get(d);
      }
      return back;
    });
  }

  /**
   * Settles a grant from the lease: what it did not use goes back to the lease (while it lasts and
   * was not dropped since the grant, up to a batch); what it used beyond is taken from the lease
   * where it can, and the rest charged in Redis now, as any overdraft.
   */
  private CompletableFuture<long[]> settleLeased(long[] delta, long takenIn) {
    long[] charge = new long[delta.length];
    long[] unused = new long[delta.length];
    boolean remaining = false;
    for (int d = 0; d < delta.length; d++) {
      charge[d] = Math.max(delta[d], 0);
      unused[d] = Math.max(-delta[d], 0);
    }
    long[] back = lease.giveBack(unused, takenIn);
    long[] rest = lease.charge(charge);
    for (long c : rest) {
      remaining |= c > 0;
    }
    if (!remaining) {
      return CompletableFuture.completedFuture(back);
    }
    return remote.callAsync(keys, args("settle", 0, rest, null)).thenApply(r -> back);
  }

  long[] values(Costs costs) {
    Checks.nonNull(costs, "costs");
    long[] values = new long[keys.length];
    for (Map.Entry<String, Long> e : costs.asMap().entrySet()) {
      values[dimension(e.getKey())] = e.getValue();
    }
    return values;
  }

  Map<String, Long> byDimension(long[] delta) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int d = 0; d < delta.length; d++) {
      if (delta[d] != 0) {
        m.put(dimensions[d], delta[d]);
      }
    }
    return m;
  }

  String dimensionName(int d) {
    return dimensions[d];
  }

  long maxOwed(int d) {
    return rates.get(d).maxOwedPermits();
  }

  private int exceeding(long[] values) {
    for (int d = 0; d < values.length; d++) {
      if (values[d] > rates.get(d).burst()) {
        return d;
      }
    }
    return -1;
  }

  private int dimension(String dimension) {
    Integer d = index.get(Checks.nonNull(dimension, "dimension"));
    if (d == null) {
      throw new IllegalArgumentException(
          "dimension " + dimension + " is unknown to " + name + " (it has " + dimensionSet + ")");
    }
    return d;
  }

  private String[] args(String op, long scalar, long[] values, long[] handles) {
    long[] intervals = new long[rates.length()];
    long[] tolerances = new long[rates.length()];
    for (int d = 0; d < rates.length(); d++) {
      intervals[d] = rates.get(d).interval();
      tolerances[d] = rates.get(d).tolerance();
    }
    return Scripts.args(op, scalar, 0, intervals, tolerances, values, handles);
  }

  /**
   * Builds a {@link RedisMultiLimiter}. Every option may be set once, every dimension added once.
   * Defaults as for {@link RedisThrottle.Builder}. Not thread-safe; the limiter is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final RedisStore store;
    private final Options options = new Options();
    private final Map<String, Rate> rates = new LinkedHashMap<>();
    private String key;
    private Costs leaseBatch;
    private long leaseTtlNanos;

    private Builder(RedisStore store) {
      this.store = store;
    }

    /**
     * The name the budgets are shared under (the hash tag of every dimension's key). Required.
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
     * A dimension of {@code permits} per {@code period}, bursting up to {@code permits}.
     *
     * @throws IllegalArgumentException if the name is empty, has braces or was added, or the rate
     *     is not positive
     */
    public Builder dimension(String dimension, long permits, Duration period) {
      return dimension(dimension, permits, period, permits);
    }

    /**
     * A dimension of {@code permits} per {@code period}, bursting up to {@code burst}.
     *
     * @throws IllegalArgumentException if the name is empty, has braces or was added, or a number
     *     is not positive
     */
    public Builder dimension(String dimension, long permits, Duration period, long burst) {
      Checks.keyPart(dimension, "dimension");
      if (rates.containsKey(dimension)) {
        throw new IllegalArgumentException("dimension " + dimension + " was already added");
      }
      rates.put(dimension, Rate.of(permits, period, burst));
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
     * Takes up to {@code batch} per dimension in each round trip that is granted at once, and
     * spends it locally for at most {@code ttl}; see the class comment for the overshoot this
     * allows. Dimensions the batch does not name are not leased.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive (a batch naming an unknown
     *     dimension or above a burst fails at {@link #build})
     * @throws NullPointerException if {@code batch} is null
     * @throws IllegalStateException if already set
     */
    public Builder lease(Costs batch, Duration ttl) {
      Checks.unset(leaseBatch != null, "lease");
      this.leaseTtlNanos = Checks.positiveNanos(ttl, "ttl");
      this.leaseBatch = Checks.nonNull(batch, "batch");
      return this;
    }

    /**
     * Builds the limiter; contacts Redis only when it is first used.
     *
     * @throws IllegalStateException if the key or no dimension was set
     * @throws IllegalArgumentException if a lease batch names an unknown dimension or exceeds its
     *     burst
     */
    public RedisMultiLimiter build() {
      if (key == null) {
        throw new IllegalStateException("key must be set");
      }
      if (rates.isEmpty()) {
        throw new IllegalStateException("at least one dimension must be added");
      }
      String name = nameOr("redis-multi");
      Ticker ticker = tickerOr(Ticker.system());
      EventRegistry events = eventsOrDefault();
      return new RedisMultiLimiter(this, name, ticker, events, options.remote(store, name, ticker, events));
    }
  }
}
