package io.throttlenet.multidim;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.bucket.ThrottleConfig;
import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Line;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.bucket.internal.Tickers;
import io.throttlenet.bucket.internal.Waits;
import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Several named budgets enforced at once, for example an LLM provider's requests, input tokens
 * and output tokens per minute:
 *
 * <pre>{@code
 * Duration minute = Duration.ofMinutes(1);
 * MultiLimiter llm = MultiLimiter.builder()
 *     .dimension("requests",      Throttle.perDuration(60, minute))
 *     .dimension("input_tokens",  Throttle.perDuration(100_000, minute))
 *     .dimension("output_tokens", Throttle.perDuration(20_000, minute))
 *     .build();
 * Costs call = Costs.of("requests", 1, "input_tokens", 1500, "output_tokens", 200);
 * llm.acquire(call);
 * }</pre>
 *
 * <p>All or nothing, charged at release time: a call is admitted only at an instant when every
 * dimension it names can afford its cost, and then every one is charged at that instant,
 * atomically; a refused, timed-out, cancelled or interrupted call charges nothing. A dimension the
 * costs do not name is not charged; a name the limiter does not know is an error, never silently
 * unmetered. A cost above a dimension's capacity fails at once, naming the dimension, its cost and
 * its capacity.
 *
 * <p>Reserve then settle: when the real cost is known only afterwards (output tokens),
 * {@link #reserve} an estimate and {@link Reservation#settle} the actual cost; the difference is
 * charged or given back as if the actual cost had been charged in the first place.
 *
 * <p>Waiting works as for {@link io.throttlenet.bucket.AllOf}: no future time is booked on the
 * dimensions, so a waiting caller never stalls other users of a shared budget. Callers that must
 * wait stand in one line, served in arrival order (a small call never overtakes a large one that
 * came first, and a newcomer never overtakes the line); the head is woken when every dimension is
 * predicted to afford its costs and then tries again atomically. Dimensions may
 * be {@code Throttle}s, {@code SlidingWindowLog}s or {@code AllOf}s (a dimension with several
 * limits), each used by at most one dimension and all on this limiter's ticker. A predicted wait
 * longer than about 18 years (only an absurd overdraft produces one) fails at once, even for
 * {@code acquire}, and {@link Reservation#settle} refuses an overdraft a dimension cannot
 * represent. Thread-safe.
 */
public final class MultiLimiter implements AdjustableMultiLimiter {
  private final String name;
  private final Ticker ticker;
  private final String[] dimensions;
  private final RateLimiter[] limiters;
  private final long[] capacities;
  /** For each dimension, the indices into {@link #parts} of its parts. */
  private final int[][] dimensionParts;
  private final Part[] parts;
  private final Map<String, Integer> index;
  private final Set<String> dimensionSet;
  private final Line line;
  private final EventPublisher<MultiLimiterEvent.Acquired> acquiredEvents;
  private final EventPublisher<MultiLimiterEvent.Rejected> rejectedEvents;
  final EventPublisher<MultiLimiterEvent.Settled> settledEvents;

  private MultiLimiter(Builder b, String name, Ticker ticker, EventRegistry events) {
    this.name = name;
    this.ticker = ticker;
    this.line = new Line(ticker);
    int n = b.limiters.size();
    this.dimensions = b.limiters.keySet().toArray(String[]::new);
    this.limiters = b.limiters.values().toArray(RateLimiter[]::new);
    this.capacities = new long[n];
    List<Part> all = new ArrayList<>();
    Map<Part, String> owner = new IdentityHashMap<>();
    Part[][] byDimension = new Part[n][];
    for (int d = 0; d < n; d++) {
      byDimension[d] = Parts.of(limiters[d]);
      capacities[d] = limiters[d].capacity();
      for (Part p : byDimension[d]) {
        String previous = owner.put(p, dimensions[d]);
        if (previous != null && !previous.equals(dimensions[d])) {
          throw new IllegalArgumentException(
              "dimensions " + previous + " and " + dimensions[d] + " share a limiter ("
                  + p.name() + "); give each dimension its own");
        }
        if (previous == null) {
          all.add(p);
        }
      }
    }
    all.sort(Comparator.comparingLong(Part::id));
    this.parts = all.toArray(Part[]::new);
    this.dimensionParts = new int[n][];
    for (int d = 0; d < n; d++) {
      dimensionParts[d] = Arrays.stream(byDimension[d]).distinct().mapToInt(all::indexOf).toArray();
    }
    Map<String, Integer> idx = new HashMap<>();
    for (int d = 0; d < n; d++) {
      idx.put(dimensions[d], d);
    }
    this.index = Map.copyOf(idx);
    this.dimensionSet = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(dimensions)));
    this.acquiredEvents = events.publisher(MultiLimiterEvent.Acquired.class, name);
    this.rejectedEvents = events.publisher(MultiLimiterEvent.Rejected.class, name);
    this.settledEvents = events.publisher(MultiLimiterEvent.Settled.class, name);
  }

  /** A builder; add at least one dimension. */
  public static Builder builder() {
    return new Builder();
  }

  /** Callers waiting in this limiter's line right now. */
  public int waiting() {
    return line.size();
  }

  /** This limiter's name, used in events and errors. */
  @Override
  public String name() {
    return name;
  }

  /** The time source and waiting seam. */
  @Override
  public Ticker ticker() {
    return ticker;
  }

  /**
   * The options of every dimension, read back from its throttle ({@code Throttle#config()}), if
   * every dimension is a {@code Throttle}; empty if one is a sliding-window log or an all-of, which
   * a {@link MultiLimiterConfig} cannot describe.
   */
  public Optional<MultiLimiterConfig> config() {
    Map<String, ThrottleConfig> configs = new LinkedHashMap<>();
    for (int d = 0; d < dimensions.length; d++) {
      if (!(limiters[d] instanceof Throttle)) {
        return Optional.empty();
      }
      configs.put(dimensions[d], ((Throttle) limiters[d]).config());
    }
    return Optional.of(new MultiLimiterConfig(configs));
  }

  /** The dimension names, in the order they were added. */
  @Override
  public Set<String> dimensions() {
    return dimensionSet;
  }

  /**
   * Takes {@code costs} in every dimension they name if all can afford them now; never waits,
   * never throws a rejection.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public boolean tryAcquire(Costs costs) {
    return tryAcquireAt(costs, ticker.read());
  }

  /**
   * Takes {@code costs}, waiting for them at most {@code maxWait}; answers {@code false} at once
   * when the predicted wait is longer (and, under contention, possibly after waiting).
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension or maxWait is negative
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public boolean tryAcquire(Costs costs, Duration maxWait) throws InterruptedException {
    long maxWaitNanos = Args.requireNonNegativeNanos(maxWait, "maxWait");
    Binding b = bind(costs);
    if (b.neverDimension >= 0) {
      rejectNever(costs, b);
      return false;
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait == 0) {
      publishAcquired(costs, 0);
      return true;
    }
    return line.await(new Attempt(costs, b, handles), now, wait, maxWaitNanos);
  }

  /**
   * Takes {@code costs}, waiting as long as needed.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   * @throws CostExceedsCapacityException at once if a cost exceeds its dimension's capacity; the
   *     component is {@code name[dimension]}
   * @throws MaxWaitExceededException at once if the predicted wait is longer than about 18 years
   *     (only an absurd overdraft does that); waiting for it would look like a hang
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public void acquire(Costs costs) throws InterruptedException {
    acquireAt(costs);
  }

  /**
   * Takes {@code costs} asynchronously, waiting as long as needed; the stage fails with {@link
   * CostExceedsCapacityException} if a cost can never fit. Cancelling the stage stops waiting.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public CompletionStage<Void> acquireAsync(Costs costs) {
    return acquireAsync(costs, Long.MAX_VALUE);
  }

  /**
   * Takes {@code costs} asynchronously if they can be granted within {@code maxWait}; otherwise
   * the stage fails with {@link MaxWaitExceededException}.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension or maxWait is negative
   */
  public CompletionStage<Void> acquireAsync(Costs costs, Duration maxWait) {
    return acquireAsync(costs, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  /**
   * Takes the {@code estimate}, waiting as long as needed, and returns the reservation to {@link
   * Reservation#settle settle} with the actual costs once they are known.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension
   * @throws CostExceedsCapacityException at once if an estimated cost exceeds its capacity
   * @throws MaxWaitExceededException at once if the predicted wait is longer than about 18 years
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public Reservation reserve(Costs estimate) throws InterruptedException {
    return reserveWithin(estimate, Long.MAX_VALUE);
  }

  /**
   * Takes the {@code estimate}, waiting for it at most {@code maxWait}, and returns the
   * reservation to {@link Reservation#settle settle}; see {@link #reserve(Costs)}.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension or maxWait is negative
   * @throws CostExceedsCapacityException at once if an estimated cost exceeds its capacity
   * @throws MaxWaitExceededException if the estimate cannot be granted within {@code maxWait}
   *     (at once when predicted, else when the bound passes); nothing is charged
   * @throws InterruptedException if interrupted while waiting; nothing is charged
   */
  public Reservation reserve(Costs estimate, Duration maxWait) throws InterruptedException {
    return reserveWithin(estimate, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  private Reservation reserveWithin(Costs estimate, long maxWaitNanos) throws InterruptedException {
    Binding b = bind(estimate);
    if (b.neverDimension >= 0) {
      throw rejectNever(estimate, b);
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait == 0) {
      publishAcquired(estimate, 0);
      return new Reservation(this, estimate, b.partCosts, handles, now);
    }
    Attempt attempt = new Attempt(estimate, b, handles);
    line.awaitOrThrow(attempt, now, wait, maxWaitNanos);
    return new Reservation(this, estimate, b.partCosts, handles, attempt.grantedAt);
  }

  /**
   * The largest cost {@code dimension} can grant at once (its limiter's {@link
   * RateLimiter#capacity()}).
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public long capacity(String dimension) {
    return capacities[dimension(dimension)];
  }

  /**
   * Takes the {@code estimate} if every dimension can afford it now.
   *
   * @return the reservation, or empty if refused (nothing charged)
   * @throws IllegalArgumentException if the estimate names an unknown dimension
   */
  public Optional<Reservation> tryReserve(Costs estimate) {
    Binding b = bind(estimate);
    if (b.neverDimension >= 0) {
      rejectNever(estimate, b);
      return Optional.empty();
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait != 0) {
      rejectWait(estimate, b, wait, now, LimiterEvent.Reason.INSUFFICIENT_PERMITS);
      return Optional.empty();
    }
    publishAcquired(estimate, 0);
    return Optional.of(new Reservation(this, estimate, b.partCosts, handles, now));
  }

  /**
   * Takes the {@code estimate} asynchronously; see {@link #reserve}. Cancelling the stage before
   * the grant stops waiting and charges nothing.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension
   */
  public CompletionStage<Reservation> reserveAsync(Costs estimate) {
    return reserveAsync(estimate, Long.MAX_VALUE);
  }

  /**
   * Takes the {@code estimate} asynchronously if it can be granted within {@code maxWait};
   * otherwise the stage fails with {@link MaxWaitExceededException} and nothing is charged. See
   * {@link #reserveAsync(Costs)}.
   *
   * @throws IllegalArgumentException if the estimate names an unknown dimension or maxWait is negative
   */
  public CompletionStage<Reservation> reserveAsync(Costs estimate, Duration maxWait) {
    return reserveAsync(estimate, Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  private CompletionStage<Reservation> reserveAsync(Costs estimate, long maxWaitNanos) {
    Binding b = bind(estimate);
    if (b.neverDimension >= 0) {
      return CompletableFuture.failedStage(rejectNever(estimate, b));
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait == 0) {
      publishAcquired(estimate, 0);
      return CompletableFuture.completedStage(new Reservation(this, estimate, b.partCosts, handles, now));
    }
    Attempt attempt = new Attempt(estimate, b, handles);
    CompletableFuture<Void> granted = line.join(attempt, now, wait, maxWaitNanos);
    CompletableFuture<Reservation> out = new CompletableFuture<>();
    granted.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            out.completeExceptionally(failure);
          } else if (!out.complete(new Reservation(this, estimate, b.partCosts, handles, attempt.grantedAt))) {
            attempt.undo(attempt.grantedAt); // the caller gave up at the instant of the grant
          }
        });
    out.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            granted.cancel(false); // stops the waiting attempts
          }
        });
    return out;
  }

  /**
   * How long {@code costs} would wait if asked for now, without charging anything; empty if some
   * cost never fits.
   *
   * @throws IllegalArgumentException if the costs name an unknown dimension
   */
  public Optional<Duration> waitTime(Costs costs) {
    Binding b = bind(costs);
    if (b.neverDimension >= 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(Atomic.peek(parts, b.partCosts, 0, ticker.read())));
  }

  /**
   * What {@code dimension} could grant right now; creates nothing and charges nothing.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  public long availablePermits(String dimension) {
    return limiters[dimension(dimension)].availablePermits();
  }

  /**
   * The limiter behind {@code dimension}, as given to the builder (for reading its configuration,
   * or changing its rate where it allows that).
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  public RateLimiter limiter(String dimension) {
    return limiters[dimension(dimension)];
  }

  /**
   * Grants nothing in any dimension before {@code untilNanos}: a cool-down shared by every
   * caller, such as a server's "retry after". Applied to every dimension at one instant (see
   * {@link RateLimiter#pauseUntil}); callers waiting in line are woken when it ends, not polled.
   * Atomic with every other verb.
   *
   * @param untilNanos the end of the pause, on {@link #ticker()}'s scale
   */
  @Override
  public void pauseUntil(long untilNanos) {
    Atomic.adjust(parts, Atomic.Adjustment.PAUSE, untilNanos, ticker.read());
  }

  /**
   * Grants nothing in {@code dimension} before {@code untilNanos} (and so nothing that needs it);
   * see {@link RateLimiter#pauseUntil}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public void pauseUntil(String dimension, long untilNanos) {
    Atomic.adjust(partsOf(dimension), Atomic.Adjustment.PAUSE, untilNanos, ticker.read());
  }

  /**
   * Lowers what {@code dimension} has available at {@code nowNanos} to at most {@code permits}
   * (negative: a debt); never raises it. See {@link RateLimiter#limitAvailable}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public void limitAvailable(String dimension, long permits, long nowNanos) {
    Atomic.adjust(partsOf(dimension), Atomic.Adjustment.RESTRICT, permits, nowNanos);
  }

  /**
   * The refill rate of {@code dimension}'s limiter if it is a token bucket ({@link
   * AdjustableRateLimiter}, such as a {@code Throttle}); otherwise {@link Double#NaN}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  @Override
  public double permitsPerSecond(String dimension) {
    return limiter(dimension) instanceof AdjustableRateLimiter bucket
        ? bucket.permitsPerSecond()
        : Double.NaN;
  }

  /**
   * Changes the rate of {@code dimension}'s token bucket; see {@link
   * AdjustableRateLimiter#setRate}. The line is served again at once, so a faster rate serves
   * callers already waiting as soon as it allows.
   *
   * @throws IllegalArgumentException if the dimension is unknown or the bucket refuses the rate
   * @throws UnsupportedOperationException if the dimension's limiter is not an {@link
   *     AdjustableRateLimiter}
   */
  @Override
  public void setRate(String dimension, double permitsPerSecond) {
    if (!(limiter(dimension) instanceof AdjustableRateLimiter bucket)) {
      throw new UnsupportedOperationException(
          "dimension " + dimension + " of " + name + " does not refill steadily: "
              + limiter(dimension));
    }
    bucket.setRate(permitsPerSecond);
    line.repump();
  }

  /**
   * Every dimension back to full capacity, at one instant, and the line served at once. See
   * {@link RateLimiter#reset} for what happens to bookings already granted.
   */
  public void reset() {
    Atomic.adjust(parts, Atomic.Adjustment.RESET, 0, ticker.read());
    line.repump();
  }

  private Part[] partsOf(String dimension) {
    int[] indices = dimensionParts[dimension(dimension)];
    Part[] out = new Part[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = parts[indices[i]];
    }
    Arrays.sort(out, Comparator.comparingLong(Part::id));
    return out;
  }

  /** Every dimension's limit, availability and time until full, in the order they were added. */
  public List<DimensionSnapshot> snapshot() {
    List<DimensionSnapshot> out = new ArrayList<>(dimensions.length);
    long now = ticker.read();
    for (int d = 0; d < dimensions.length; d++) {
      RateLimiter l = limiters[d];
      out.add(
          new DimensionSnapshot(
              dimensions[d],
              capacities[d],
              l.availablePermits(),
              Duration.ofNanos(Math.max(0, l.waitNanos(capacities[d], now)))));
    }
    return out;
  }

  @Override
  public String toString() {
    return "MultiLimiter[" + name + ", " + String.join(", ", dimensions) + "]";
  }

  // ---- internals ----

  private int dimension(String dimension) {
    Integer d = index.get(Args.requireNonNull(dimension, "dimension"));
    if (d == null) {
      throw new IllegalArgumentException(
          "unknown dimension " + dimension + " (known: " + String.join(", ", dimensions) + ")");
    }
    return d;
  }

  /** How {@code costs} fall on this limiter's parts, cached in the costs for reuse. */
  Binding bind(Costs costs) {
    Args.requireNonNull(costs, "costs");
    Object cached = costs.binding;
    if (cached instanceof Binding b && b.owner == this) {
      return b;
    }
    long[] partCosts = new long[parts.length];
    int never = -1;
    for (int i = 0; i < costs.size(); i++) {
      int d = dimension(costs.name(i));
      long cost = costs.value(i);
      for (int p : dimensionParts[d]) {
        partCosts[p] = cost;
      }
      if (never < 0 && cost > capacities[d]) {
        never = d;
      }
    }
    Binding b = new Binding(this, partCosts, never, never < 0 ? 0 : costs.get(dimensions[never]));
    costs.binding = b;
    return b;
  }

  /** Acquires, waiting as needed. */
  private void acquireAt(Costs costs) throws InterruptedException {
    Binding b = bind(costs);
    if (b.neverDimension >= 0) {
      throw rejectNever(costs, b);
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait == 0) {
      publishAcquired(costs, 0);
      return;
    }
    line.awaitOrThrow(new Attempt(costs, b, handles), now, wait, Long.MAX_VALUE);
  }

  private boolean tryAcquireAt(Costs costs, long now) {
    Binding b = bind(costs);
    if (b.neverDimension >= 0) {
      rejectNever(costs, b);
      return false;
    }
    long wait = firstTry(b, now, null);
    if (wait == 0) {
      publishAcquired(costs, 0);
      return true;
    }
    rejectWait(costs, b, wait, now, LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    return false;
  }

  private CompletionStage<Void> acquireAsync(Costs costs, long maxWaitNanos) {
    Binding b = bind(costs);
    if (b.neverDimension >= 0) {
      return CompletableFuture.failedStage(rejectNever(costs, b));
    }
    long[] handles = new long[parts.length];
    long now = ticker.read();
    long wait = firstTry(b, now, handles);
    if (wait == 0) {
      publishAcquired(costs, 0);
      return CompletableFuture.completedStage(null);
    }
    return line.join(new Attempt(costs, b, handles), now, wait, maxWaitNanos);
  }

  /**
   * Charges the binding's costs at once if nobody waits in line and every dimension affords them
   * (returns 0, with {@code handles} identifying the charge if given); otherwise the caller's own
   * predicted wait, at least 1 while others wait ahead of it: nobody overtakes the line.
   */
  private long firstTry(Binding b, long now, long[] handles) {
    if (line.isEmpty()) {
      return handles == null
          ? Atomic.tryCharge(parts, b.partCosts, 0, now)
          : Atomic.tryCharge(parts, b.partCosts, 0, now, handles);
    }
    return Math.max(1, Atomic.peek(parts, b.partCosts, 0, now));
  }

  /**
   * Refuses an overdraft that a dimension could not represent (see {@link Part#maxCharge}): it
   * would be cut short silently, or leave the dimension in debt for decades.
   */
  void requireRepresentable(long[] extra) {
    for (int i = 0; i < extra.length; i++) {
      long max = parts[i].maxCharge();
      if (extra[i] > max) {
        throw new IllegalArgumentException(
            "actual cost of dimension " + dimensionOf(i) + " may exceed the estimate by at most "
                + max + " (what its limiter can owe), was " + extra[i] + " more");
      }
    }
  }

  private String dimensionOf(int part) {
    for (int d = 0; d < dimensions.length; d++) {
      for (int p : dimensionParts[d]) {
        if (p == part) {
          return dimensions[d];
        }
      }
    }
    throw new IllegalStateException("part " + part + " belongs to no dimension");
  }

  void charge(long[] partCosts, long at) {
    Atomic.force(parts, partCosts, at);
  }

  void refund(long[] partCosts, long[] handles, long chargedAt) {
    Atomic.refund(parts, partCosts, handles, chargedAt, ticker.read());
  }

  Map<String, Long> byDimension(long[] partCosts) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int d = 0; d < dimensions.length; d++) {
      long v = partCosts[dimensionParts[d][0]];
      if (v != 0) {
        out.put(dimensions[d], v);
      }
    }
    return out;
  }

  private RejectedException rejectNever(Costs costs, Binding b) {
    String dim = dimensions[b.neverDimension];
    if (rejectedEvents.hasListeners()) {
      rejectedEvents.publish(
          new MultiLimiterEvent.Rejected(
              name, costs, dim, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
    }
    return new CostExceedsCapacityException(
        name + "[" + dim + "]", b.neverCost, capacities[b.neverDimension]);
  }

  /** Publishes the refusal, if anyone listens; the binding dimension is found only then. */
  private void rejectWait(Costs costs, Binding b, long wait, long now, LimiterEvent.Reason reason) {
    if (rejectedEvents.hasListeners()) {
      rejectedEvents.publish(
          new MultiLimiterEvent.Rejected(
              name,
              costs,
              dimensions[slowest(b, now)],
              reason,
              Optional.of(Duration.ofNanos(wait))));
    }
  }

  /** The dimension whose own wait for its cost is the longest (the one that binds). */
  private int slowest(Binding b, long now) {
    int slowest = 0;
    long longest = -1;
    long[] single = new long[parts.length];
    for (int d = 0; d < dimensions.length; d++) {
      int[] ps = dimensionParts[d];
      long cost = b.partCosts[ps[0]];
      if (cost == 0) {
        continue;
      }
      Arrays.fill(single, 0);
      for (int p : ps) {
        single[p] = cost;
      }
      long w = Atomic.peek(parts, single, 0, now);
      if (w > longest) {
        longest = w;
        slowest = d;
      }
    }
    return slowest;
  }

  private void publishAcquired(Costs costs, long waited) {
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new MultiLimiterEvent.Acquired(name, costs, Duration.ofNanos(waited)));
    }
  }

  /** How a {@link Costs} falls on this limiter's parts. */
  static final class Binding {
    final MultiLimiter owner;
    final long[] partCosts;
    /** The first dimension whose cost exceeds its capacity, or -1. */
    final int neverDimension;
    final long neverCost;

    Binding(MultiLimiter owner, long[] partCosts, int neverDimension, long neverCost) {
      this.owner = owner;
      this.partCosts = partCosts;
      this.neverDimension = neverDimension;
      this.neverCost = neverCost;
    }
  }

  /** A waiting caller's attempts; {@code handles} identify its charge once granted. */
  private final class Attempt implements Waits.Attempt {
    final Costs costs;
    final Binding binding;
    final long[] handles;
    volatile long grantedAt;

    Attempt(Costs costs, Binding binding, long[] handles) {
      this.costs = costs;
      this.binding = binding;
      this.handles = handles;
    }

    @Override
    public long tryAt(long now) {
      long wait = Atomic.tryCharge(parts, binding.partCosts, 0, now, handles);
      if (wait == 0) {
        grantedAt = now;
      }
      return wait;
    }

    @Override
    public long peek(long now) {
      return Atomic.peek(parts, binding.partCosts, 0, now);
    }

    @Override
    public void undo(long at) {
      Atomic.refund(parts, binding.partCosts, handles, at, ticker.read());
    }

    @Override
    public void granted(long waitedNanos) {
      publishAcquired(costs, waitedNanos);
    }

    @Override
    public RuntimeException gaveUp(long waitNanos, long maxWaitNanos) {
      long now = ticker.read();
      rejectWait(costs, binding, waitNanos, now, LimiterEvent.Reason.MAX_WAIT_EXCEEDED);
      int d = slowest(binding, now);
      return new MaxWaitExceededException(
          name + "[" + dimensions[d] + "]",
          binding.partCosts[dimensionParts[d][0]],
          Duration.ofNanos(waitNanos),
          Duration.ofNanos(maxWaitNanos));
    }
  }

  /**
   * Builds a {@link MultiLimiter}. Each dimension name and each option may be given once. The
   * shared options ({@link ComponentBuilder}) default to a unique name such as {@code "multi-limiter-1"}, the
   * first dimension's ticker and the default event registry. Not thread-safe; the built limiter is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final LinkedHashMap<String, RateLimiter> limiters = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a dimension limited by {@code limiter} (a {@code Throttle}, {@code SlidingWindowLog} or
     * {@code AllOf}).
     *
     * @throws IllegalArgumentException if the name is empty or already used, or the limiter
     *     cannot take part in atomic composition
     * @throws NullPointerException if an argument is null
     */
    public Builder dimension(String dimension, RateLimiter limiter) {
      Args.requireNonNull(dimension, "dimension");
      Args.requireNonNull(limiter, "limiter");
      if (dimension.isEmpty()) {
        throw new IllegalArgumentException("dimension must not be empty");
      }
      if (limiters.containsKey(dimension)) {
        throw new IllegalArgumentException("dimension " + dimension + " was already added");
      }
      if (Parts.of(limiter) == null) {
        throw new IllegalArgumentException(
            "limiter of dimension " + dimension
                + " must be a Throttle, a SlidingWindowLog or an AllOf, was " + limiter);
      }
      limiters.put(dimension, limiter);
      return this;
    }

    /**
     * Builds the limiter.
     *
     * @throws IllegalStateException if no dimension was added
     * @throws IllegalArgumentException if two dimensions share a limiter, or a dimension's
     *     limiter uses another ticker than this limiter (it would be charged at this limiter's
     *     readings and refill by its own clock)
     */
    public MultiLimiter build() {
      if (limiters.isEmpty()) {
        throw new IllegalStateException("at least one dimension must be added");
      }
      Ticker t = tickerOr(limiters.values().iterator().next().ticker());
      String name = nameOr("multi-limiter");
      for (Map.Entry<String, RateLimiter> d : limiters.entrySet()) {
        Tickers.requireSame(
            d.getValue().ticker(), "limiter " + d.getValue().name() + " of dimension " + d.getKey(), t, name);
      }
      return new MultiLimiter(this, name, t, eventsOrDefault());
    }
  }
}
