package io.throttlenet.adaptive;

import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.AdjustableMultiLimiter;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.MultiLimiterEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps a local limiter within the budget a server reports on each response, so that a client
 * configured from a published quota neither overshoots it (other consumers of the same key, a
 * quota lower than documented) nor waits on a budget the server has already refilled.
 *
 * <pre>{@code
 * HeaderSync sync = HeaderSync.builder(llm)          // a MultiLimiter: requests and tokens
 *     .map("requests", "requests")                    // server dimension -> local dimension
 *     .map("tokens", "tokens")
 *     .build();
 * Supplier<HttpResponse<String>> call =
 *     Decorators.ofSupplier(() -> client.send(request, ofString()))
 *         .withHeaderSync(sync, response -> response.headers().map())
 *         .withThrottle(llm, costs)
 *         .decorate();
 * }</pre>
 *
 * <p>On each response, for every mapped dimension the server reported:
 *
 * <ul>
 *   <li><b>Remaining.</b> What the local limiter has available is lowered to at most the server's
 *       {@code remaining} (divided by the {@linkplain Builder#fleetSize fleet size}, when several
 *       instances share the key) minus the cost of this client's calls the server had not yet
 *       counted: those granted after this call began. That estimate errs on the safe side, and
 *       more so for long calls. The local limiter is never raised by the server's figures:
 *       handing out budget the server shows as free (another client's leftovers, or a count not
 *       yet updated) turned into 429s in every variant tried.
 *   <li><b>Pauses.</b> A retry hint ({@code Retry-After}, {@code retry-after-ms}, ...) pauses
 *       every caller of the limiter, in every dimension, until it has passed; a {@code remaining}
 *       of 0 with a reset time pauses that dimension until the reset. A pause is shared: callers
 *       waiting in a {@link MultiLimiter}'s line are woken when it ends, not polled; see {@link
 *       RateLimiter#pauseUntil} for what is available when it ends.
 *   <li><b>Limit.</b> A server limit other than the local capacity times the fleet size publishes
 *       a {@link HeaderSyncEvent.LimitMismatch}; with {@link Builder#adoptServerLimit} a token
 *       bucket's rate ({@link AdjustableRateLimiter}: a {@link Throttle}, a {@code
 *       RedisThrottle}) follows it (its burst stays), and so does a {@link ServerWindow}'s limit
 *       ({@link ServerWindow#setLimit}).
 *   <li><b>Other consumers.</b> When the server counts clearly more spent in a window than this
 *       client spent, a {@link HeaderSyncEvent.OtherConsumers} event says so, with an estimate.
 * </ul>
 *
 * <p><b>Which limiter.</b> Against a server that enforces an exact sliding window, a {@link
 * ServerWindow} at the published quota (or at its share, with {@link Builder#fleetSize}) spends
 * all of it without 429s on its own; the sync then only finds others spending the same quota. It
 * treats a {@code ServerWindow} apart: the window already counts its calls in flight, so nothing
 * granted since is subtracted again; what the server counts beyond this window's own calls is
 * held back as others' (beyond the rest of a known fleet's shares; without a fleet size, this
 * client takes the part of the free room in proportion to its own part of the server's count, and
 * a lower estimate waits for the one held to give way, since the room a response shows is mostly
 * what other instances just freed and are about to spend again); a
 * used-up dimension is not held until its reset, which the window reaches by itself. Token
 * buckets ({@link AdjustableRateLimiter}s such as {@link Throttle}) follow as described above.
 *
 * <p>The sync learns what was granted from the limiter's own events, so it must be built with the
 * {@link EventRegistry} the limiter publishes to (both default to {@link
 * EventRegistry#defaultRegistry()}). Nothing the server sends can make it throw: unreadable
 * headers are ignored, and a failure to read a response never changes the call's outcome.
 *
 * <p>Thread-safe. {@link #close()} stops following the limiter's grants.
 */
public final class HeaderSync implements AutoCloseable {

  /** Others are reported when they spent more than this share of the server's limit. */
  private static final double OTHERS_THRESHOLD = 0.05;

  private static final int SAMPLES = 1024;

  private final String name;
  private final Ticker ticker;
  private final Clock clock;
  private final RateLimitHeaders.Parser parser;
  private final Target target;
  private final String[] serverNames;
  private final int[] localOf;
  private final long fleet;
  private final boolean adopt;
  private final AtomicLongArray granted;
  /** How many grants made up {@link #granted}, per local dimension (for the average cost). */
  private final AtomicLongArray grants;
  private final Dimension[] locals;
  private final Subscription subscription;
  private final EventPublisher<HeaderSyncEvent.Paused> pausedEvents;
  private final EventPublisher<HeaderSyncEvent.LimitMismatch> mismatchEvents;
  private final EventPublisher<HeaderSyncEvent.OtherConsumers> othersEvents;

  private HeaderSync(Builder b, Target target, String name, EventRegistry events) {
    this.name = name;
    this.target = target;
    this.ticker = target.ticker();
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.parser = b.parser == null ? RateLimitHeaders.defaults() : b.parser;
    this.fleet = b.fleetSize;
    this.adopt = b.adopt;
    List<String> localNames = target.dimensions();
    Map<String, String> mapping = b.mapping.isEmpty() ? identity(localNames) : b.mapping;
    this.serverNames = mapping.keySet().toArray(String[]::new);
    this.localOf = new int[serverNames.length];
    for (int m = 0; m < serverNames.length; m++) {
      localOf[m] = localNames.indexOf(mapping.get(serverNames[m]));
    }
    this.granted = new AtomicLongArray(localNames.size());
    this.grants = new AtomicLongArray(localNames.size());
    this.locals = new Dimension[localNames.size()];
    for (int i = 0; i < locals.length; i++) {
      locals[i] =
          new Dimension(localNames.get(i), target.windowNanos(i), target.capacity(i), ticker.read());
    }
    this.pausedEvents = events.publisher(HeaderSyncEvent.Paused.class, name);
    this.mismatchEvents = events.publisher(HeaderSyncEvent.LimitMismatch.class, name);
    this.othersEvents = events.publisher(HeaderSyncEvent.OtherConsumers.class, name);
    this.subscription = target.follow(events, granted, grants);
  }

  private static Map<String, String> identity(List<String> names) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, n);
    }
    return m;
  }

  /** A sync for the dimensions of {@code limiter}; unless mapped otherwise, names match. */
  public static Builder builder(MultiLimiter limiter) {
    return builder((AdjustableMultiLimiter) limiter);
  }

  /**
   * A sync for the dimensions of any {@link AdjustableMultiLimiter}, such as a {@code
   * RedisMultiLimiter} whose budgets a fleet shares; unless mapped otherwise, names match. Its
   * token-bucket dimensions (those with a {@linkplain AdjustableMultiLimiter#permitsPerSecond
   * refill rate}) are followed as a {@link MultiLimiter}'s {@link Throttle}s are; others are
   * paused until the server's reset when it reports them used up.
   */
  public static Builder builder(AdjustableMultiLimiter limiter) {
    Args.requireNonNull(limiter, "limiter");
    return new Builder(new MultiTarget(limiter));
  }

  /**
   * A sync for a {@link ServerWindow}; unless mapped otherwise, dimension names match. A used-up
   * dimension is not held until the server's reset: the window frees nothing before then anyway.
   */
  public static Builder builder(ServerWindow window) {
    Args.requireNonNull(window, "window");
    return new Builder(new WindowTarget(window));
  }

  /**
   * A sync for a single limiter; {@link Builder#map} says which server dimension it follows
   * (required), for example {@code "requests"}.
   */
  public static Builder builder(RateLimiter limiter) {
    Args.requireNonNull(limiter, "limiter");
    return new Builder(new SingleTarget(limiter));
  }

  /** This sync's name, in its events. */
  public String name() {
    return name;
  }

  /**
   * Marks the start of a call, right after the limiter granted it; complete the returned handle
   * with the response. Cheap: it records how much had been granted so far.
   */
  public Call begin() {
    long[] start = new long[locals.length];
    for (int i = 0; i < start.length; i++) {
      start[i] = granted.get(i);
    }
    return new Call(start, ticker.read());
  }

  /**
   * Applies a status that belongs to no {@link #begin() begun} call (no correction for calls in
   * flight is possible then).
   */
  public void update(RateLimitStatus status) {
    Args.requireNonNull(status, "status");
    apply(status, null, ticker.read());
  }

  /**
   * A decorator that reads each result's headers with {@code headersOfResult} and applies them;
   * see {@link #decorator(Function, Function)}.
   */
  public <T> Decorator<T> decorator(
      Function<? super T, ? extends Map<String, List<String>>> headersOfResult) {
    return decorator(headersOfResult, failure -> null);
  }

  /**
   * A decorator that marks each call's start and applies the headers of its outcome: {@code
   * headersOfResult} for a result, {@code headersOfFailure} for a failure that carries a response
   * (return null when it carries none). Either function may return null or throw: the call's own
   * outcome is returned unchanged whatever happens while reading its headers. Put it inside the
   * throttle step, so that each call begins after its grant.
   */
  public <T> Decorator<T> decorator(
      Function<? super T, ? extends Map<String, List<String>>> headersOfResult,
      Function<? super Throwable, ? extends Map<String, List<String>>> headersOfFailure) {
    Args.requireNonNull(headersOfResult, "headersOfResult");
    Args.requireNonNull(headersOfFailure, "headersOfFailure");
    return new Decorator<>() {
      @Override
      public <R extends T> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          Call c = begin();
          R result;
          try {
            result = call.get();
          } catch (Exception | Error e) {
            c.completeQuietly(headersOfFailure, e);
            throw e;
          }
          c.completeQuietly(headersOfResult, result);
          return result;
        };
      }

      @Override
      public <R extends T> Supplier<CompletionStage<R>> decorateAsync(
          Supplier<? extends CompletionStage<R>> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          Call c = begin();
          CompletionStage<R> stage = call.get();
          return Stages.observe(
              stage,
              (result, failure) -> {
                if (failure == null) {
                  c.completeQuietly(headersOfResult, result);
                } else {
                  c.completeQuietly(headersOfFailure, Stages.unwrap(failure));
                }
              });
        };
      }
    };
  }

  /** Stops following the limiter's grants; statuses still apply, without in-flight correction. */
  @Override
  public void close() {
    subscription.close();
  }

  @Override
  public String toString() {
    return "HeaderSync[" + name + ", " + String.join(", ", serverNames) + "]";
  }

  /**
   * Applies {@code status}. The server's counts are as of some instant between the call's start
   * and now, so the limiter is bounded as of the start ({@code asOf}): bounding it as of now
   * would also take away the refill since, which the server gives back too as its window moves,
   * and cost a round trip of budget on every response. Pauses run from now, which is later than
   * the server's own reckoning.
   */
  private void apply(RateLimitStatus status, long[] start, long asOf) {
    long now = ticker.read();
    if (status.retryAfter().isPresent()) {
      long pause = nanos(status.retryAfter().get());
      if (pause > 0) {
        target.pauseAll(now + pause);
        if (pausedEvents.hasListeners()) {
          pausedEvents.publish(new HeaderSyncEvent.Paused(name, "*", Duration.ofNanos(pause)));
        }
      }
    }
    for (int m = 0; m < serverNames.length; m++) {
      int local = localOf[m];
      var found = status.dimension(serverNames[m]);
      if (found.isEmpty()) {
        continue;
      }
      RateLimitStatus.Dimension d = found.get();
      Dimension dim = locals[local];
      long total = granted.get(local);
      if (d.limit().isPresent()) {
        // First, so that what remains is read against the limit the server states (when it is
        // adopted), not against the one configured.
        dim.limit(local, d.limit().getAsLong());
      }
      if (d.remaining().isPresent()) {
        long remaining = d.remaining().getAsLong();
        long uncounted = start == null ? 0 : Math.max(0, total - start[local]);
        target.follow(local, remaining, fleet, uncounted, asOf);
        if (remaining == 0 && d.resetAfter().isPresent() && target.holdsAtReset()) {
          long pause = nanos(d.resetAfter().get());
          if (pause > 0) {
            hold(local, dim, now, pause);
            if (pausedEvents.hasListeners()) {
              pausedEvents.publish(
                  new HeaderSyncEvent.Paused(name, dim.name, Duration.ofNanos(pause)));
            }
          }
        }
        if (d.limit().isPresent()) {
          dim.others(d.limit().getAsLong(), remaining, total, now);
        }
      }
    }
  }

  /**
   * Holds a dimension the server reports used up until its reset. Where the local limiter's
   * refill is known (a token bucket), it is limited so that a call of this client's average cost
   * fits exactly at the reset and not before: refill goes on meanwhile, so the calls that follow
   * keep their pace (a drain would make the next one wait its whole cost again after the reset).
   * Otherwise the dimension is paused until the reset.
   */
  private void hold(int local, Dimension dim, long now, long pause) {
    long calls = grants.get(local);
    long average = calls == 0 ? 1 : Math.max(1, granted.get(local) / calls);
    long window = dim.window;
    if (window > 0 && target.refills(local)) {
      // available at now + pause = permits + pause · capacity / window  ==  average
      double refilled = (double) pause * dim.capacity / window;
      long permits = refilled >= Long.MAX_VALUE / 2 ? Long.MIN_VALUE / 2 : average - (long) Math.ceil(refilled);
      target.limit(local, permits, now);
    } else {
      target.pause(local, now + pause);
    }
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE / 4; // centuries: the limiters cap it to their own horizon
    }
  }

  /**
   * One call between its grant and its response. Complete it once; completing it again applies
   * the new status too (harmless: every adjustment only takes away).
   */
  public final class Call {
    private final long[] start;

    private final long startedAt;

    private Call(long[] start, long startedAt) {
      this.start = start;
      this.startedAt = startedAt;
    }

    /** Applies the rate-limit signals in {@code headers} (names case-insensitive). */
    public void complete(Map<String, List<String>> headers) {
      complete(headers, null);
    }

    /** Applies the signals in {@code headers} and {@code body} (may be null). */
    public void complete(Map<String, List<String>> headers, String body) {
      Args.requireNonNull(headers, "headers");
      complete(parser.parse(headers, body, clock.instant()));
    }

    /** Applies {@code status}. */
    public void complete(RateLimitStatus status) {
      Args.requireNonNull(status, "status");
      apply(status, start, startedAt);
    }

    private <X> void completeQuietly(
        Function<? super X, ? extends Map<String, List<String>>> headersOf, X outcome) {
      try {
        Map<String, List<String>> headers = headersOf.apply(outcome);
        if (headers != null) {
          complete(headers);
        }
      } catch (RuntimeException e) {
        // reading a response's signals must never change the call's outcome
      }
    }
  }

  /** Per local dimension: the window for estimating others, and what the server said before. */
  private final class Dimension {
    final String name;
    final long window;
    final long capacity;
    final AtomicLong lastServerLimit = new AtomicLong(Long.MIN_VALUE);
    // granted totals over time, for this client's spend in the last window; guarded by this
    private final long[] times = new long[SAMPLES];
    private final long[] totals = new long[SAMPLES];
    private int next;
    private int size;
    private long lastReport;
    private boolean reported;

    Dimension(String name, long window, long capacity, long createdAt) {
      this.name = name;
      this.window = window;
      this.capacity = capacity;
      times[0] = createdAt; // nothing granted before the sync began
      next = 1;
      size = 1;
    }

    void limit(int local, long serverLimit) {
      long previous = lastServerLimit.getAndSet(serverLimit);
      long expected = capacity * fleet;
      if (previous == serverLimit || serverLimit == expected || serverLimit <= 0) {
        return;
      }
      boolean adopted = adopt && target.adopt(local, serverLimit / fleet);
      if (mismatchEvents.hasListeners()) {
        mismatchEvents.publish(
            new HeaderSyncEvent.LimitMismatch(HeaderSync.this.name, name, serverLimit, expected, adopted));
      }
    }

    /** Records this client's total and reports others when the server counts clearly more. */
    synchronized void others(long serverLimit, long remaining, long total, long now) {
      if (window <= 0) {
        return;
      }
      times[next] = now;
      totals[next] = total;
      next = (next + 1) % SAMPLES;
      size = Math.min(size + 1, SAMPLES);
      if (!othersEvents.hasListeners()) {
        return;
      }
      // This client's spend in the last window: its total now less its total a window ago (or
      // at the oldest sample, which overstates it and so understates the others).
      long before = totals[(next - size + SAMPLES) % SAMPLES];
      for (int k = size - 1; k >= 0; k--) {
        int i = (next - 1 - k + SAMPLES) % SAMPLES; // oldest first
        if (now - times[i] <= window + window / 10) { // a margin for calls still travelling
          break;
        }
        before = totals[i];
      }
      long ours = (total - before) * fleet;
      long others = Math.max(0, serverLimit - remaining) - ours;
      if (others > Math.max(1, OTHERS_THRESHOLD * serverLimit)
          && (!reported || now - lastReport >= window)) {
        reported = true;
        lastReport = now;
        othersEvents.publish(
            new HeaderSyncEvent.OtherConsumers(
                HeaderSync.this.name, name, others, Duration.ofNanos(window)));
      }
    }
  }

  /** What a sync adjusts: a multi-dimensional limiter or a single one. */
  private interface Target {
    Ticker ticker();

    List<String> dimensions();

    long capacity(int dimension);

    /** The period over which the capacity refills, or 0 if unknown. */
    long windowNanos(int dimension);

    void limit(int dimension, long permits, long now);

    /**
     * Bounds the dimension by the server's {@code remaining}, shared by {@code fleet} instances,
     * as of {@code asOf}; {@code uncounted} is what was granted since then.
     */
    default void follow(int dimension, long remaining, long fleet, long uncounted, long asOf) {
      limit(dimension, remaining / fleet - uncounted, asOf);
    }

    void pause(int dimension, long until);

    void pauseAll(long until);

    /** Sets the dimension's rate to {@code limit} per its window, if it can. */
    boolean adopt(int dimension, long limit);

    /**
     * Whether a dimension the server reports used up is held until its reset. A {@link
     * ServerWindow} is not: it already frees nothing before its own calls leave the server's
     * window, and holding it until a reset rounded up to the millisecond cost several points of
     * the budget.
     */
    default boolean holdsAtReset() {
      return true;
    }

    /** Whether the dimension refills steadily at capacity per window (a token bucket). */
    boolean refills(int dimension);

    Subscription follow(EventRegistry events, AtomicLongArray granted, AtomicLongArray grants);
  }

  private static long windowOf(RateLimiter l) {
    if (l instanceof AdjustableRateLimiter t) {
      return (long) (t.capacity() * 1e9 / t.permitsPerSecond());
    }
    if (l instanceof SlidingWindowLog w) {
      return w.window().toNanos();
    }
    return 0;
  }

  private static boolean adoptInto(RateLimiter l, long window, long limit) {
    if (l instanceof AdjustableRateLimiter t && window > 0 && limit > 0) {
      try {
        t.setRate(limit * 1e9 / window);
        return true;
      } catch (IllegalArgumentException outOfRange) {
        return false;
      }
    }
    return false;
  }

  /**
   * Several dimensions adjusted by name. The windows and which dimensions refill steadily are
   * found once, when the sync is built: from each dimension's own limiter for a {@link
   * MultiLimiter} (a sliding window's length is known too), from the refill rate otherwise.
   */
  private static final class MultiTarget implements Target {
    private final AdjustableMultiLimiter limiter;
    private final List<String> names;
    private final long[] windows;
    private final boolean[] refills;

    MultiTarget(AdjustableMultiLimiter limiter) {
      this.limiter = limiter;
      this.names = List.copyOf(limiter.dimensions());
      this.windows = new long[names.size()];
      this.refills = new boolean[names.size()];
      for (int i = 0; i < windows.length; i++) {
        String name = names.get(i);
        double rate = limiter.permitsPerSecond(name);
        refills[i] = !Double.isNaN(rate);
        if (limiter instanceof MultiLimiter local) {
          windows[i] = windowOf(local.limiter(name));
        } else if (refills[i]) {
          windows[i] = (long) (limiter.capacity(name) * 1e9 / rate);
        }
      }
    }

    @Override
    public Ticker ticker() {
      return limiter.ticker();
    }

    @Override
    public List<String> dimensions() {
      return names;
    }

    @Override
    public long capacity(int dimension) {
      return limiter.capacity(names.get(dimension));
    }

    @Override
    public long windowNanos(int dimension) {
      return windows[dimension];
    }

    @Override
    public void limit(int dimension, long permits, long now) {
      limiter.limitAvailable(names.get(dimension), permits, now);
    }

    @Override
    public void pause(int dimension, long until) {
      limiter.pauseUntil(names.get(dimension), until);
    }

    @Override
    public void pauseAll(long until) {
      limiter.pauseUntil(until);
    }

    @Override
    public boolean adopt(int dimension, long limit) {
      long window = windows[dimension];
      if (!refills[dimension] || window <= 0 || limit <= 0) {
        return false;
      }
      try {
        limiter.setRate(names.get(dimension), limit * 1e9 / window);
        return true;
      } catch (IllegalArgumentException outOfRange) {
        return false;
      }
    }

    @Override
    public boolean refills(int dimension) {
      return refills[dimension];
    }

    @Override
    public Subscription follow(
        EventRegistry events, AtomicLongArray granted, AtomicLongArray grants) {
      return followMulti(events, limiter.name(), names, granted, grants);
    }
  }

  /** Adds what a multi-dimensional limiter's events say it granted to the running totals. */
  private static Subscription followMulti(
      EventRegistry events,
      String component,
      List<String> names,
      AtomicLongArray granted,
      AtomicLongArray grants) {
    return events.subscribe(
        MultiLimiterEvent.class,
        component,
        e -> {
          if (e instanceof MultiLimiterEvent.Acquired a) {
            for (int i = 0; i < names.size(); i++) {
              long c = a.costs().get(names.get(i));
              if (c != 0) {
                granted.addAndGet(i, c);
                grants.incrementAndGet(i);
              }
            }
          } else if (e instanceof MultiLimiterEvent.Settled s) {
            for (int i = 0; i < names.size(); i++) {
              Long c = s.delta().get(names.get(i));
              if (c != null && c != 0) {
                granted.addAndGet(i, c);
              }
            }
          }
        });
  }

  private static final class WindowTarget implements Target {
    private final ServerWindow window;
    private final List<String> names;

    WindowTarget(ServerWindow window) {
      this.window = window;
      this.names = window.dimensions();
    }

    @Override
    public Ticker ticker() {
      return window.ticker();
    }

    @Override
    public List<String> dimensions() {
      return names;
    }

    @Override
    public long capacity(int dimension) {
      return window.capacity(names.get(dimension));
    }

    @Override
    public long windowNanos(int dimension) {
      return window.window(names.get(dimension)).toNanos();
    }

    @Override
    public void limit(int dimension, long permits, long now) {
      window.limitAvailable(names.get(dimension), permits, now);
    }

    /**
     * The window counts calls in flight itself, so nothing granted since is subtracted again (the
     * server may have counted some of them already), and the fleet's own shares are no excess.
     */
    @Override
    public void follow(int dimension, long remaining, long fleet, long uncounted, long asOf) {
      window.followServer(dimension, remaining, fleet, uncounted, asOf);
    }

    @Override
    public void pause(int dimension, long until) {
      window.pauseUntil(names.get(dimension), until);
    }

    @Override
    public void pauseAll(long until) {
      window.pauseUntil(until);
    }

    @Override
    public boolean adopt(int dimension, long limit) {
      if (limit <= 0) {
        return false;
      }
      window.setLimit(names.get(dimension), limit);
      return true;
    }

    @Override
    public boolean refills(int dimension) {
      return false;
    }

    @Override
    public boolean holdsAtReset() {
      return false;
    }

    @Override
    public Subscription follow(
        EventRegistry events, AtomicLongArray granted, AtomicLongArray grants) {
      return followMulti(events, window.name(), names, granted, grants);
    }
  }

  private static final class SingleTarget implements Target {
    private final RateLimiter limiter;
    private final long window;

    SingleTarget(RateLimiter limiter) {
      this.limiter = limiter;
      this.window = windowOf(limiter);
    }

    @Override
    public Ticker ticker() {
      return limiter.ticker();
    }

    @Override
    public List<String> dimensions() {
      return List.of(limiter.name());
    }

    @Override
    public long capacity(int dimension) {
      return limiter.capacity();
    }

    @Override
    public long windowNanos(int dimension) {
      return window;
    }

    @Override
    public void limit(int dimension, long permits, long now) {
      limiter.limitAvailable(permits, now);
    }

    @Override
    public void pause(int dimension, long until) {
      limiter.pauseUntil(until);
    }

    @Override
    public void pauseAll(long until) {
      limiter.pauseUntil(until);
    }

    @Override
    public boolean adopt(int dimension, long limit) {
      return adoptInto(limiter, window, limit);
    }

    @Override
    public boolean refills(int dimension) {
      return limiter instanceof AdjustableRateLimiter;
    }

    @Override
    public Subscription follow(
        EventRegistry events, AtomicLongArray granted, AtomicLongArray grants) {
      return events.subscribe(
          LimiterEvent.Acquired.class,
          limiter.name(),
          e -> {
            granted.addAndGet(0, e.cost());
            grants.incrementAndGet(0);
          });
    }
  }

  /**
   * Builds a {@link HeaderSync}. The shared options ({@link ComponentBuilder}) default to a unique
   * name such as {@code "header-sync-1"} and the default event registry, which must be the one the
   * limiter publishes to; the ticker is always the limiter's. Not thread-safe; the sync is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final Target target;
    private final Map<String, String> mapping = new LinkedHashMap<>();
    private RateLimitHeaders.Parser parser;
    private Clock clock;
    private long fleetSize = 1;
    private boolean fleetSet;
    private boolean adopt;

    private Builder(Target target) {
      this.target = target;
    }

    /**
     * Follows the server's {@code serverDimension} (a name from {@link RateLimitHeaders}, such as
     * {@code "tokens"}) with the limiter's {@code localDimension}. For a single limiter, the local
     * name is the limiter's {@linkplain RateLimiter#name() name}; use {@link #map(String)}.
     * Without any mapping, a {@link MultiLimiter}'s dimensions follow the server's of the same
     * names.
     *
     * @throws IllegalArgumentException if the local dimension is unknown or the server dimension
     *     is already mapped
     */
    public Builder map(String serverDimension, String localDimension) {
      Args.requireNonNull(serverDimension, "serverDimension");
      Args.requireNonNull(localDimension, "localDimension");
      if (!target.dimensions().contains(localDimension)) {
        throw new IllegalArgumentException(
            "localDimension must be one of " + target.dimensions() + ", was " + localDimension);
      }
      if (mapping.putIfAbsent(serverDimension, localDimension) != null) {
        throw new IllegalArgumentException(
            "serverDimension " + serverDimension + " is already mapped to "
                + mapping.get(serverDimension));
      }
      return this;
    }

    /** For a sync built on a single limiter: follows the server's {@code serverDimension}. */
    public Builder map(String serverDimension) {
      return map(serverDimension, target.dimensions().get(0));
    }

    /** Parses with {@code parser}; default {@link RateLimitHeaders#defaults()}. */
    public Builder parser(RateLimitHeaders.Parser parser) {
      Args.requireUnset(this.parser != null, "parser");
      this.parser = Args.requireNonNull(parser, "parser");
      return this;
    }

    /**
     * The wall clock that dates responses (for servers that send absolute times); default
     * {@link Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      Args.requireUnset(this.clock != null, "clock");
      this.clock = Args.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many instances share the server's budget, each with a local limiter configured at its
     * share: each instance then takes at most its share of what the server reports left, and a
     * server limit equal to the local capacity times this is no mismatch. Default 1.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder fleetSize(int instances) {
      Args.requireUnset(fleetSet, "fleetSize");
      Args.requireAtLeastOne(instances, "fleetSize");
      this.fleetSize = instances;
      this.fleetSet = true;
      return this;
    }

    /**
     * Whether the limiter follows a server limit that differs from its capacity, divided by the
     * fleet size: a token bucket's rate ({@link AdjustableRateLimiter}) becomes it over the
     * bucket's refill period, a {@link ServerWindow}'s limit becomes it. Default false: the
     * mismatch is only reported.
     */
    public Builder adoptServerLimit(boolean adopt) {
      this.adopt = adopt;
      return this;
    }

    /**
     * Builds the sync and starts following the limiter's grants.
     *
     * @throws IllegalStateException if a sync on a single limiter has no mapping
     */
    public HeaderSync build() {
      if (target instanceof SingleTarget && mapping.isEmpty()) {
        throw new IllegalStateException(
            "a sync on a single limiter must map a server dimension, e.g. map(\"requests\")");
      }
      return new HeaderSync(this, target, nameOr("header-sync"), eventsOrDefault());
    }
  }
}
