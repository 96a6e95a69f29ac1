package io.throttlenet.bucket;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.bucket.internal.Waits;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Stacked scopes that must all clear: an overall ceiling, a per-tenant share and a per-endpoint
 * cap, for example.
 *
 * <pre>{@code
 * Layered<String> layered = Layered.<String>builder()
 *     .global(Throttle.perSecond(1000))
 *     .perKey(PerKey.perSecond(100))
 *     .perEndpoint(PerKey.perSecond(50))
 *     .build();
 * layered.acquire("tenant-42", "/v1/chat");
 * }</pre>
 *
 * <p>Atomic like {@link AllOf}: a request is admitted only at an instant when every scope can
 * afford it and then charges all of them at that instant; a request refused by the endpoint scope
 * does not charge the global or the tenant scope, and nothing is booked while a caller waits.
 * Scopes left out are not checked; at least one is required. A cost is checked against every
 * scope's capacity before a new key or endpoint is admitted to its {@link PerKey}, so a request
 * that can never be granted evicts nobody. A new key or endpoint that its {@link PerKey} refuses
 * fails the call with that scope's {@link TooManyKeysException} naming it ({@code tryAcquire}
 * answers {@code false} and publishes a refusal naming the scope and the key). A predicted wait
 * longer than about 18 years fails at once, as for {@link AllOf}. Thread-safe.
 *
 * @param <K> the type of tenant keys and endpoints
 */
public final class Layered<K> {
  private final String name;
  private final Ticker ticker;
  private final Part[] global;
  private final PerKey<K> perKey;
  private final PerKey<K> perEndpoint;
  private final CompositeEvents events;

  private Layered(Builder<K> b, Ticker ticker) {
    this.name = b.resolvedName("layered");
    this.ticker = ticker;
    this.global = b.global == null ? new Part[0] : Parts.of(b.global);
    this.perKey = b.perKey;
    this.perEndpoint = b.perEndpoint;
    EventRegistry events = b.resolvedEvents();
    this.events = new CompositeEvents(name, events);
  }

  /** A builder; set at least one scope. */
  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /** This limiter's name, used in events and errors. */
  public String name() {
    return name;
  }

  /** Whether this limiter has a per-endpoint scope (then every verb needs an endpoint). */
  public boolean hasEndpointScope() {
    return perEndpoint != null;
  }

  // ---- tenant-only verbs, for a Layered without a per-endpoint scope ----

  /**
   * Takes one permit for tenant {@code key} if every scope has it now; never waits. (With a cost,
   * use {@link #tryAcquire(Object, Object, long)} with a null endpoint: a {@code (key, cost)}
   * overload would silently change meaning for a {@code Layered<Integer>}.)
   *
   * @throws IllegalStateException if this limiter has a per-endpoint scope
   */
  public boolean tryAcquire(K key) {
    return tryAcquire(key, tenantOnly(), 1);
  }

  /**
   * Takes one permit for tenant {@code key}, waiting as long as needed.
   *
   * @throws IllegalStateException if this limiter has a per-endpoint scope
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public void acquire(K key) throws InterruptedException {
    acquire(key, tenantOnly(), 1);
  }

  /**
   * Takes {@code cost} for tenant {@code key} asynchronously, holding no thread.
   *
   * @throws IllegalStateException if this limiter has a per-endpoint scope
   */
  public CompletionStage<Void> acquireAsync(K key, long cost) {
    return acquireAsync(key, tenantOnly(), cost);
  }

  /** The endpoint of a tenant-only call: none, which only a limiter without that scope accepts. */
  private K tenantOnly() {
    if (perEndpoint != null) {
      throw new IllegalStateException(name + " has a per-endpoint scope: name the endpoint");
    }
    return null;
  }

  // ---- tenant and endpoint ----

  /** Takes one permit for {@code key} on {@code endpoint} if every scope has it now. */
  public boolean tryAcquire(K key, K endpoint) {
    return tryAcquire(key, endpoint, 1);
  }

  /**
   * Takes {@code cost} for {@code key} on {@code endpoint} if every scope has it now; never waits.
   * Allocates nothing once the key's and the endpoint's limiters exist: the scopes' parts are
   * merged into a per-thread scratch array, cleared before any event is published.
   */
  public boolean tryAcquire(K key, K endpoint, long cost) {
    Args.requireNonNegative(cost, "cost");
    PerKey.Entry keyEntry = perKey == null ? null : perKey.held(Args.requireNonNull(key, "key"));
    PerKey.Entry endpointEntry =
        perEndpoint == null ? null : perEndpoint.held(Args.requireNonNull(endpoint, "endpoint"));
    if (perKey != null && keyEntry == null || perEndpoint != null && endpointEntry == null) {
      Admission a = admit(key, endpoint, keyEntry, endpointEntry, cost);
      if (a.refusing != NONE) { // a refused new key, named with its scope
        Object refused = a.refusing == KEY ? key : endpoint;
        events.rejected(cost, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, -1, SCOPES[a.refusing], refused);
        return false;
      }
      keyEntry = a.keyEntry;
      endpointEntry = a.endpointEntry;
    }
    Part[] parts = SCRATCH.get();
    int n = global.length + partsOf(perKey, keyEntry).length + partsOf(perEndpoint, endpointEntry).length;
    if (parts.length < n) {
      parts = new Part[Math.max(n, parts.length * 2)];
      SCRATCH.set(parts);
    }
    n = merge(parts, keyEntry, endpointEntry);
    long capacity = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      capacity = Math.min(capacity, parts[i].capacity());
    }
    long wait = capacity < cost ? RateLimiter.NEVER : Atomic.tryCharge(parts, n, cost, ticker.read());
    Arrays.fill(parts, 0, n, null); // keep no limiter alive, and free the scratch for listeners
    if (wait == 0) {
      checkAttached(key, keyEntry, endpoint, endpointEntry);
      events.acquired(cost, 0);
      return true;
    }
    if (events.hasRejectionListeners()) {
      rejectedBy(key, keyEntry, endpoint, endpointEntry, cost, wait, LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    }
    return false;
  }

  /**
   * Publishes a refusal naming the scope that refused: the first whose capacity is below the
   * cost, else the one that would make the caller wait longest. Only when somebody listens.
   */
  private void rejectedBy(
      K key, PerKey.Entry keyEntry, K endpoint, PerKey.Entry endpointEntry, long cost, long wait, LimiterEvent.Reason reason) {
    Part[][] scopes = {global, partsOf(perKey, keyEntry), partsOf(perEndpoint, endpointEntry)};
    Object[] keys = {null, key, endpoint};
    long now = ticker.read();
    int refusing = -1;
    long longest = -1;
    for (int i = 0; i < scopes.length; i++) {
      if (scopes[i].length == 0) {
        continue;
      }
      if (capacityOf(scopes[i]) < cost) {
        events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1, SCOPES[i], keys[i]);
        return;
      }
      long w = Atomic.peek(scopes[i], null, cost, now);
      if (w > longest) {
        longest = w;
        refusing = i;
      }
    }
    if (refusing < 0) {
      events.rejected(cost, reason, wait);
    } else {
      events.rejected(cost, reason, wait == RateLimiter.NEVER ? -1 : wait, SCOPES[refusing], keys[refusing]);
    }
  }

  /** The scopes' names in events, indexed by {@link #KEY} and {@link #ENDPOINT} (0 is global). */
  private static final String[] SCOPES = {"global", "key", "endpoint"};

  private static final int NONE = -1;
  private static final int KEY = 1;
  private static final int ENDPOINT = 2;

  private static final Part[] NO_PARTS = new Part[0];
  private static final ThreadLocal<Part[]> SCRATCH = ThreadLocal.withInitial(() -> new Part[8]);

  /** Merges the global parts and the entries' parts into {@code all}, sorted and distinct. */
  private int merge(Part[] all, PerKey.Entry keyEntry, PerKey.Entry endpointEntry) {
    int i = 0;
    for (Part p : global) {
      i = insert(all, i, p);
    }
    for (Part p : partsOf(perKey, keyEntry)) {
      i = insert(all, i, p);
    }
    for (Part p : partsOf(perEndpoint, endpointEntry)) {
      i = insert(all, i, p);
    }
    return i;
  }

  /**
   * The entries of scopes that do not hold their key yet: the cost is checked against every
   * scope's capacity first, and only if it fits are the missing keys admitted (admitting a key may
   * evict another; doing it for a cost that can never be granted would be all harm). If it does
   * not fit, detached entries answer for the capacity, and the caller refuses without charging.
   * If a scope refuses a new key (see {@link PerKey}), the admission names that scope.
   */
  private Admission admit(K key, K endpoint, PerKey.Entry k, PerKey.Entry e, long cost) {
    PerKey.Entry pk = k != null || perKey == null ? k : perKey.prospective(key);
    PerKey.Entry pe = e != null || perEndpoint == null ? e : perEndpoint.prospective(endpoint);
    long capacity = capacityOf(global);
    if (pk != null) {
      capacity = Math.min(capacity, pk.limiter.capacity());
    }
    if (pe != null) {
      capacity = Math.min(capacity, pe.limiter.capacity());
    }
    if (cost <= capacity) {
      if (k == null && pk != null && (pk = perKey.attach(key, pk)) == null) {
        return new Admission(null, null, KEY);
      }
      if (e == null && pe != null && (pe = perEndpoint.attach(endpoint, pe)) == null) {
        return new Admission(null, null, ENDPOINT);
      }
    }
    return new Admission(pk, pe, NONE);
  }

  /** What {@link #admit} decided: the entries to charge, or the scope that refused a new key. */
  private static final class Admission {
    final PerKey.Entry keyEntry;
    final PerKey.Entry endpointEntry;
    /** {@link #KEY} or {@link #ENDPOINT} if that scope refused its new key, else {@link #NONE}. */
    final int refusing;

    Admission(PerKey.Entry keyEntry, PerKey.Entry endpointEntry, int refusing) {
      this.keyEntry = keyEntry;
      this.endpointEntry = endpointEntry;
      this.refusing = refusing;
    }
  }

  /** Notices per-key limiters evicted while they were being charged (see {@link PerKey}). */
  private void checkAttached(K key, PerKey.Entry keyEntry, K endpoint, PerKey.Entry endpointEntry) {
    if (keyEntry != null) {
      perKey.checkAttached(key, keyEntry);
    }
    if (endpointEntry != null) {
      perEndpoint.checkAttached(endpoint, endpointEntry);
    }
  }

  /**
   * Takes one permit for {@code key} on {@code endpoint}, waiting as long as needed.
   *
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public void acquire(K key, K endpoint) throws InterruptedException {
    acquire(key, endpoint, 1);
  }

  /**
   * Takes {@code cost} for {@code key} on {@code endpoint}, waiting as long as needed.
   *
   * @throws CostExceedsCapacityException at once if a scope can never grant the cost
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public void acquire(K key, K endpoint, long cost) throws InterruptedException {
    Args.requireNonNegative(cost, "cost");
    Scopes scopes = new Scopes(key, endpoint, cost);
    Part[] parts = scopes.parts;
    failIfNever(parts, cost);
    await(key, endpoint, scopes, cost, Long.MAX_VALUE, true);
  }

  /**
   * Takes {@code cost} for {@code key} on {@code endpoint}, waiting at most {@code maxWait}.
   *
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public boolean tryAcquire(K key, K endpoint, long cost, Duration maxWait) throws InterruptedException {
    long maxWaitNanos = Args.requireNonNegativeNanos(maxWait, "maxWait");
    Args.requireNonNegative(cost, "cost");
    Scopes scopes = new Scopes(key, endpoint, cost);
    Part[] parts = scopes.parts;
    if (capacityOf(parts) < cost) {
      rejectedBy(key, scopes.keyEntry, endpoint, scopes.endpointEntry, cost, RateLimiter.NEVER, LimiterEvent.Reason.CAPACITY_EXCEEDED);
      return false;
    }
    return await(key, endpoint, scopes, cost, maxWaitNanos, false);
  }

  private boolean await(K key, K endpoint, Scopes scopes, long cost, long maxWaitNanos, boolean orThrow)
      throws InterruptedException {
    long now = ticker.read();
    long wait = Atomic.tryCharge(scopes.parts, null, cost, now);
    if (wait == 0) {
      scopes.checkAttached(key, endpoint);
      events.acquired(cost, 0);
      return true;
    }
    Attempt attempt = new Attempt(key, endpoint, cost);
    if (orThrow) {
      Waits.awaitOrThrow(ticker, attempt, now, wait, maxWaitNanos);
      return true;
    }
    return Waits.await(ticker, attempt, now, wait, maxWaitNanos);
  }

  /** Takes {@code cost} for {@code key} on {@code endpoint} asynchronously, holding no thread. */
  public CompletionStage<Void> acquireAsync(K key, K endpoint, long cost) {
    return acquireAsync(key, endpoint, cost, Long.MAX_VALUE);
  }

  /**
   * Takes {@code cost} for {@code key} on {@code endpoint} asynchronously if it can be granted
   * within {@code maxWait}; otherwise the stage fails with a {@link
   * io.throttlenet.core.MaxWaitExceededException} (or {@link CostExceedsCapacityException}) and
   * nothing is charged.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  public CompletionStage<Void> acquireAsync(K key, K endpoint, long cost, Duration maxWait) {
    return acquireAsync(key, endpoint, cost, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  private CompletionStage<Void> acquireAsync(K key, K endpoint, long cost, long maxWaitNanos) {
    Args.requireNonNegative(cost, "cost");
    Scopes scopes;
    try {
      scopes = new Scopes(key, endpoint, cost); // a refused new key fails the stage, as documented
      failIfNever(scopes.parts, cost);
    } catch (RejectedException e) {
      return CompletableFuture.failedStage(e);
    }
    Part[] parts = scopes.parts;
    long now = ticker.read();
    long wait = Atomic.tryCharge(parts, null, cost, now);
    if (wait == 0) {
      scopes.checkAttached(key, endpoint);
      events.acquired(cost, 0);
      return Stages.DONE;
    }
    return Waits.async(ticker, new Attempt(key, endpoint, cost), now, wait, maxWaitNanos);
  }

  /** What every scope could grant {@code key} on {@code endpoint} right now; creates no state. */
  public long availablePermits(K key, K endpoint) {
    long min = global.length == 0 ? Long.MAX_VALUE : Atomic.minAvailable(global, ticker.read());
    if (perKey != null) {
      min = Math.min(min, perKey.availablePermits(Args.requireNonNull(key, "key")));
    }
    if (perEndpoint != null) {
      min = Math.min(min, perEndpoint.availablePermits(Args.requireNonNull(endpoint, "endpoint")));
    }
    return min;
  }

  /** The smallest capacity of the scopes for {@code key} on {@code endpoint}; creates no state. */
  public long capacity(K key, K endpoint) {
    long min = capacityOf(global);
    if (perKey != null) {
      min = Math.min(min, perKey.capacity(Args.requireNonNull(key, "key")));
    }
    if (perEndpoint != null) {
      min = Math.min(min, perEndpoint.capacity(Args.requireNonNull(endpoint, "endpoint")));
    }
    return min;
  }

  /** The limiters a call charges: the global parts and, per scope, the key's current limiter. */
  private final class Scopes {
    final Part[] parts;
    final PerKey.Entry keyEntry;
    final PerKey.Entry endpointEntry;

    Scopes(K key, K endpoint, long cost) {
      PerKey.Entry ke = perKey == null ? null : perKey.held(Args.requireNonNull(key, "key"));
      PerKey.Entry ee =
          perEndpoint == null ? null : perEndpoint.held(Args.requireNonNull(endpoint, "endpoint"));
      if (perKey != null && ke == null || perEndpoint != null && ee == null) {
        Admission a = admit(key, endpoint, ke, ee, cost);
        if (a.refusing != NONE) {
          throw a.refusing == KEY ? perKey.refused(key) : perEndpoint.refused(endpoint);
        }
        ke = a.keyEntry;
        ee = a.endpointEntry;
      }
      keyEntry = ke;
      endpointEntry = ee;
      Part[] k = keyEntry == null ? null : partsOf(perKey, keyEntry);
      Part[] e = endpointEntry == null ? null : partsOf(perEndpoint, endpointEntry);
      int n = global.length + (k == null ? 0 : k.length) + (e == null ? 0 : e.length);
      Part[] all = new Part[n];
      int i = 0;
      for (Part p : global) {
        i = insert(all, i, p);
      }
      if (k != null) {
        for (Part p : k) {
          i = insert(all, i, p);
        }
      }
      if (e != null) {
        for (Part p : e) {
          i = insert(all, i, p);
        }
      }
      parts = i == n ? all : Arrays.copyOf(all, i);
    }

    /** Notices per-key limiters evicted while they were being charged (see {@link PerKey}). */
    void checkAttached(K key, K endpoint) {
      if (keyEntry != null) {
        perKey.checkAttached(key, keyEntry);
      }
      if (endpointEntry != null) {
        perEndpoint.checkAttached(endpoint, endpointEntry);
      }
    }
  }

  /**
   * A waiting caller's attempts; the scopes are looked up again each time, so a per-key limiter
   * dropped from its cache while the caller slept is never charged.
   */
  private final class Attempt implements Waits.Attempt {
    private final K key;
    private final K endpoint;
    private final long cost;
    private Part[] charged;
    private long[] handles;

    Attempt(K key, K endpoint, long cost) {
      this.key = key;
      this.endpoint = endpoint;
      this.cost = cost;
    }

    @Override
    public long tryAt(long now) {
      Scopes scopes = new Scopes(key, endpoint, cost);
      Part[] parts = scopes.parts;
      long[] h = new long[parts.length];
      long wait = Atomic.tryCharge(parts, null, cost, now, h);
      if (wait == 0) {
        charged = parts;
        handles = h;
        scopes.checkAttached(key, endpoint);
      }
      return wait;
    }

    @Override
    public long peek(long now) {
      return Atomic.peek(new Scopes(key, endpoint, cost).parts, null, cost, now);
    }

    @Override
    public void undo(long at) {
      long[] costs = new long[charged.length];
      Arrays.fill(costs, cost);
      Atomic.refund(charged, costs, handles, at, ticker.read()); // only what the charge still weighs
    }

    @Override
    public void granted(long waitedNanos) {
      events.acquired(cost, waitedNanos);
    }

    @Override
    public RuntimeException gaveUp(long waitNanos, long maxWaitNanos) {
      if (events.hasRejectionListeners()) {
        Scopes scopes;
        try {
          scopes = new Scopes(key, endpoint, cost);
        } catch (RejectedException refusedKey) { // gaveUp answers, never throws: no scope to name
          scopes = null;
          events.rejected(cost, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, waitNanos);
        }
        if (scopes != null) {
          rejectedBy(key, scopes.keyEntry, endpoint, scopes.endpointEntry, cost, waitNanos, LimiterEvent.Reason.MAX_WAIT_EXCEEDED);
        }
      }
      return new MaxWaitExceededException(
          name, cost, Duration.ofNanos(waitNanos), Duration.ofNanos(maxWaitNanos));
    }
  }

  /** The parts of a scope's entry (none without the scope), found once per entry. */
  private static <K> Part[] partsOf(PerKey<K> scope, PerKey.Entry entry) {
    if (entry == null) {
      return NO_PARTS;
    }
    Part[] parts = entry.parts;
    if (parts == null) {
      parts = Parts.of(entry.limiter);
      if (parts == null) {
        throw new IllegalStateException(
            scope.name() + " created a limiter that cannot be composed atomically: " + entry.limiter
                + "; a Layered scope needs Throttle, SlidingWindowLog or AllOf limiters");
      }
      entry.parts = parts;
    }
    return parts;
  }

  /** Insertion into the sorted prefix {@code all[0..size)}, skipping a part already present. */
  private static int insert(Part[] all, int size, Part p) {
    int j = size;
    while (j > 0 && all[j - 1].id() > p.id()) {
      j--;
    }
    if (j > 0 && all[j - 1] == p) {
      return size;
    }
    System.arraycopy(all, j, all, j + 1, size - j);
    all[j] = p;
    return size + 1;
  }

  private static long capacityOf(Part[] parts) {
    long min = Long.MAX_VALUE;
    for (Part p : parts) {
      min = Math.min(min, p.capacity());
    }
    return min;
  }

  private void failIfNever(Part[] parts, long cost) {
    for (Part p : parts) {
      if (cost > p.capacity()) {
        events.rejected(cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, -1);
        throw new CostExceedsCapacityException(p.name(), cost, p.capacity());
      }
    }
  }

  @Override
  public String toString() {
    return "Layered[" + name + "]";
  }

  /**
   * Builds a {@link Layered}. Each scope and option may be set once. The shared options ({@link
   * ComponentBuilder}) default to a unique name such as {@code "layered-1"}, the global scope's ticker (else
   * {@link Ticker#system()}) and the default event registry. Not thread-safe.
   *
   * @param <K> the type of keys and endpoints
   */
  public static final class Builder<K> extends LimiterBuilder<Builder<K>> {
    private RateLimiter global;
    private PerKey<K> perKey;
    private PerKey<K> perEndpoint;

    private Builder() {}

    /**
     * The overall ceiling, shared by every key and endpoint.
     *
     * @throws IllegalArgumentException if the limiter cannot take part in atomic composition
     */
    public Builder<K> global(RateLimiter global) {
      Args.requireUnset(this.global != null, "global");
      Args.requireNonNull(global, "global");
      if (Parts.of(global) == null) {
        throw new IllegalArgumentException(
            "global must be a Throttle, a SlidingWindowLog or an AllOf, was " + global);
      }
      this.global = global;
      return this;
    }

    /** The budget of each key (tenant). */
    public Builder<K> perKey(PerKey<K> perKey) {
      Args.requireUnset(this.perKey != null, "perKey");
      this.perKey = Args.requireNonNull(perKey, "perKey");
      return this;
    }

    /** The budget of each endpoint, shared by all keys calling it. */
    public Builder<K> perEndpoint(PerKey<K> perEndpoint) {
      Args.requireUnset(this.perEndpoint != null, "perEndpoint");
      this.perEndpoint = Args.requireNonNull(perEndpoint, "perEndpoint");
      return this;
    }

    /**
     * Builds the layered limiter. Unless a ticker is set, it uses the first scope's (global, per
     * key, per endpoint).
     *
     * @throws IllegalStateException if no scope was set: a layered limiter with no scope would
     *     admit everything
     * @throws IllegalArgumentException if a scope uses another ticker than the layered limiter
     *     (the scopes would be charged at one time and refill by another)
     */
    public Layered<K> build() {
      if (global == null && perKey == null && perEndpoint == null) {
        throw new IllegalStateException(
            "at least one scope must be set (global, perKey or perEndpoint)");
      }
      Ticker first =
          global != null ? global.ticker() : perKey != null ? perKey.ticker() : perEndpoint.ticker();
      Ticker t = resolvedTicker(first);
      String n = resolvedName("layered");
      if (global != null) {
        io.throttlenet.bucket.internal.Tickers.requireSame(global.ticker(), "global scope " + global.name(), t, n);
      }
      if (perKey != null) {
        io.throttlenet.bucket.internal.Tickers.requireSame(perKey.ticker(), "perKey scope " + perKey.name(), t, n);
      }
      if (perEndpoint != null) {
        io.throttlenet.bucket.internal.Tickers.requireSame(perEndpoint.ticker(), "perEndpoint scope " + perEndpoint.name(), t, n);
      }
      return new Layered<>(this, t);
    }
  }
}
