package io.throttlenet.bucket;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * An independent limiter per key (per tenant, per API token, per endpoint), with bounded memory:
 *
 * <pre>{@code
 * PerKey<String> perTenant = PerKey.perSecond(100);   // 100 per second for each tenant
 * perTenant.acquire("tenant-42");
 * }</pre>
 *
 * <p>Keys are independent: one tenant's traffic never touches another's budget. Limiters are
 * created on a key's first request by the factory ({@link Throttle} with the static factories'
 * rate by default) and kept in a Caffeine cache with a hard cap on the number of keys and an
 * expiry. A key whose limiter is full owes nothing and may be dropped freely (it comes back full,
 * the same state); dropping one that still owes would forgive its debt, so a key expires only
 * after the idle timeout <em>and</em> once its limiter has refilled completely. (To keep reads
 * cheap, a read extends the expiry only when the limiter's debt needs it: a busy key whose
 * limiter stays full may be dropped and recreated, which changes nothing but an allocation.) Under a flood of new keys the cap still
 * holds: Caffeine then evicts the keys it judges least likely to return (a hot key survives), and
 * every eviction of a key that still owed is counted ({@link #indebtedEvictions()}) and published
 * as a {@link PerKeyEvent.IndebtedEviction}, never silent. Asking about a key ({@link
 * #availablePermits}, {@link #waitTime}) creates no state.
 *
 * <p>Thread-safe. Cache maintenance runs on the calling threads, amortised, so the cap holds
 * without a background thread.
 *
 * @param <K> the key type; keys must have proper {@code equals} and {@code hashCode}
 */
public final class PerKey<K> {
  /** Default hard cap on live keys. */
  public static final long DEFAULT_MAXIMUM_KEYS = 1L << 20;
  /** Default idle time before a (refilled) key may expire. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(1);

  private final String name;
  private final Ticker ticker;
  private final Function<? super K, ? extends RateLimiter> factory;
  private final Cache<K, Entry> limiters;
  private final Function<K, Entry> create;
  private final LongAdder indebtedEvictions = new LongAdder();
  /**
   * Eviction events noted inside Caffeine's eviction listener, which runs under the cache's
   * locks: they are published after the cache call returns, so user listeners never run there.
   */
  private final ConcurrentLinkedQueue<PerKeyEvent.IndebtedEviction> pendingEvents =
      new ConcurrentLinkedQueue<>();
  /** For the default factory: a full limiter answering for keys never seen; else null. */
  private final RateLimiter unseen;
  private final long idleNanos;
  private final EventPublisher<PerKeyEvent.IndebtedEviction> evictionEvents;

  private PerKey(
      Builder<K> b, Function<? super K, ? extends RateLimiter> factory, RateLimiter unseen) {
    this.unseen = unseen;
    this.idleNanos = b.idleNanos;
    this.name = b.resolvedName("per-key");
    this.ticker = b.resolvedTicker(Ticker.system());
    this.factory = factory;
    this.create = key -> new Entry(factory.apply(key));
    EventRegistry events = b.resolvedEvents();
    this.evictionEvents = events.publisher(PerKeyEvent.IndebtedEviction.class, name);
    long idleNanos = b.idleNanos;
    Ticker t = ticker;
    this.limiters =
        Caffeine.newBuilder()
            .maximumSize(b.maximumKeys)
            .ticker(t::read)
            .executor(Runnable::run)
            .expireAfter(new UntilRefilled<K>(idleNanos, t))
            .<K, Entry>evictionListener(
                (key, entry, cause) -> {
                  if (entry != null) {
                    entry.evicted = true; // atomically with the removal: later charges will know
                    if (entry.limiter.availablePermits() < entry.limiter.capacity()) {
                      lost(key, entry);
                    }
                  }
                })
            .build();
  }

  /**
   * {@code permits} per second for each key, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} is not positive
   */
  public static <K> PerKey<K> perSecond(long permits) {
    return perDuration(permits, Duration.ofSeconds(1));
  }

  /**
   * {@code permits} per minute for each key, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} is not positive
   */
  public static <K> PerKey<K> perMinute(long permits) {
    return perDuration(permits, Duration.ofMinutes(1));
  }

  /**
   * {@code permits} per {@code period} for each key, bursting up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} or {@code period} is not positive
   */
  public static <K> PerKey<K> perDuration(long permits, Duration period) {
    return PerKey.<K>builder().rate(permits, period).build();
  }

  /** A builder; give a rate (each key gets a {@link Throttle}) or a limiter factory. */
  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /** The name in events, and of the per-key limiters the default factory creates. */
  public String name() {
    return name;
  }

  /** Takes one permit for {@code key} if free now; never waits. */
  public boolean tryAcquire(K key) {
    return tryAcquire(key, 1);
  }

  /** Takes {@code cost} for {@code key} if free now; never waits, never throws a rejection. */
  public boolean tryAcquire(K key, long cost) {
    Entry e = entry(key);
    boolean granted = e.limiter.tryAcquire(cost);
    if (granted) {
      checkAttached(key, e); // charged a limiter dropped meanwhile? its debt is gone: count it
    }
    return granted;
  }

  /**
   * Takes {@code cost} for {@code key}, waiting at most {@code maxWait}.
   *
   * @throws InterruptedException if interrupted while waiting; the reservation is given back
   */
  public boolean tryAcquire(K key, long cost, Duration maxWait) throws InterruptedException {
    return acquire(key, cost, Args.requireNonNegativeNanos(maxWait, "maxWait"), false);
  }

  /**
   * Takes one permit for {@code key}, waiting as long as needed.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void acquire(K key) throws InterruptedException {
    acquire(key, 1);
  }

  /**
   * Takes {@code cost} for {@code key}, waiting as long as needed.
   *
   * @throws io.throttlenet.core.CostExceedsCapacityException at once if the cost never fits
   * @throws InterruptedException if interrupted while waiting
   */
  public void acquire(K key, long cost) throws InterruptedException {
    acquire(key, cost, Long.MAX_VALUE, true);
  }

  /** Takes {@code cost} for {@code key} asynchronously; see {@link RateLimiter#acquireAsync}. */
  public CompletionStage<Void> acquireAsync(K key, long cost) {
    Entry e = entry(key);
    CompletionStage<Void> stage = e.limiter.acquireAsync(cost);
    afterBooking(key, e);
    return stage;
  }

  /** Takes {@code cost} for {@code key} asynchronously within {@code maxWait}. */
  public CompletionStage<Void> acquireAsync(K key, long cost, Duration maxWait) {
    Entry e = entry(key);
    CompletionStage<Void> stage = e.limiter.acquireAsync(cost, maxWait);
    afterBooking(key, e);
    return stage;
  }

  /** What {@code key} could take right now; creates no state and does not touch the key. */
  public long availablePermits(K key) {
    return quietly(key).availablePermits();
  }

  /** How long {@code cost} would wait for {@code key}; creates no state, touches nothing. */
  public Optional<Duration> waitTime(K key, long cost) {
    return quietly(key).waitTime(cost);
  }

  private RateLimiter quietly(K key) {
    Entry e = limiters.policy().getIfPresentQuietly(Args.requireNonNull(key, "key"));
    if (e != null) {
      return e.limiter;
    }
    return unseen != null ? unseen : factory.apply(key);
  }

  private boolean acquire(K key, long cost, long maxWaitNanos, boolean failIfNever)
      throws InterruptedException {
    Entry e = entry(key);
    RateLimiter l = e.limiter;
    Ticker t = l.ticker();
    long now = t.read();
    long wait = l.reserve(cost, now, maxWaitNanos);
    if (wait < 0) {
      if (!failIfNever) {
        return false;
      }
      throw wait == RateLimiter.NEVER
          ? new CostExceedsCapacityException(l.name(), cost, l.capacity())
          : new MaxWaitExceededException(
              l.name(), cost, Duration.ofNanos(RateLimiter.requiredWait(wait)), Duration.ofNanos(maxWaitNanos));
    }
    afterBooking(key, e);
    if (wait > 0) {
      boolean released = false;
      try {
        t.sleepUntil(now + wait);
        released = true;
      } finally {
        if (!released) {
          l.cancel(cost, now, wait);
        }
      }
    }
    return true;
  }

  /**
   * After a charge or booking: keeps the key until its limiter has refilled (a waiting booking may
   * reach beyond what was allowed for when the key was read), and notices a limiter that was
   * evicted while it was being charged.
   */
  private void afterBooking(K key, Entry e) {
    RateLimiter l = e.limiter;
    if (l.availablePermits() < 0) { // someone is booked ahead: the key must outlive that booking
      limiters.policy().expireVariably().ifPresent(
          v -> v.setExpiresAfter(key, Duration.ofNanos(UntilRefilled.keep(l, idleNanos, ticker))));
    }
    checkAttached(key, e);
  }

  /** Counts a charge that landed on a limiter already dropped from the cache: its debt is lost. */
  void checkAttached(K key, Entry e) {
    if (e.evicted) {
      lost(key, e);
      publishPending();
    }
  }

  /** The key's entry, created on first use; composites charge its limiter then check it. */
  Entry entry(K key) {
    Entry e = limiters.get(Args.requireNonNull(key, "key"), create);
    if (!pendingEvents.isEmpty()) {
      publishPending(); // evictions this call triggered, now that the cache's locks are released
    }
    return e;
  }

  /** The limiter for {@code key}, created on first use. */
  public RateLimiter limiter(K key) {
    return entry(key).limiter;
  }

  /** The number of keys held now (approximate while maintenance is pending). */
  public long estimatedSize() {
    return limiters.estimatedSize();
  }

  /** How many keys were dropped while they still owed permits, since this was built. */
  public long indebtedEvictions() {
    return indebtedEvictions.sum();
  }

  /** Runs pending cache maintenance now (expiry and eviction); tests use it for determinism. */
  public void cleanUp() {
    limiters.cleanUp();
    publishPending();
  }

  /**
   * Counts (once per entry) a limiter dropped while it still owed, and queues its event; may run
   * inside Caffeine's eviction listener, so it publishes nothing itself (see {@link
   * #publishPending}).
   */
  private void lost(K key, Entry e) {
    if (!e.counted.compareAndSet(false, true)) {
      return;
    }
    indebtedEvictions.increment();
    if (evictionEvents.hasListeners()) {
      long owed = Math.max(1, e.limiter.capacity() - e.limiter.availablePermits());
      pendingEvents.add(new PerKeyEvent.IndebtedEviction(name, String.valueOf(key), owed));
    }
  }

  /** Publishes the eviction events noted under the cache's locks; called outside them. */
  private void publishPending() {
    PerKeyEvent.IndebtedEviction event;
    while ((event = pendingEvents.poll()) != null) {
      evictionEvents.publish(event);
    }
  }

  /** A key's limiter in the cache, and whether the cache has dropped it. */
  static final class Entry {
    final RateLimiter limiter;
    volatile boolean evicted;
    final AtomicBoolean counted = new AtomicBoolean();
    // The limiter's parts for atomic composition (Layered), found once; null until then.
    volatile Part[] parts;

    Entry(RateLimiter limiter) {
      this.limiter = limiter;
    }
  }

  @Override
  public String toString() {
    return "PerKey[" + name + ", " + limiters.estimatedSize() + " keys]";
  }

  /**
   * Keeps a key at least {@code idle} after each use and until its limiter would be full again,
   * allowing for one more full-capacity charge by the use that is in progress.
   */
  private static final class UntilRefilled<K> implements Expiry<K, Entry> {
    private final long idleNanos;
    private final Ticker ticker;

    UntilRefilled(long idleNanos, Ticker ticker) {
      this.idleNanos = idleNanos;
      this.ticker = ticker;
    }

    private long keep(Entry entry) {
      return keep(entry.limiter, idleNanos, ticker);
    }

    static long keep(RateLimiter limiter, long idleNanos, Ticker ticker) {
      long now = ticker.read();
      long capacity = limiter.capacity();
      long untilFull = Math.max(0, limiter.waitNanos(capacity, now));
      long refill = fullRefillNanos(limiter, now);
      return Math.max(idleNanos, saturatedAdd(untilFull, refill));
    }

    @Override
    public long expireAfterCreate(K key, Entry value, long currentTime) {
      return keep(value);
    }

    @Override
    public long expireAfterUpdate(K key, Entry value, long currentTime, long currentDuration) {
      return keep(value);
    }

    @Override
    public long expireAfterRead(K key, Entry entry, long currentTime, long currentDuration) {
      // Reads are the hot path: keep the current expiry (no timer-wheel move) while it is still
      // far enough. A full limiter may expire while in use; it comes back full, the same state.
      RateLimiter value = entry.limiter;
      long untilFull = Math.max(0, value.waitNanos(value.capacity(), currentTime));
      if (currentDuration - untilFull >= fullRefillNanos(value, currentTime)) {
        return currentDuration;
      }
      return keep(entry);
    }
  }

  /** The longest one charge can add to a limiter's time until full: its whole capacity's worth. */
  static long fullRefillNanos(RateLimiter limiter, long now) {
    if (limiter instanceof Throttle t) {
      return t.refillNanos();
    }
    if (limiter instanceof SlidingWindowLog l) {
      return l.window().toNanos();
    }
    if (limiter instanceof AllOf a) {
      return a.refillNanos();
    }
    return Math.max(0, limiter.waitNanos(limiter.capacity(), now));
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * Builds a {@link PerKey}. Each option may be set once. The shared options ({@link
   * ComponentBuilder}) default to a unique name such as {@code "per-key-1"}, {@link Ticker#system()} and the
   * default event registry; with {@link #rate}, each key's throttle gets the same three. Not
   * thread-safe; the built limiter is.
   *
   * @param <K> the key type
   */
  public static final class Builder<K> extends LimiterBuilder<Builder<K>> {
    private long permits;
    private Duration period;
    private long burst = -1;
    private Function<? super K, ? extends RateLimiter> factory;
    private long maximumKeys = -1;
    private long idleNanos = -1;

    private Builder() {}

    /**
     * Each key gets a {@link Throttle} of {@code permits} per {@code period}.
     *
     * @throws IllegalArgumentException if either is not positive
     * @throws IllegalStateException if a rate or factory was already set
     */
    public Builder<K> rate(long permits, Duration period) {
      Args.requireUnset(this.period != null || factory != null, "rate");
      Args.requirePositiveNanos(period, "period");
      this.permits = Args.requirePositive(permits, "permits");
      this.period = period;
      return this;
    }

    /**
     * The burst of each key's throttle; defaults to the permits per period.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> burst(long burst) {
      Args.requireUnset(this.burst >= 0, "burst");
      Args.requireAtLeastOne(burst, "burst");
      this.burst = burst;
      return this;
    }

    /**
     * Creates each key's limiter instead of a rate: any {@link RateLimiter} (to take part in a
     * {@link Layered} scope, a {@code Throttle}, {@code SlidingWindowLog} or {@code AllOf}).
     * Give the created limiters the same name and ticker as this builder.
     *
     * @throws IllegalStateException if a rate or factory was already set
     */
    public Builder<K> limiter(Function<? super K, ? extends RateLimiter> factory) {
      Args.requireUnset(this.period != null || this.factory != null, "limiter");
      this.factory = Args.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * The hard cap on live keys; defaults to {@link #DEFAULT_MAXIMUM_KEYS}.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> maximumKeys(long maximumKeys) {
      Args.requireUnset(this.maximumKeys >= 0, "maximumKeys");
      this.maximumKeys = Args.requirePositive(maximumKeys, "maximumKeys");
      return this;
    }

    /**
     * How long a key is kept after its last use at least; it is kept longer while its limiter is
     * not yet refilled. Defaults to {@link #DEFAULT_IDLE_TIMEOUT}.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder<K> idleTimeout(Duration idleTimeout) {
      Args.requireUnset(this.idleNanos >= 0, "idleTimeout");
      this.idleNanos = Args.requireNonNegativeNanos(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * Builds the per-key limiter.
     *
     * @throws IllegalStateException if neither a rate nor a factory was set
     * @throws IllegalArgumentException if the rate is invalid for a {@link Throttle}
     */
    public PerKey<K> build() {
      if (period == null && factory == null) {
        throw new IllegalStateException("rate or limiter must be set");
      }
      if (maximumKeys < 0) {
        maximumKeys = DEFAULT_MAXIMUM_KEYS;
      }
      if (idleNanos < 0) {
        idleNanos = Args.saturatedNanos(DEFAULT_IDLE_TIMEOUT);
      }
      Function<? super K, ? extends RateLimiter> f = factory;
      if (f == null) {
        String n = nameOr("per-key");
        Ticker t = tickerOr(Ticker.system());
        EventRegistry e = eventsOrDefault();
        long p = permits;
        Duration d = period;
        long b = burst >= 0 ? burst : permits;
        f = key -> Throttle.builder().rate(p, d).burst(b).name(n).ticker(t).events(e).build();
        // Validates the rate now, once, and answers queries about keys never seen (a new key's
        // throttle starts full and is never charged through this instance).
        return new PerKey<>(this, f, f.apply(null));
      } else if (burst >= 0) {
        throw new IllegalStateException("burst applies to a rate, not to a limiter factory");
      }
      return new PerKey<>(this, f, null);
    }
  }
}
