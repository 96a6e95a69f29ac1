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
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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
 * a key that still owes is never forgotten by default (see below). Asking about a key ({@link
 * #availablePermits}, {@link #waitTime}) creates no state, and neither does a cost that the key's
 * limiter could never grant.
 *
 * <h2>Bound under churn</h2>
 *
 * By default a key evicted (to respect the cap) while its limiter still owes is set aside, with
 * its limiter, in a side table of evicted debtors, and the same limiter comes back when the key
 * returns, with the refill it earned meanwhile. The side table holds up to {@code maximumKeys}
 * debtors (a few more only while callers race to admit new keys); debtors that have refilled are
 * dropped from it whenever it is full. While the cache is full and the side table is full of
 * debtors that still owe, new keys are refused: {@code tryAcquire} answers {@code false}, {@code
 * acquire} throws {@link TooManyKeysException}, counted in {@link #refusedKeys()}. So every key
 * keeps its own limiter's bound (for a token bucket, at most {@code burst + rate·t} in any
 * interval {@code t}) however many keys churn, and memory stays bounded by twice the cap. The
 * only debt that can still be lost is a charge landing on a limiter in the very instant it is
 * evicted as full; it is counted ({@link #indebtedEvictions()}) and published as a {@link
 * PerKeyEvent.IndebtedEviction}, never silent.
 *
 * <p>{@link Builder#forgiveEvictedDebt()} chooses availability instead: new keys are always
 * admitted and an evicted key's debt is forgotten (counted and published). Then, with a working
 * set larger than the cap, a key evicted while in debt returns with a full limiter and can be
 * granted far more than its bound.
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
  private final long maximumKeys;
  /** Evicted keys whose limiters still owe; null when debts are forgiven. See the class doc. */
  private final ConcurrentHashMap<K, Entry> debtors;
  /** Ticker time before which a full side table is not scanned again for refilled debtors. */
  private volatile long nextPurge;
  private final LongAdder indebtedEvictions = new LongAdder();
  private final LongAdder refusedKeys = new LongAdder();
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
    this.maximumKeys = b.maximumKeys;
    this.debtors = b.forgive ? null : new ConcurrentHashMap<>();
    this.nextPurge = ticker.read();
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
                    // Atomically with the removal (Caffeine runs this inside it), so the key's
                    // next admission finds the debtor. `saved` before `evicted`: a charge that
                    // sees `evicted` also sees whether its debt was kept.
                    boolean owes = owes(entry.limiter);
                    if (owes && debtors != null) {
                      entry.saved = true;
                      debtors.put(key, entry);
                    }
                    entry.evicted = true;
                    if (owes && debtors == null) {
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

  /**
   * Takes {@code cost} for {@code key} if free now; never waits, never throws a rejection. A new
   * key is not created for a cost its limiter could never grant, and answers {@code false} while
   * new keys are refused (see the class doc).
   */
  public boolean tryAcquire(K key, long cost) {
    Entry e = entry(key, cost);
    if (e == null) {
      return false; // a new key, refused: see the class doc
    }
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
   * @throws TooManyKeysException at once if the key is new and new keys are refused (see the
   *     class doc)
   * @throws InterruptedException if interrupted while waiting
   */
  public void acquire(K key, long cost) throws InterruptedException {
    acquire(key, cost, Long.MAX_VALUE, true);
  }

  /**
   * Takes {@code cost} for {@code key} asynchronously; see {@link RateLimiter#acquireAsync}. The
   * stage fails with {@link TooManyKeysException} if a new key is refused.
   */
  public CompletionStage<Void> acquireAsync(K key, long cost) {
    Entry e = entry(key, cost);
    if (e == null) {
      return CompletableFuture.failedStage(refused(key));
    }
    CompletionStage<Void> stage = e.limiter.acquireAsync(cost);
    afterBooking(key, e);
    return stage;
  }

  /** Takes {@code cost} for {@code key} asynchronously within {@code maxWait}. */
  public CompletionStage<Void> acquireAsync(K key, long cost, Duration maxWait) {
    Entry e = entry(key, cost);
    if (e == null) {
      return CompletableFuture.failedStage(refused(key));
    }
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
    if (e == null && debtors != null) {
      e = debtors.get(key);
    }
    if (e != null) {
      return e.limiter;
    }
    return unseen != null ? unseen : created(key);
  }

  private boolean acquire(K key, long cost, long maxWaitNanos, boolean failIfNever)
      throws InterruptedException {
    Entry e = entry(key, cost);
    if (e == null) {
      if (!failIfNever) {
        return false;
      }
      throw refused(key);
    }
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

  /**
   * Counts a charge that landed on a limiter already dropped from the cache (not set aside as a
   * debtor): its debt is lost.
   */
  void checkAttached(K key, Entry e) {
    if (e.evicted && !e.saved) {
      lost(key, e);
      publishPending();
    }
  }

  /**
   * The entry to charge {@code cost} to: the key's own if held; for a key not held, one created
   * (or brought back from the debtors) only if {@code cost} fits its limiter, otherwise a detached
   * one whose limiter refuses the cost without the cache being touched (admitting the key could
   * evict another that still owes). Null if a new key is refused (see the class doc).
   */
  Entry entry(K key, long cost) {
    Entry e = held(key);
    if (e != null) {
      return e;
    }
    Entry p = prospective(key);
    return cost > p.limiter.capacity() ? p : attach(key, p);
  }

  /** The key's entry if held (a use: it counts for eviction and expiry), else null. */
  Entry held(K key) {
    Entry e = limiters.getIfPresent(Args.requireNonNull(key, "key"));
    if (!pendingEvents.isEmpty()) {
      publishPending(); // evictions this call triggered, now that the cache's locks are released
    }
    return e;
  }

  /**
   * The entry {@code key} would get, not yet in the cache: its debtor if it owes, else a new
   * limiter. Charge it only after {@link #attach}; until then it only answers for capacity.
   */
  Entry prospective(K key) {
    Entry saved = debtors == null ? null : debtors.get(key);
    return saved != null ? saved : new Entry(created(key));
  }

  /**
   * Puts {@code key} in the cache with the {@code prospective} entry (or the debtor it stands
   * for), unless another caller put it there first; null if a new key is refused.
   */
  Entry attach(K key, Entry prospective) {
    if (!prospective.saved && !roomForNewKey()) {
      refusedKeys.increment();
      return null;
    }
    Entry e =
        limiters.get(
            key,
            k -> {
              Entry saved = debtors == null ? null : debtors.remove(k);
              Entry base = saved != null ? saved : prospective;
              return base.saved ? base.revived() : base;
            });
    if (!pendingEvents.isEmpty()) {
      publishPending();
    }
    return e;
  }

  /**
   * Whether a new key may enter: always while debts are forgiven or the cache has room; else only
   * if the side table of debtors has room, after dropping the debtors that have refilled (a scan
   * made at most once per earliest refill, so a refused flood costs one read and a compare).
   */
  private boolean roomForNewKey() {
    if (debtors == null || debtors.size() < maximumKeys || limiters.estimatedSize() < maximumKeys) {
      return true;
    }
    long now = ticker.read();
    if (now - nextPurge < 0) {
      return false;
    }
    long soonest = Long.MAX_VALUE;
    for (Iterator<Entry> it = debtors.values().iterator(); it.hasNext(); ) {
      RateLimiter l = it.next().limiter;
      long untilFull = l.waitNanos(l.capacity(), now);
      if (untilFull <= 0) {
        it.remove();
      } else {
        soonest = Math.min(soonest, untilFull);
      }
    }
    nextPurge = now + (soonest == Long.MAX_VALUE ? 0 : soonest);
    return debtors.size() < maximumKeys;
  }

  /** What {@code key}'s limiter could grant at most in one request; creates no state. */
  long capacity(K key) {
    return quietly(key).capacity();
  }

  TooManyKeysException refused(K key) {
    long wait = nextPurge - ticker.read();
    return new TooManyKeysException(
        name, String.valueOf(key), maximumKeys, wait > 0 ? Duration.ofNanos(wait) : null);
  }

  /**
   * The new limiter for {@code key}, checked: the factory must return one, on this per-key
   * limiter's ticker (a limiter on another clock would refill, and be expired, by different time).
   */
  private RateLimiter created(K key) {
    RateLimiter l = factory.apply(key);
    if (l == null) {
      throw new NullPointerException(
          "limiter factory of " + name + " returned null for key " + key);
    }
    if (l.ticker() != ticker) {
      throw new IllegalArgumentException(
          "limiter factory of " + name + " created " + l.name() + " for key " + key
              + " on ticker " + l.ticker() + ", but " + name + " uses ticker " + ticker
              + "; create the limiters on the per-key limiter's ticker");
    }
    return l;
  }

  /**
   * The limiter for {@code key}, created on first use.
   *
   * @throws TooManyKeysException if the key is new and refused (see the class doc)
   */
  public RateLimiter limiter(K key) {
    Entry e = entry(key, 0);
    if (e == null) {
      throw refused(key);
    }
    return e.limiter;
  }

  /** The time source of this limiter and of every key's limiter. */
  Ticker ticker() {
    return ticker;
  }

  /** New keys refused so far because evicted keys still owed (see the class doc). */
  public long refusedKeys() {
    return refusedKeys.sum();
  }

  /** Evicted keys set aside right now because their limiters still owe (approximate). */
  public long evictedDebtors() {
    return debtors == null ? 0 : debtors.size();
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
    /** Set aside as a debtor when evicted: charges landing on it are kept, not lost. */
    volatile boolean saved;
    final AtomicBoolean counted = new AtomicBoolean();
    // The limiter's parts for atomic composition (Layered), found once; null until then.
    volatile Part[] parts;

    Entry(RateLimiter limiter) {
      this.limiter = limiter;
    }

    /** A debtor back in the cache: the same limiter (its debt and refill), a fresh entry. */
    Entry revived() {
      Entry e = new Entry(limiter);
      e.parts = parts;
      return e;
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
    /**
     * The least a read moves an expiry later. Caffeine ignores a read that would move an expiry
     * later by a second or less (sparing its timer wheel on hot reads), so an extension that the
     * key's debt needs must go further than that, or the key could expire before its limiter has
     * refilled.
     */
    private static final long READ_EXTENSION_NANOS = TimeUnit.SECONDS.toNanos(1) + 1;

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
      return Math.max(keep(entry), saturatedAdd(currentDuration, READ_EXTENSION_NANOS));
    }
  }

  /**
   * Whether dropping {@code limiter} would forgive something: it could not grant its whole
   * capacity now. An {@link AllOf} is asked part by part, since its capacity is its smallest
   * part's, reached again while a larger part still owes.
   */
  static boolean owes(RateLimiter limiter) {
    if (limiter instanceof AllOf a) {
      return !a.full();
    }
    return limiter.availablePermits() < limiter.capacity();
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
    private boolean forgive;

    private Builder() {}

    /**
     * Chooses availability over the bound: new keys are always admitted, and a key evicted while
     * its limiter still owes is forgotten (counted and published), so it returns with a full
     * limiter. The default keeps such debts and refuses new keys while too many are owed; see
     * the class doc.
     *
     * @throws IllegalStateException if already chosen
     */
    public Builder<K> forgiveEvictedDebt() {
      Args.requireUnset(forgive, "forgiveEvictedDebt");
      this.forgive = true;
      return this;
    }

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
     * Give the created limiters the same name and ticker as this builder: a key whose limiter
     * the factory returns null for fails with a {@link NullPointerException}, and one on another
     * ticker with an {@link IllegalArgumentException}, both naming the factory and the key.
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
