package io.throttlenet.adaptive;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiterEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A client-side mirror of a server's exact sliding-window quota (for example 50 requests AND
 * 5,000 tokens per minute), which spends all of it without a single 429.
 *
 * <pre>{@code
 * ServerWindow api = ServerWindow.builder()
 *     .dimension("requests", 50, Duration.ofMinutes(1))
 *     .dimension("tokens", 5_000, Duration.ofMinutes(1))
 *     .build();
 * try (ServerWindow.Permit p = api.acquire(Costs.of("requests", 1, "tokens", 120))) {
 *   response = client.send(request, ofString());
 * } // the call counts until a window after its response
 * }</pre>
 *
 * <p><b>Contract.</b> A granted call counts in every dimension from its grant until one window
 * after its {@link Permit} is released (the response arrived). A server counts the call at the
 * instant it arrives, which lies in between, so in any window the server looks at, this mirror
 * counted at least as much: granting only what fits here never exceeds the server's quota, however
 * the network delays calls. What it gives up is each call's round trip, a small share of a window
 * of seconds or minutes. A token bucket or a window counted from the grant cannot promise this: a
 * call delayed on the way lands in a later server window than the one it was granted in.
 *
 * <p><b>Admission.</b> Budget freed (a call leaving the window, a smaller settled cost) goes to
 * the oldest waiting call that fits, then the next that fits, and so on: with several binding
 * dimensions a large call at the head does not hold back smaller ones that fit in what is left
 * (strict first-come-first-served lost several points of the budget in such a mix). So that large
 * calls are not starved, once the oldest waiter has waited {@link Builder#maxBypass} (default: the
 * shortest window), nobody is admitted before it. A wait cannot be predicted (it depends on calls
 * still in flight), so {@code maxWait} is how long a caller waits before giving up, not a
 * prediction.
 *
 * <p><b>Following the server.</b> {@link #limitAvailable}, {@link #pauseUntil} and {@link
 * #reset} are what {@link HeaderSync} uses (build it with {@link HeaderSync#builder(ServerWindow)})
 * to keep the mirror within the server's own figures when others share the quota. Events are a
 * {@link io.throttlenet.multidim.MultiLimiter}'s: {@link MultiLimiterEvent.Acquired}, {@code
 * Rejected} and {@code Settled} (a release whose cost differs from the grant's, or a cancel).
 *
 * <p>Thread-safe. One short lock guards the counts and the waiters; it is never held while anyone
 * waits or while futures complete. The clock is read under the lock, so a caller descheduled
 * between reading it and counting cannot count at a stale instant. Waiters are woken by the
 * ticker's timer at the instant budget leaves the window, or by the release that frees it: never
 * polled. Cost: a permit and a small array per call; this guards calls that cross a network.
 */
public final class ServerWindow {
  private final String name;
  private final Ticker ticker;
  private final String[] names;
  // Replaced whole (copy on write, under the lock) by setLimit, so readers outside the lock see
  // one consistent set of limits.
  private volatile long[] limits;
  private final long[] windows;
  private final long maxBypass;
  private final EventPublisher<MultiLimiterEvent.Acquired> acquiredEvents;
  private final EventPublisher<MultiLimiterEvent.Rejected> rejectedEvents;
  private final EventPublisher<MultiLimiterEvent.Settled> settledEvents;

  private final ReentrantLock lock = new ReentrantLock();
  // All guarded by lock.
  /** Per dimension: cost in flight plus cost released less than a window ago (and stand-ins). */
  private final long[] used;

  private final long[] inFlight;
  /**
   * Per dimension: what others are estimated to hold, held until {@link #othersUntil} and then
   * given up evenly over one more window (see {@link #othersAt}).
   */
  private final long[] others;

  private final long[] othersUntil;
  /** Per dimension: nothing is granted before this instant (if it is ahead). */
  private final long[] pausedUntil;

  private final Log[] logs;
  /** Waiting calls in arrival order (admitted ones removed wherever they are). */
  private final ArrayList<Waiter> waiters = new ArrayList<>();

  private Ticker.Scheduled timer;
  private long timerAt;
  private long highWater;

  private ServerWindow(Builder b, String name, Ticker ticker, EventRegistry events) {
    this.name = name;
    this.ticker = ticker;
    int n = b.limits.size();
    this.names = b.limits.keySet().toArray(String[]::new);
    long[] initial = new long[n];
    this.windows = new long[n];
    long shortest = Long.MAX_VALUE;
    for (int d = 0; d < n; d++) {
      initial[d] = b.limits.get(names[d]);
      windows[d] = b.windows.get(names[d]);
      shortest = Math.min(shortest, windows[d]);
    }
    this.limits = initial;
    this.maxBypass = b.maxBypass >= 0 ? b.maxBypass : shortest;
    this.used = new long[n];
    this.inFlight = new long[n];
    this.others = new long[n];
    this.othersUntil = new long[n];
    this.pausedUntil = new long[n];
    this.logs = new Log[n];
    for (int d = 0; d < n; d++) {
      logs[d] = new Log();
    }
    this.acquiredEvents = events.publisher(MultiLimiterEvent.Acquired.class, name);
    this.rejectedEvents = events.publisher(MultiLimiterEvent.Rejected.class, name);
    this.settledEvents = events.publisher(MultiLimiterEvent.Settled.class, name);
    this.highWater = ticker.read();
    Arrays.fill(pausedUntil, highWater);
  }

  /** A builder; at least one dimension is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * This window's configuration with every option filled in: each dimension's current limit
   * (after any {@link #setLimit}) and window, and the bypass bound in effect. Feed it to {@link
   * Builder#from} for a window like this one.
   */
  public ServerWindowConfig config() {
    long[] current = limits;
    List<Quota.Limit> dimensions = new ArrayList<>(names.length);
    for (int d = 0; d < names.length; d++) {
      dimensions.add(new Quota.Limit(names[d], current[d], Duration.ofNanos(windows[d])));
    }
    return new ServerWindowConfig(dimensions, Optional.of(Duration.ofNanos(maxBypass)));
  }

  /** This window's name, in its events and exceptions. */
  public String name() {
    return name;
  }

  /** The ticker that times the windows. */
  public Ticker ticker() {
    return ticker;
  }

  /** The dimensions, in the order they were added. */
  public List<String> dimensions() {
    return List.of(names);
  }

  /**
   * The most {@code dimension} admits per window.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  public long capacity(String dimension) {
    return limits[index(dimension)];
  }

  /**
   * Changes the most {@code dimension} admits per window, from now on (as when a server states a
   * different quota than configured; {@link HeaderSync.Builder#adoptServerLimit} calls this).
   * Lowering it grants nothing more until what is counted drops below the new limit; raising it
   * admits waiters that fit at once. Waiters whose cost in {@code dimension} exceeds the new limit
   * could never be granted: they fail with {@link CostExceedsCapacityException}.
   *
   * @throws IllegalArgumentException if the dimension is unknown or {@code limit} is not positive
   */
  public void setLimit(String dimension, long limit) {
    int d = index(dimension);
    Args.requirePositive(limit, "limit");
    List<Grant> granted;
    List<Waiter> unfit = null;
    lock.lock();
    try {
      long[] next = limits.clone();
      next[d] = limit;
      limits = next;
      for (int i = 0; i < waiters.size(); ) {
        Waiter w = waiters.get(i);
        if (w.costs[d] > limit) {
          waiters.remove(i);
          if (unfit == null) {
            unfit = new ArrayList<>(2);
          }
          unfit.add(w);
        } else {
          i++;
        }
      }
      granted = pump(clock());
    } finally {
      lock.unlock();
    }
    complete(granted);
    if (unfit != null) {
      for (Waiter w : unfit) {
        if (w.deadline != null) {
          w.deadline.cancel();
        }
        w.future.completeExceptionally(
            new CostExceedsCapacityException(name + "[" + names[d] + "]", w.costs[d], limit));
      }
    }
  }

  /**
   * The window of {@code dimension}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  public Duration window(String dimension) {
    return Duration.ofNanos(windows[index(dimension)]);
  }

  /**
   * What {@code dimension} could grant now: its capacity less what is in flight, what was
   * released less than a window ago and what others are estimated to hold; at most 0 while
   * paused. Negative after a debt (a settled cost larger than granted).
   */
  public long availablePermits(String dimension) {
    int d = index(dimension);
    lock.lock();
    try {
      long now = clock();
      expire(now);
      long available = limits[d] - used[d] - othersAt(d, now);
      return pausedUntil[d] - now > 0 ? Math.min(0, available) : available;
    } finally {
      lock.unlock();
    }
  }

  /** The cost of {@code dimension} granted and not yet released. */
  public long inFlight(String dimension) {
    int d = index(dimension);
    lock.lock();
    try {
      return inFlight[d];
    } finally {
      lock.unlock();
    }
  }

  /** How many callers are waiting. */
  public int waiting() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Grants {@code costs} if they fit now (and no starved waiter is owed the budget first).
   *
   * @return the permit, or empty if refused (nothing is counted then)
   * @throws CostExceedsCapacityException if a cost exceeds its dimension's capacity
   * @throws IllegalArgumentException if {@code costs} names an unknown dimension
   */
  public Optional<Permit> tryAcquire(Costs costs) {
    long[] c = resolve(costs);
    Permit p;
    int binding;
    lock.lock();
    try {
      long now = clock();
      expire(now);
      binding = refusal(c, now);
      p = binding < 0 ? charge(c, costs, now) : null;
    } finally {
      lock.unlock();
    }
    if (p == null) {
      if (rejectedEvents.hasListeners()) {
        rejectedEvents.publish(
            new MultiLimiterEvent.Rejected(
                name, costs, names[binding], LimiterEvent.Reason.INSUFFICIENT_PERMITS,
                Optional.empty()));
      }
      return Optional.empty();
    }
    publishAcquired(costs, 0);
    return Optional.of(p);
  }

  /**
   * Waits as long as it takes for {@code costs} to fit, and grants them. Release the permit when
   * the response arrives.
   *
   * @throws InterruptedException if interrupted while waiting (nothing is counted then)
   * @throws CostExceedsCapacityException if a cost exceeds its dimension's capacity
   */
  public Permit acquire(Costs costs) throws InterruptedException {
    return acquire(costs, null);
  }

  /**
   * Waits at most {@code maxWait} for {@code costs} to fit.
   *
   * @throws MaxWaitExceededException if they did not fit within {@code maxWait}
   * @throws InterruptedException if interrupted while waiting (nothing is counted then)
   */
  public Permit acquire(Costs costs, Duration maxWait) throws InterruptedException {
    CompletableFuture<Permit> f = enqueue(costs, maxWait);
    try {
      return f.get();
    } catch (InterruptedException e) {
      abandon(f);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) cause;
    }
  }

  /** Like {@link #acquire(Costs)} without blocking; see {@link #acquireAsync(Costs, Duration)}. */
  public CompletableFuture<Permit> acquireAsync(Costs costs) {
    return acquireAsync(costs, null);
  }

  /**
   * A future that completes with the permit once {@code costs} fit, or with a {@link
   * MaxWaitExceededException} after {@code maxWait} (null: no limit). Cancelling it withdraws the
   * caller (a permit granted at that very instant is given back). Never blocks.
   *
   * @throws CostExceedsCapacityException at once (not in the future) if a cost can never fit
   */
  public CompletableFuture<Permit> acquireAsync(Costs costs, Duration maxWait) {
    CompletableFuture<Permit> f = enqueue(costs, maxWait);
    f.whenComplete(
        (p, failure) -> {
          if (failure instanceof CancellationException) {
            abandon(f);
          }
        });
    return f;
  }

  /**
   * Lowers what {@code dimension} can grant to at most {@code permits} (negative: a debt), as of
   * {@code asOfNanos} (a reading of this window's ticker, such as a call's start): cost that left
   * the window since that instant still counts, and a stand-in counts the difference until a
   * window after it. Never raises what can be granted.
   */
  public void limitAvailable(String dimension, long permits, long asOfNanos) {
    restrict(index(dimension), permits, asOfNanos);
  }

  /**
   * Follows a server that reported {@code remaining} left of a quota that {@code fleet} instances
   * configured like this one share, as of {@code asOfNanos}. This window already counts its own
   * calls (in flight too), so what the server counts beyond them was spent by others: beyond the
   * rest of the fleet's shares, since each instance holds to its own, and that excess is divided
   * among the fleet.
   *
   * <p>That estimate is held back as a level, replaced by each new estimate (without a known
   * fleet, only by a higher one), held for a window after the call it came from began and then
   * given up evenly over one more window, rather than
   * counted as cost that leaves the window at once: others who spent budget keep spending what
   * frees, and freeing their part at once let every instance sharing the quota burst into a full
   * server at the same instant, window after window.
   */
  void followServer(int d, long remaining, long fleet, long uncounted, long asOfNanos) {
    List<Grant> granted;
    lock.lock();
    try {
      long now = clock();
      expire(now);
      long ownThen = used[d] + logs[d].leftAfter(asOfNanos);
      long level =
          othersLevel(limits[d], ownThen, used[d], Math.max(0, remaining), fleet, uncounted);
      long until = asOfNanos + windows[d];
      // Without a fleet size, a lower estimate does not replace the one held: the free room a
      // response shows is mostly what other instances freed a moment ago and are about to spend
      // again, and handing shares of it out (or dropping the level when an early response after
      // a window boundary shows the server nearly empty) drew bursts of 429s at every boundary.
      // What others stop spending comes back as the held level gives way, a window later.
      if (fleet > 1 || level >= othersAt(d, now)) {
        others[d] = until - now > 0 ? level : 0;
        othersUntil[d] = until;
      }
      granted = pump(now);
    } finally {
      lock.unlock();
    }
    complete(granted);
  }

  /**
   * What others hold, for a window of capacity {@code limit} that counts {@code own} when the
   * server reports {@code remaining}: the server counts {@code limit - remaining}, so others hold
   * the rest. A known fleet holds to its shares, so only the excess beyond this instance's share
   * is others', divided among the fleet. Otherwise every client that sees the server's free room
   * would take all of it, and all but one would draw 429s: this one takes the part of the free room
   * in proportion to its own part of what the server counts (at least one unit, so that a client
   * with nothing counted yet still gets a start). {@code ownThen} is what this window counted as
   * of the server's figures, {@code ownNow} what it counts now.
   */
  static long othersLevel(
      long limit, long ownThen, long ownNow, long remaining, long fleet, long uncounted) {
    long counted = limit - remaining;
    long excess = counted - ownThen;
    if (excess <= 0) {
      return 0;
    }
    if (fleet > 1) {
      return Math.min(limit, (excess + fleet - 1) / fleet);
    }
    // Rounded at random, so that clients sharing a free room of 1 take it once on average
    // instead of each taking 1 (rounding up) or none ever (rounding down). What left this
    // window since is in the server's free room already: it is not ours to take on top.
    double share = (double) remaining * Math.max(ownThen, 1) / counted;
    long mine = (long) Math.floor(share + ThreadLocalRandom.current().nextDouble());
    // What this window granted since the call began is not in the server's figures yet, and it
    // counts in ownNow: taken out of this share, or a response that left before a grant would
    // offer the same free room again.
    long take = Math.max(0, Math.min(remaining, mine) - uncounted);
    return Math.max(0, Math.min(limit, limit - ownNow - take));
  }

  private void restrict(int d, long permits, long asOf) {
    lock.lock();
    try {
      long now = clock();
      expire(now);
      long excess = limits[d] - used[d] - othersAt(d, now) - logs[d].leftAfter(asOf) - permits;
      if (excess > 0) {
        count(d, Math.min(excess, limits[d]), asOf + windows[d], now);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Grants nothing in any dimension before {@code untilNanos} (a reading of the ticker). */
  public void pauseUntil(long untilNanos) {
    pause(-1, untilNanos);
  }

  /** Grants nothing in {@code dimension} before {@code untilNanos}. */
  public void pauseUntil(String dimension, long untilNanos) {
    pause(index(dimension), untilNanos);
  }

  private void pause(int only, long until) {
    lock.lock();
    try {
      long now = clock();
      for (int d = 0; d < names.length; d++) {
        if ((only < 0 || d == only) && until - now > 0
            && (pausedUntil[d] - now <= 0 || until - pausedUntil[d] > 0)) {
          pausedUntil[d] = until;
        }
      }
      schedule();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets every released call and every pause or limit; calls in flight still count until a
   * window after their release.
   */
  public void reset() {
    List<Grant> granted;
    lock.lock();
    try {
      for (int d = 0; d < names.length; d++) {
        logs[d].clear();
        used[d] = inFlight[d];
        others[d] = 0;
        pausedUntil[d] = highWater;
      }
      granted = pump(clock());
    } finally {
      lock.unlock();
    }
    complete(granted);
  }

  /**
   * A decorator that acquires {@code costs} before each call (waiting as long as it takes) and
   * releases the permit when the call ends, however it ends (a failed call may have reached the
   * server too).
   *
   * @throws IllegalArgumentException if {@code costs} names an unknown dimension or a cost above
   *     its dimension's capacity
   */
  public Decorator<Object> decorator(Costs costs) {
    return decorator(costs, r -> null, null);
  }

  /**
   * Like {@link #decorator(Costs)}, settling each call's real cost from its result: {@code actual}
   * returns the costs to count instead of the estimate, or null to keep the estimate (as does a
   * function that throws, or names an unknown dimension). A failed call counts its estimate.
   * A caller waits at most {@code maxWait} (null: as long as it takes), then fails with a {@link
   * MaxWaitExceededException}.
   *
   * @throws IllegalArgumentException if {@code estimate} names an unknown dimension or a cost
   *     above its dimension's capacity, or {@code maxWait} is negative
   */
  public <T> Decorator<T> decorator(
      Costs estimate, Function<? super T, Costs> actual, Duration maxWait) {
    Args.requireNonNull(estimate, "estimate");
    for (Map.Entry<String, Long> e : estimate.asMap().entrySet()) {
      int d = index(e.getKey());
      if (e.getValue() > limits[d]) {
        throw new IllegalArgumentException(
            "estimate for " + name + "[" + names[d] + "] must be <= its capacity (" + limits[d]
                + "), was " + e.getValue());
      }
    }
    Args.requireNonNull(actual, "actual");
    if (maxWait != null) {
      Args.requireNonNegativeNanos(maxWait, "maxWait");
    }
    return new Decorator<>() {
      @Override
      public <R extends T> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          Permit p = acquire(estimate, maxWait);
          R result;
          try {
            result = call.get();
          } catch (Exception | Error e) {
            p.release();
            throw e;
          }
          p.releaseQuietly(actual, result);
          return result;
        };
      }

      @Override
      public <R extends T> Supplier<CompletionStage<R>> decorateAsync(
          Supplier<? extends CompletionStage<R>> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          CompletableFuture<Permit> granted = acquireAsync(estimate, maxWait);
          CompletableFuture<R> result =
              granted.thenCompose(
                  p -> {
                    CompletionStage<R> stage;
                    try {
                      stage = call.get();
                    } catch (RuntimeException | Error e) {
                      p.release();
                      throw e;
                    }
                    return Stages.observe(
                        stage,
                        (r, failure) -> {
                          if (failure == null) {
                            p.releaseQuietly(actual, r);
                          } else {
                            p.release();
                          }
                        });
                  });
          // cancelling the result withdraws a caller still waiting for its permit
          result.whenComplete(
              (r, failure) -> {
                if (failure instanceof CancellationException) {
                  granted.cancel(false);
                }
              });
          return result;
        };
      }
    };
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ServerWindow[").append(name);
    for (int d = 0; d < names.length; d++) {
      s.append(", ").append(names[d]).append(' ').append(limits[d]).append(" per ")
          .append(Duration.ofNanos(windows[d]));
    }
    return s.append(']').toString();
  }

  // ---- admission ----

  private CompletableFuture<Permit> enqueue(Costs costs, Duration maxWait) {
    long[] c = resolve(costs);
    long maxWaitNanos = maxWait == null ? -1 : Args.requireNonNegativeNanos(maxWait, "maxWait");
    CompletableFuture<Permit> f = new CompletableFuture<>();
    Permit p = null;
    int binding = -1;
    Waiter w = null;
    lock.lock();
    try {
      long now = clock();
      expire(now);
      binding = refusal(c, now);
      if (binding < 0) {
        p = charge(c, costs, now);
      } else if (maxWaitNanos != 0) {
        w = new Waiter(c, costs, f, now);
        waiters.add(w);
        schedule();
      }
    } finally {
      lock.unlock();
    }
    if (p != null) {
      publishAcquired(costs, 0);
      f.complete(p);
    } else if (w == null) {
      f.completeExceptionally(gaveUp(costs, c, binding, 0, 0));
    } else if (maxWaitNanos > 0) {
      Waiter waiter = w;
      long deadline = w.since + maxWaitNanos;
      w.deadline = ticker.schedule(deadline, () -> expireWaiter(waiter, maxWaitNanos));
    }
    return f;
  }

  private void expireWaiter(Waiter w, long maxWaitNanos) {
    boolean removed;
    int binding;
    lock.lock();
    try {
      removed = waiters.remove(w);
      binding = removed ? refusal(w.costs, clock()) : -1;
    } finally {
      lock.unlock();
    }
    if (removed) {
      w.future.completeExceptionally(
          gaveUp(w.original, w.costs, Math.max(0, binding), maxWaitNanos, maxWaitNanos));
    }
  }

  private RejectedException gaveUp(Costs costs, long[] c, int d, long waited, long maxWait) {
    if (rejectedEvents.hasListeners()) {
      rejectedEvents.publish(
          new MultiLimiterEvent.Rejected(
              name, costs, names[d], LimiterEvent.Reason.forWait(maxWait), Optional.empty()));
    }
    return new MaxWaitExceededException(
        name + "[" + names[d] + "]", c[d], Duration.ofNanos(waited), Duration.ofNanos(maxWait));
  }

  /** Withdraws a caller that no longer wants its permit; gives back one granted meanwhile. */
  private void abandon(CompletableFuture<Permit> f) {
    lock.lock();
    try {
      waiters.removeIf(w -> w.future == f);
    } finally {
      lock.unlock();
    }
    if (!f.cancel(false) && !f.isCompletedExceptionally()) {
      f.join().cancel();
    }
  }

  /**
   * The dimension that refuses {@code c} now, or -1 if it fits: it must fit in every dimension,
   * and a waiter starved past the bypass bound must not be owed the budget.
   */
  private int refusal(long[] c, long now) {
    int d = firstShort(c, now);
    if (d >= 0) {
      return d;
    }
    if (!waiters.isEmpty() && now - waiters.get(0).since >= maxBypass) {
      return Math.max(0, firstShort(waiters.get(0).costs, now));
    }
    return -1;
  }

  private int firstShort(long[] c, long now) {
    for (int d = 0; d < c.length; d++) {
      if (c[d] > 0 && (used[d] + othersAt(d, now) + c[d] > limits[d] || pausedUntil[d] - now > 0)) {
        return d;
      }
    }
    return -1;
  }

  private Permit charge(long[] c, Costs costs, long now) {
    for (int d = 0; d < c.length; d++) {
      used[d] += c[d];
      inFlight[d] += c[d];
    }
    return new Permit(c, costs, now);
  }

  /**
   * Admits waiters that fit, oldest first; stops at a starved one that does not fit, so nobody
   * passes it. Returns the grants, to complete once the lock is released.
   */
  private List<Grant> pump(long now) {
    expire(now);
    List<Grant> granted = null;
    for (int i = 0; i < waiters.size(); ) {
      Waiter w = waiters.get(i);
      if (w.future.isDone()) {
        waiters.remove(i);
        continue;
      }
      if (firstShort(w.costs, now) < 0) {
        waiters.remove(i);
        if (granted == null) {
          granted = new ArrayList<>(2);
        }
        granted.add(new Grant(w, charge(w.costs, w.original, now), now - w.since));
        continue;
      }
      if (now - w.since >= maxBypass) {
        break;
      }
      i++;
    }
    schedule();
    return granted == null ? List.of() : granted;
  }

  private void complete(List<Grant> granted) {
    for (Grant g : granted) {
      if (g.waiter.deadline != null) {
        g.waiter.deadline.cancel();
      }
      if (g.waiter.future.complete(g.permit)) {
        publishAcquired(g.waiter.original, g.waited);
      } else {
        g.permit.cancel(); // withdrawn at that very instant: nobody will use it
      }
    }
  }

  /**
   * Wakes the waiters at the next instant budget frees for one of them: when counted cost leaves
   * its window, when a pause ends, or when others' estimate has given up enough. Not at all when
   * only releases can free budget.
   */
  private void schedule() {
    if (waiters.isEmpty()) {
      return;
    }
    long now = highWater;
    boolean any = false;
    long next = 0;
    for (int d = 0; d < logs.length; d++) {
      if (logs[d].hasLive() && (!any || logs[d].firstLive() - next < 0)) {
        next = logs[d].firstLive();
        any = true;
      }
      if (pausedUntil[d] - now > 0 && (!any || pausedUntil[d] - next < 0)) {
        next = pausedUntil[d];
        any = true;
      }
    }
    for (Waiter w : waiters) {
      long t = othersFit(w.costs, now);
      if (t - now > 0 && (!any || t - next < 0)) {
        next = t;
        any = true;
      }
    }
    if (!any || (timer != null && timerAt - next <= 0 && timerAt - now > 0)) {
      return; // only releases can free budget now, or an early enough timer is set
    }
    if (timer != null) {
      timer.cancel();
    }
    timerAt = next;
    timer = ticker.schedule(next, this::onTimer);
  }

  /**
   * The instant others' estimate will have given up enough for {@code c} to fit beside what is
   * counted now, or {@code now} if it is not what stands in the way (or never will be alone).
   */
  private long othersFit(long[] c, long now) {
    long latest = now;
    for (int d = 0; d < c.length; d++) {
      long level = others[d];
      if (c[d] == 0 || level == 0) {
        continue;
      }
      long room = limits[d] - used[d] - c[d]; // what others may hold for c to fit
      if (room < 0 || level <= room) {
        continue;
      }
      // level * (1 - (t - until) / window) <= room
      long t = othersUntil[d] + (long) Math.ceil(windows[d] * (1 - (double) room / level));
      if (t - latest > 0) {
        latest = t;
      }
    }
    return latest;
  }

  /** Others' estimate at {@code now}: held, then given up evenly over a window. */
  private long othersAt(int d, long now) {
    long level = others[d];
    long since = now - othersUntil[d];
    if (level == 0 || since < 0) {
      return level;
    }
    if (since >= windows[d]) {
      return 0;
    }
    return (long) Math.ceil(level * (1 - (double) since / windows[d]));
  }

  private void onTimer() {
    List<Grant> granted;
    lock.lock();
    try {
      timer = null;
      granted = pump(clock());
    } finally {
      lock.unlock();
    }
    complete(granted);
  }

  // ---- counting; every method below runs with the lock held ----

  /** The time now, never earlier than a time already acted on. */
  private long clock() {
    long now = ticker.read();
    if (now - highWater > 0) {
      highWater = now;
    }
    return highWater;
  }

  private void expire(long now) {
    for (int d = 0; d < logs.length; d++) {
      used[d] -= logs[d].expire(now, windows[d]);
      if (others[d] != 0 && now - othersUntil[d] >= windows[d]) {
        others[d] = 0;
      }
    }
  }

  /** Counts {@code cost} in dimension {@code d} until {@code until}, if that is still ahead. */
  private void count(int d, long cost, long until, long now) {
    if (cost > 0 && until - now > 0) {
      logs[d].add(until, cost);
      used[d] += cost;
    }
  }

  private void publishAcquired(Costs costs, long waited) {
    if (acquiredEvents.hasListeners()) {
      acquiredEvents.publish(new MultiLimiterEvent.Acquired(name, costs, Duration.ofNanos(waited)));
    }
  }

  private int index(String dimension) {
    Args.requireNonNull(dimension, "dimension");
    for (int d = 0; d < names.length; d++) {
      if (names[d].equals(dimension)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "dimension must be one of " + Arrays.toString(names) + ", was " + dimension);
  }

  private long[] resolve(Costs costs) {
    Args.requireNonNull(costs, "costs");
    long[] c = new long[names.length];
    for (Map.Entry<String, Long> e : costs.asMap().entrySet()) {
      int d = index(e.getKey());
      long cost = e.getValue();
      if (cost > limits[d]) {
        if (rejectedEvents.hasListeners()) {
          rejectedEvents.publish(
              new MultiLimiterEvent.Rejected(
                  name, costs, names[d], LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
        }
        throw new CostExceedsCapacityException(name + "[" + names[d] + "]", cost, limits[d]);
      }
      c[d] = cost;
    }
    return c;
  }

  private record Grant(Waiter waiter, Permit permit, long waited) {}

  private static final class Waiter {
    final long[] costs;
    final Costs original;
    final CompletableFuture<Permit> future;
    final long since;
    volatile Ticker.Scheduled deadline;

    Waiter(long[] costs, Costs original, CompletableFuture<Permit> future, long since) {
      this.costs = costs;
      this.original = original;
      this.future = future;
      this.since = since;
    }
  }

  /**
   * Costs counted until an instant, in order of that instant (stand-ins may come out of order).
   * Entries that left their window stay a little longer (as a prefix of length {@code gone}), so
   * that a status the server computed a round trip ago can be compared with what was counted then.
   */
  private static final class Log {
    private long[] until = new long[8];
    private long[] cost = new long[8];
    private int head;
    private int size;
    /** How many entries at the front have left their window. */
    private int gone;

    private int at(int i) {
      return (head + i) & (until.length - 1);
    }

    boolean hasLive() {
      return gone < size;
    }

    long firstLive() {
      return until[at(gone)];
    }

    void add(long time, long c) {
      if (size == until.length) {
        grow();
      }
      int pos = size;
      while (pos > gone && until[at(pos - 1)] - time > 0) {
        until[at(pos)] = until[at(pos - 1)];
        cost[at(pos)] = cost[at(pos - 1)];
        pos--;
      }
      until[at(pos)] = time;
      cost[at(pos)] = c;
      size++;
    }

    /**
     * Moves what has left its window by {@code now} out of the count, and forgets what left it
     * more than {@code retain} ago; returns the cost that left the count.
     */
    long expire(long now, long retain) {
      long freed = 0;
      while (gone < size && now - until[at(gone)] >= 0) {
        freed += cost[at(gone)];
        gone++;
      }
      while (gone > 0 && now - until[head] > retain) {
        head = at(1);
        size--;
        gone--;
      }
      return freed;
    }

    /** The cost that left the count after {@code time} (as far as retained). */
    long leftAfter(long time) {
      long sum = 0;
      for (int i = gone - 1; i >= 0 && until[at(i)] - time > 0; i--) {
        sum += cost[at(i)];
      }
      return sum;
    }

    void clear() {
      head = 0;
      size = 0;
      gone = 0;
    }

    private void grow() {
      int n = until.length;
      long[] u = new long[n << 1];
      long[] c = new long[n << 1];
      for (int i = 0; i < size; i++) {
        u[i] = until[at(i)];
        c[i] = cost[at(i)];
      }
      until = u;
      cost = c;
      head = 0;
    }
  }

  /**
   * One granted call. Release it once when its response arrives (or it fails): from then its cost
   * counts for one more window. {@link #close()} releases it, for try-with-resources. Releasing or
   * cancelling again does nothing. Thread-safe.
   */
  public final class Permit implements AutoCloseable {
    private final long[] costs;
    private final Costs granted;
    private final long grantedAt;
    private boolean done; // guarded by the window's lock

    private Permit(long[] costs, Costs granted, long grantedAt) {
      this.costs = costs;
      this.granted = granted;
      this.grantedAt = grantedAt;
    }

    /** The costs granted. */
    public Costs costs() {
      return granted;
    }

    /** The ticker's reading when the call was granted. */
    public long grantedAtNanos() {
      return grantedAt;
    }

    /** The response arrived: the granted costs count until a window from now. */
    public void release() {
      finish(costs);
    }

    /**
     * The response arrived and told the real cost: {@code actual} counts until a window from now
     * instead of the grant (a dimension it does not name counts 0). A larger cost is a debt that
     * delays later calls; a smaller one frees the difference at once.
     *
     * @throws IllegalArgumentException if {@code actual} names an unknown dimension
     */
    public void release(Costs actual) {
      Args.requireNonNull(actual, "actual");
      long[] a = new long[names.length];
      for (Map.Entry<String, Long> e : actual.asMap().entrySet()) {
        a[index(e.getKey())] = e.getValue();
      }
      finish(a);
    }

    /**
     * The call was never sent: nothing counts for it any more. Do not cancel a call that may have
     * reached the server; release it.
     */
    public void cancel() {
      finish(new long[names.length]);
    }

    @Override
    public void close() {
      release();
    }

    private <X> void releaseQuietly(Function<? super X, Costs> actualOf, X result) {
      Costs actual;
      try {
        actual = actualOf.apply(result);
      } catch (RuntimeException e) {
        actual = null; // reading the real cost must never change the call's outcome
      }
      if (actual == null) {
        release();
      } else {
        try {
          release(actual);
        } catch (IllegalArgumentException unknownDimension) {
          release();
        }
      }
    }

    private void finish(long[] actual) {
      List<Grant> grants;
      Map<String, Long> delta = null;
      lock.lock();
      try {
        if (done) {
          return;
        }
        done = true;
        long now = clock();
        for (int d = 0; d < names.length; d++) {
          inFlight[d] -= costs[d];
          used[d] -= costs[d];
          count(d, Math.min(actual[d], limits[d]), now + windows[d], now);
          if (actual[d] != costs[d] && settledEvents.hasListeners()) {
            if (delta == null) {
              delta = new LinkedHashMap<>();
            }
            delta.put(names[d], Math.min(actual[d], limits[d]) - costs[d]);
          }
        }
        grants = pump(now);
      } finally {
        lock.unlock();
      }
      complete(grants);
      if (delta != null) {
        settledEvents.publish(new MultiLimiterEvent.Settled(name, delta));
      }
    }
  }

  /**
   * Builds a {@link ServerWindow}. The shared options ({@link ComponentBuilder}) default to a
   * unique name such as {@code "server-window-1"}, the system ticker and the default event
   * registry. Not thread-safe; the window is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final Map<String, Long> limits = new LinkedHashMap<>();
    private final Map<String, Long> windows = new LinkedHashMap<>();
    private long maxBypass = -1;
    private ServerWindowConfig base;
    private boolean baseApplied;

    private Builder() {}

    /**
     * Starts from {@code base}: its dimensions come first, in its order, each replaced by a
     * dimension of the same name added here; its bypass bound applies unless set here. Every
     * value taken from it is checked as if set here.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder from(ServerWindowConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The dimensions added (after those of {@link #from}'s configuration not replaced) and the
     * bypass bound if set, checked, as a value.
     */
    public ServerWindowConfig config() {
      if (base == null || baseApplied) {
        return own();
      }
      // On a scratch builder, so that this one stays as it was: options may still be set here.
      Builder merged = new Builder();
      merged.limits.putAll(limits);
      merged.windows.putAll(windows);
      merged.maxBypass = maxBypass;
      merged.base = base;
      merged.applyBase();
      return merged.own();
    }

    /** The options set on this builder, as a value. */
    private ServerWindowConfig own() {
      List<Quota.Limit> dimensions = new ArrayList<>(limits.size());
      limits.forEach((d, limit) ->
          dimensions.add(new Quota.Limit(d, limit, Duration.ofNanos(windows.get(d)))));
      return new ServerWindowConfig(
          dimensions, maxBypass >= 0 ? Optional.of(Duration.ofNanos(maxBypass)) : Optional.empty());
    }

    /** Puts the base's dimensions first (through the setter, so they are checked). */
    private void applyBase() {
      ServerWindowConfig b = base;
      if (b == null || baseApplied) {
        return;
      }
      baseApplied = true;
      Map<String, Long> ownLimits = new LinkedHashMap<>(limits);
      Map<String, Long> ownWindows = new LinkedHashMap<>(windows);
      limits.clear();
      windows.clear();
      for (Quota.Limit l : b.dimensions()) {
        if (!ownLimits.containsKey(l.dimension())) {
          dimension(l.dimension(), l.limit(), l.window());
        } else {
          limits.put(l.dimension(), ownLimits.get(l.dimension()));
          windows.put(l.dimension(), ownWindows.get(l.dimension()));
        }
      }
      ownLimits.forEach((d, limit) -> {
        limits.putIfAbsent(d, limit);
        windows.putIfAbsent(d, ownWindows.get(d));
      });
      if (maxBypass < 0) {
        b.maxBypass().ifPresent(this::maxBypass);
      }
    }

    /**
     * A dimension the server limits to {@code limit} per {@code window}, in an exact sliding
     * window (the published quota; several instances sharing it configure their share).
     *
     * @throws IllegalArgumentException if the name is empty or repeated, the limit not positive
     *     or the window not positive
     */
    public Builder dimension(String dimension, long limit, Duration window) {
      Args.requireNonNull(dimension, "dimension");
      if (dimension.isEmpty()) {
        throw new IllegalArgumentException("dimension must not be empty");
      }
      if (limits.containsKey(dimension)) {
        throw new IllegalArgumentException("dimension " + dimension + " is already added");
      }
      Args.requirePositive(limit, "limit of " + dimension);
      long w = Args.requirePositiveNanos(window, "window of " + dimension);
      limits.put(dimension, limit);
      windows.put(dimension, w);
      return this;
    }

    /**
     * How long the oldest waiter may be passed by smaller calls that fit before nobody may pass
     * it any more; default the shortest window. {@link Duration#ZERO} is strict
     * first-come-first-served.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxBypass(Duration maxBypass) {
      Args.requireUnset(this.maxBypass >= 0, "maxBypass");
      this.maxBypass = Args.requireNonNegativeNanos(maxBypass, "maxBypass");
      return this;
    }

    /**
     * Builds the window.
     *
     * @throws IllegalStateException if no dimension was added
     */
    public ServerWindow build() {
      applyBase();
      if (limits.isEmpty()) {
        throw new IllegalStateException("a ServerWindow needs at least one dimension");
      }
      return new ServerWindow(this, nameOr("server-window"), tickerOr(Ticker.system()), eventsOrDefault());
    }
  }
}
