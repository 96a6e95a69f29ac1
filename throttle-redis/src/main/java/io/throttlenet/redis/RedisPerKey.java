package io.throttlenet.redis;

import io.throttlenet.bucket.PerKey;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One Redis token bucket per key (per tenant, per user, per API token), shared by the whole
 * fleet: the Redis counterpart of {@link PerKey}.
 *
 * <pre>{@code
 * RedisPerKey<String> perTenant = RedisPerKey.<String>builder(redis)
 *     .key("tenants")
 *     .rate(100, Duration.ofSeconds(1))
 *     .build();
 * perTenant.acquire("tenant-42");
 * }</pre>
 *
 * <p>Memory stays bounded in Redis, not here: each key's bucket is one Redis key, {@code
 * throttlenet:<key>:{<tenant>}} (the tenant, as {@link String#valueOf}, is the hash tag, so
 * tenants spread over a cluster), and its TTL is the time until its bucket is full again plus a
 * second: an idle tenant costs nothing soon after, and an expired key means exactly a full
 * bucket, so expiry never forgives a debt. (A tenant whose rate was changed through {@code
 * limiter(key).setRate} keeps its key at least a day after its last write, so that the change
 * outlives a quiet spell.) Nothing is kept per tenant in this process (no cache to bound) unless
 * the outage policy is {@link OutagePolicy#fallback}, whose local buckets live in a bounded {@link
 * PerKey}.
 *
 * <p>Every verb is one round trip and behaves as {@link RedisThrottle}'s; {@link #limiter} gives
 * one tenant's budget as a {@link RateLimiter}, for a {@code Decorators} chain or {@code
 * HeaderSync}. All tenants share one outage state: Redis is up or down for all of them. Leasing
 * is not offered per key (a lease per tenant would multiply the overshoot by the tenants).
 * Thread-safe.
 *
 * @param <K> the key type
 */
public final class RedisPerKey<K> {
  private final RedisThrottle.Shared shared;
  private final String prefix;
  private final PerKey<String> fallback;

  private RedisPerKey(RedisThrottle.Shared shared, String prefix, PerKey<String> fallback) {
    this.shared = shared;
    this.prefix = prefix;
    this.fallback = fallback;
  }

  /** A builder over {@code store}; {@link Builder#key} and {@link Builder#rate} are required. */
  public static <K> Builder<K> builder(RedisStore store) {
    return new Builder<>(Checks.nonNull(store, "store"));
  }

  /** This family's name, in events and errors. */
  public String name() {
    return shared.name;
  }

  /**
   * The budget of {@code key}, as a limiter: cheap to create (nothing is kept or sent until it is
   * used), and every instance for the same key shares the same bucket.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public RedisThrottle limiter(K key) {
    String tenant = String.valueOf(Checks.nonNull(key, "key"));
    return new RedisThrottle(
        shared, tenant, prefix + "{" + tenant + "}", fallback == null ? null : () -> fallback.limiter(tenant));
  }

  /** Takes one permit for {@code key} if free now; never waits. */
  public boolean tryAcquire(K key) {
    return limiter(key).tryAcquire(1);
  }

  /**
   * Takes {@code cost} for {@code key} if free now; never waits.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  public boolean tryAcquire(K key, long cost) {
    return limiter(key).tryAcquire(cost);
  }

  /**
   * Takes {@code cost} for {@code key}, waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   * @throws InterruptedException if interrupted while waiting; the cost is given back
   */
  public boolean tryAcquire(K key, long cost, Duration maxWait) throws InterruptedException {
    return limiter(key).tryAcquire(cost, maxWait);
  }

  /**
   * Takes one permit for {@code key}, waiting as long as needed.
   *
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   * @throws InterruptedException if interrupted while waiting; the permit is given back
   */
  public void acquire(K key) throws InterruptedException {
    limiter(key).acquire(1);
  }

  /**
   * Takes {@code cost} for {@code key}, waiting as long as needed.
   *
   * @throws IllegalArgumentException if {@code cost} is negative
   * @throws io.throttlenet.core.CostExceedsCapacityException at once if above the burst
   * @throws RedisUnavailableException if Redis is unavailable and the policy is to fail closed
   * @throws InterruptedException if interrupted while waiting; the cost is given back
   */
  public void acquire(K key, long cost) throws InterruptedException {
    limiter(key).acquire(cost);
  }

  /**
   * Takes {@code cost} for {@code key} asynchronously, waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  public CompletionStage<Void> acquireAsync(K key, long cost, Duration maxWait) {
    return limiter(key).acquireAsync(cost, maxWait);
  }

  /** What {@code key}'s bucket has available now, at the server. */
  public long availablePermits(K key) {
    return limiter(key).availablePermits();
  }

  /** Scripts this family has sent to Redis so far. */
  public long roundTrips() {
    return shared.remote.roundTrips();
  }

  /** True while Redis is considered unreachable and the outage policy applies. */
  public boolean isRedisDown() {
    return shared.remote.isDown();
  }

  @Override
  public String toString() {
    return "RedisPerKey[" + name() + ", " + shared.rate.permitsPerSecond() + "/s, burst " + shared.rate.burst() + "]";
  }

  /**
   * Builds a {@link RedisPerKey}. Every option may be set once. Defaults as for {@link
   * RedisThrottle.Builder}; the name defaults to {@code redis-per-key-1} and so on. Not
   * thread-safe; the limiter is.
   *
   * @param <K> the key type
   */
  public static final class Builder<K> extends ComponentBuilder<Builder<K>> {
    private final RedisStore store;
    private final Options options = new Options();
    private String key;
    private long permits;
    private Duration period;
    private long burst = -1;

    private Builder(RedisStore store) {
      this.store = store;
    }

    /**
     * The family's name in Redis: tenants' keys are {@code throttlenet:<key>:{<tenant>}}.
     * Required.
     *
     * @throws IllegalArgumentException if empty or containing braces
     * @throws IllegalStateException if already set
     */
    public Builder<K> key(String key) {
      Checks.unset(this.key != null, "key");
      this.key = Checks.keyPart(key, "key");
      return this;
    }

    /**
     * Refill {@code permits} per {@code period} for each tenant, across the fleet. Required.
     *
     * @throws IllegalArgumentException if either is not positive
     * @throws IllegalStateException if already set
     */
    public Builder<K> rate(long permits, Duration period) {
      Checks.unset(this.period != null, "rate");
      Checks.positiveNanos(period, "period");
      this.permits = Checks.positive(permits, "permits");
      this.period = period;
      return this;
    }

    /**
     * Each tenant's burst; defaults to the permits per period.
     *
     * @throws IllegalArgumentException if less than 1
     * @throws IllegalStateException if already set
     */
    public Builder<K> burst(long burst) {
      Checks.unset(this.burst >= 0, "burst");
      this.burst = Checks.positive(burst, "burst");
      return this;
    }

    /** What to do while Redis is unreachable; see {@link OutagePolicy}. */
    public Builder<K> outage(OutagePolicy policy) {
      options.outage(policy);
      return this;
    }

    /** How long a call waits for Redis before applying the outage policy; default 100 ms. */
    public Builder<K> timeout(Duration timeout) {
      options.timeout(timeout);
      return this;
    }

    /** How often Redis is tried again during an outage; default 1 s. */
    public Builder<K> probeInterval(Duration interval) {
      options.probeInterval(interval);
      return this;
    }

    /**
     * Builds the family.
     *
     * @throws IllegalStateException if the key or the rate was not set
     * @throws IllegalArgumentException if the rate is faster than one permit per nanosecond or
     *     the burst takes more than about 26 days to refill
     */
    public RedisPerKey<K> build() {
      if (key == null) {
        throw new IllegalStateException("key must be set");
      }
      if (period == null) {
        throw new IllegalStateException("rate must be set");
      }
      Rate rate = Rate.of(permits, period, burst >= 0 ? burst : permits);
      String name = nameOr("redis-per-key");
      Ticker ticker = tickerOr(Ticker.system());
      EventRegistry events = eventsOrDefault();
      Remote remote = options.remote(store, name, ticker, events);
      RedisThrottle.Shared shared = new RedisThrottle.Shared(name, ticker, rate, remote, events, 0, 0);
      PerKey<String> fallback = null;
      if (remote.policy().kind() == OutagePolicy.Kind.FALLBACK) {
        int n = remote.policy().fleetSize();
        fallback = PerKey.<String>builder()
            .rate(rate.permits(), Duration.ofNanos(rate.periodNanos()).multipliedBy(n))
            .burst(Math.max(1, rate.burst() / n))
            .name(name)
            .ticker(ticker)
            .events(events)
            .build();
      }
      return new RedisPerKey<>(shared, "throttlenet:" + key + ":", fallback);
    }
  }
}
