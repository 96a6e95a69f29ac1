package io.throttlenet.queue;

import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Actions;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.core.internal.Trampoline;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A bulkhead: at most {@code limit} calls in flight; callers beyond it wait their turn in arrival
 * order (or give up after a bound they choose), and every call's end gives its slot back with an
 * {@link Outcome} and a latency, for the adaptive controllers that move the limit ({@link
 * #setLimit}).
 *
 * <pre>{@code
 * ConcurrencyLimit bulkhead = ConcurrencyLimit.of(10);
 * try (Permit permit = bulkhead.acquire()) {
 *   call();
 *   permit.success();
 * }
 * }</pre>
 *
 * <h2>Design</h2>
 *
 * The count in flight is one {@code int} changed by compare-and-set: while nobody waits, taking
 * and giving back a slot is a CAS each, with no lock, no clock read (unless somebody listens for
 * latencies) and, through {@link #decorate}, no allocation. Only callers that must wait take the
 * short lock that guards the FIFO of waiters; it is never held while anyone waits or while user
 * code runs. A newcomer takes the fast path only while nobody waits, and a waiter re-checks for a
 * free slot after joining the queue while a releaser checks for waiters after giving its slot
 * back (both through volatile fields), so no release is missed. A slot given back goes straight
 * to the first waiter, and exactly that waiter is woken: there are no wake-up storms. Asynchronous waiters are completed after the lock is released, so their continuations
 * never run under it. Timeouts go through the {@link Ticker}'s scheduler, so a manual ticker
 * drives them in tests. A waiter that is interrupted, cancelled or times out leaves the queue; if
 * a slot was handed to it at that very moment, the slot passes on to the next waiter.
 *
 * <p>Running out of stack: a caller near the end of its stack may get a {@link
 * StackOverflowError} inside this class. It must never keep a slot for good, so on the paths
 * that take and give back slots ({@link #decorate}, {@link Permit#release}) the take is a
 * compare-and-set whose result is stored inside the {@code try} with no call in between, and the
 * give-back starts with the same compare-and-set, made from the frame that took (or checked) the
 * slot, which had room for it then. Handing the slot on to waiters and publishing events come
 * after; an overflow there may delay a waiter until the next release, but leaks nothing. What
 * no library code can promise: the JIT compiles methods one by one, so for a while the give-back
 * may run interpreted (larger frames) while the take ran compiled; and C2 may leave out a catch
 * block it never saw run, and deoptimising to run it needs stack that is not there. The guarantee
 * is thus exact for interpreted code and best-effort under the JIT.
 *
 * <p>Waiters here are served strictly in arrival order. For priorities, fairness across tenants,
 * deadlines or a bound on the waiters, put an {@link AdmissionQueue} in front ({@link
 * AdmissionQueue#builder(ConcurrencyLimit)}); callers of this limit's own verbs go before the
 * queue's.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyLimit implements Decorator<Object> {
  private final String name;
  private final Ticker ticker;
  private final Function<? super Throwable, Outcome> classifier;
  private final boolean defaultClassifier;
  private final EventPublisher<ConcurrencyEvent.Released> releasedEvents;
  private final EventPublisher<ConcurrencyEvent.Rejected> rejectedEvents;
  private final EventPublisher<ConcurrencyEvent.LimitChanged> limitEvents;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock
  private volatile int limit; // written under lock
  private volatile int inFlight; // changed by CAS (IN_FLIGHT)
  private volatile int waiting; // waiters.size(), written under lock
  // Admission queues built over this limit, pumped whenever a slot may have freed up.
  private volatile Runnable[] freedHooks = new Runnable[0];
  private final Trampoline handOver = new Trampoline(this::handOverOnce);
  private final Duration maxWait; // for decorate and decorateAsync
  private final long maxWaitNanos;
  private final int maxWaiters; // for every verb

  /** How long a decorated call waits for a slot unless the builder says otherwise: 30 seconds. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  /** How many callers may wait for a slot at once unless the builder says otherwise: 1024. */
  public static final int DEFAULT_MAX_WAITERS = 1024;

  private ConcurrencyLimit(Builder b, String name, Ticker ticker, EventRegistry events) {
    this.name = name;
    this.ticker = ticker;
    this.maxWait = b.maxWait != null ? b.maxWait : DEFAULT_MAX_WAIT;
    this.maxWaitNanos = Args.saturatedNanos(maxWait);
    this.maxWaiters = b.maxWaiters > 0 ? b.maxWaiters : DEFAULT_MAX_WAITERS;
    this.classifier = b.classifier != null ? b.classifier : t -> CallClassifier.defaults().classify(null, t);
    this.defaultClassifier = b.classifier == null;
    this.limit = b.limit;
    this.releasedEvents = events.publisher(ConcurrencyEvent.Released.class, name);
    this.rejectedEvents = events.publisher(ConcurrencyEvent.Rejected.class, name);
    this.limitEvents = events.publisher(ConcurrencyEvent.LimitChanged.class, name);
  }

  /**
   * At most {@code limit} calls in flight.
   *
   * @throws IllegalArgumentException if {@code limit < 1}
   */
  public static ConcurrencyLimit of(int limit) {
    return builder().limit(limit).build();
  }

  /** A builder; {@link Builder#limit} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * This limit's configuration with every option filled in: the current limit, the waits and the
   * classifier (empty if the default). Feed it to {@link Builder#from} for a limit like this one.
   */
  public ConcurrencyLimitConfig config() {
    return new ConcurrencyLimitConfig(
        OptionalInt.of(limit),
        Optional.of(maxWait),
        OptionalInt.of(maxWaiters),
        defaultClassifier ? Optional.empty() : Optional.of(classifier));
  }

  /** This limit's name, used in events and errors. */
  public String name() {
    return name;
  }

  /** The time source for latencies and timeouts. */
  public Ticker ticker() {
    return ticker;
  }

  /** The current limit. */
  public int limit() {
    return limit;
  }

  /** Calls in flight right now. */
  public int inFlight() {
    return inFlight;
  }

  /** Callers waiting for a slot right now. */
  public int waiting() {
    return waiting;
  }

  /** Takes a slot if one is free; never waits. Lock-free. */
  private boolean tryIncrement() {
    for (;;) {
      int f = inFlight;
      if (f >= limit) {
        return false;
      }
      if (casInFlight(f, f + 1)) {
        return true;
      }
    }
  }

  /** The fast path: a free slot, and nobody waiting to be served first. */
  private boolean takeFast() {
    return waiting == 0 && tryIncrement();
  }

  /**
   * Changes the limit. Raising it admits waiters at once; lowering it lets the calls in flight
   * finish and admits nobody until they are below the new limit. (A caller racing with the change
   * on the lock-free path may still be admitted under the old limit: the excess is at most the
   * callers admitted at that instant, and it drains as their calls end.)
   *
   * @throws IllegalArgumentException if {@code limit < 1}
   */
  public void setLimit(int limit) {
    Args.requireAtLeastOne(limit, "limit");
    int from;
    List<AsyncWaiter> granted;
    lock.lock();
    try {
      from = this.limit;
      this.limit = limit;
      granted = dispatch();
    } finally {
      lock.unlock();
    }
    complete(granted);
    freed();
    if (from != limit && limitEvents.hasListeners()) {
      limitEvents.publish(new ConcurrencyEvent.LimitChanged(name, from, limit));
    }
  }

  /** A slot if one is free now and nobody is waiting for one; never waits. */
  public Optional<Permit> tryAcquire() {
    if (takeFast()) {
      return Optional.of(newSlot());
    }
    rejected();
    return Optional.empty();
  }

  // ---- for an AdmissionQueue in front of this limit ----

  /** True if a slot is free and no caller of this limit's own verbs is waiting for one. */
  boolean hasFreeSlot() {
    return waiting == 0 && inFlight < limit;
  }

  /**
   * Like {@link #tryAcquire()}, but null instead of a rejection event when no slot is free. The
   * permit is built before the slot is taken, so that nothing can fail (a stack overflow) between
   * taking the slot and handing it over.
   */
  Permit tryTake() {
    if (!hasFreeSlot()) {
      return null;
    }
    Slot slot = newSlot();
    return takeFast() ? slot : null;
  }

  /**
   * Runs {@code hook} (outside this limit's lock) whenever a slot may have become free. The hook
   * lives as long as this limit: an admission queue over a limit lives as long as the limit.
   */
  synchronized void onFreed(Runnable hook) {
    Runnable[] hooks = Arrays.copyOf(freedHooks, freedHooks.length + 1);
    hooks[hooks.length - 1] = hook;
    freedHooks = hooks;
  }

  private void freed() {
    Actions.runAll(freedHooks); // every queue over this limit hears of the slot, even if one throws
  }

  /**
   * A slot, waiting for it in arrival order as long as needed.
   *
   * @throws BulkheadFullException at once if {@link #maxWaiters()} callers already wait
   * @throws InterruptedException if interrupted while waiting; the caller leaves the queue
   */
  public Permit acquire() throws InterruptedException {
    return acquire(Long.MAX_VALUE, true).orElseThrow(this::lineFull); // a full line throws inside
  }

  /** The most a decorated call waits for a slot. */
  public Duration maxWait() {
    return maxWait;
  }

  /** The most callers that may wait for a slot at once. */
  public int maxWaiters() {
    return maxWaiters;
  }

  private BulkheadFullException lineFull() {
    return new BulkheadFullException(name, limit, null, maxWaiters);
  }

  /**
   * A slot, waiting for it in arrival order at most {@code maxWait}.
   *
   * @return the permit, or empty if none was free in time (or {@link #maxWaiters()} callers
   *     already wait)
   * @throws InterruptedException if interrupted while waiting; the caller leaves the queue
   */
  public Optional<Permit> tryAcquire(Duration maxWait) throws InterruptedException {
    return acquire(Args.requireNonNegativeNanos(maxWait, "maxWait"), false);
  }

  /**
   * A slot, asynchronously: the stage completes when one is handed to this caller, in arrival
   * order. Cancelling the stage leaves the queue.
   */
  public CompletionStage<Permit> acquireAsync() {
    return acquireAsync(Long.MAX_VALUE);
  }

  /**
   * A slot, asynchronously, waiting at most {@code maxWait}: the stage completes when one is
   * handed to this caller, in arrival order, or fails with a {@link BulkheadFullException} when
   * the wait ends first (or {@link #maxWaiters()} callers already wait). Cancelling the stage
   * leaves the queue.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   */
  public CompletionStage<Permit> acquireAsync(Duration maxWait) {
    return acquireAsync(Args.requireNonNegativeNanos(maxWait, "maxWait"));
  }

  private CompletionStage<Permit> acquireAsync(long maxWaitNanos) {
    long deadline = maxWaitNanos == Long.MAX_VALUE ? 0 : ticker.read() + maxWaitNanos;
    if (takeFast()) {
      return CompletableFuture.completedStage(newSlot());
    }
    if (maxWaitNanos == 0) {
      rejected();
      return CompletableFuture.failedStage(new BulkheadFullException(name, limit, Duration.ZERO, maxWaiters));
    }
    AsyncWaiter w = new AsyncWaiter();
    List<AsyncWaiter> granted;
    boolean full = false;
    lock.lock();
    try {
      if (waiters.size() >= maxWaiters) {
        full = true;
        granted = null;
      } else {
        waiters.add(w);
        waiting = waiters.size();
        granted = dispatch(); // a slot given back since the fast path failed goes to the first
      }
    } finally {
      lock.unlock();
    }
    if (full) {
      rejected();
      return CompletableFuture.failedStage(lineFull());
    }
    complete(granted);
    if (maxWaitNanos != Long.MAX_VALUE && !w.future.isDone()) {
      Ticker.Scheduled timer =
          ticker.schedule(deadline, () -> {
            if (w.future.completeExceptionally(
                new BulkheadFullException(name, limit, Duration.ofNanos(maxWaitNanos), maxWaiters))) {
              rejected();
            }
          });
      w.future.whenComplete((permit, failure) -> timer.cancel());
    }
    w.future.whenComplete(
        (permit, failure) -> {
          if (failure != null) {
            leave(w);
          }
        });
    // The caller gets a view, not the internal future: whatever the caller does with it
    // (cancel, complete, obtrude) a slot handed over is either delivered or given back.
    CompletableFuture<Permit> view = new CompletableFuture<>();
    w.future.whenComplete(
        (permit, failure) -> {
          if (failure != null) {
            view.completeExceptionally(failure);
          } else if (!view.complete(permit)) {
            permit.ignore(); // the caller finished the view itself: nobody will use this slot
          }
        });
    view.whenComplete(
        (permit, failure) -> {
          if (!w.future.isDone()) {
            w.future.cancel(false); // leave the queue
          }
        });
    return view;
  }

  /**
   * Makes {@code call} in a slot. Overflow-safe (see "Running out of stack" in the class comment):
   * the slot is taken inside the {@code try}, and given back by one compare-and-set from this
   * frame before anything else runs.
   */
  @Override
  public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      boolean held = false; // set by the take itself: no call runs between the CAS and this store
      boolean timed = false;
      long start = 0;
      R result;
      try {
        held = takeFast(); // no permit object on the fast path: the slot is given back right here
        if (!held) {
          return callWithPermit(call);
        }
        timed = releasedEvents.hasListeners();
        start = timed ? ticker.read() : 0;
        result = call.get();
      } catch (Throwable t) {
        if (held) {
          released(t, decrement(), start, timed);
        }
        throw t;
      }
      released(null, decrement(), start, timed);
      return result;
    };
  }

  /** The slow path of {@link #decorate}: waits for a slot, then makes the call under its permit. */
  private <R> R callWithPermit(CheckedSupplier<R> call) throws Exception {
    Permit permit = null;
    try {
      permit = acquire(maxWaitNanos, true).orElseThrow(this::waitedInVain); // a full line throws inside
      R result = call.get();
      permit.success();
      return result;
    } catch (Throwable t) {
      if (permit != null) {
        permit.release(classifyOrIgnore(t)); // a no-op if success() got as far as releasing
      }
      throw t;
    }
  }

  /** {@link #classify}, or IGNORED if even that overflows the stack: the slot matters more. */
  private Outcome classifyOrIgnore(Throwable failure) {
    try {
      return classify(failure);
    } catch (Throwable e) {
      return Outcome.IGNORED;
    }
  }

  @Override
  public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () ->
        Stages.afterGrant(
            acquireAsync(maxWaitNanos).toCompletableFuture(),
            permit -> Permits.callReleasing(permit, call, this::classify),
            Permit::ignore); // the caller gave up before the call started
  }

  @Override
  public String toString() {
    return "ConcurrencyLimit[" + name + ", " + inFlight() + "/" + limit() + "]";
  }

  /** A decorated call waited its whole {@code maxWait} and got no slot. */
  private BulkheadFullException waitedInVain() {
    return new BulkheadFullException(name, limit, maxWait, maxWaiters);
  }

  // ---- waiting ----

  /**
   * A slot within {@code maxWaitNanos}, or empty if none came in time; a caller arriving at a full
   * line gets empty too, or a {@link BulkheadFullException} if {@code throwWhenFull}, so that the
   * two refusals are never confused.
   */
  private Optional<Permit> acquire(long maxWaitNanos, boolean throwWhenFull) throws InterruptedException {
    // The deadline counts from the call, before the caller is visible in the queue.
    long deadline = maxWaitNanos == Long.MAX_VALUE ? 0 : ticker.read() + maxWaitNanos;
    if (takeFast()) {
      return Optional.of(newSlot());
    }
    if (maxWaitNanos == 0) {
      rejected();
      return Optional.empty();
    }
    SyncWaiter w = new SyncWaiter(lock.newCondition());
    List<AsyncWaiter> granted = null;
    boolean full;
    lock.lock();
    try {
      full = waiters.size() >= maxWaiters;
      if (!full) {
        waiters.add(w);
        waiting = waiters.size();
        granted = dispatch(); // a slot given back since the fast path failed goes to the first
      }
    } finally {
      lock.unlock();
    }
    if (full) {
      rejected();
      if (throwWhenFull) {
        throw lineFull();
      }
      return Optional.empty();
    }
    complete(granted);
    Ticker.Scheduled timeout = null;
    if (maxWaitNanos != Long.MAX_VALUE) {
      try {
        timeout = ticker.schedule(deadline, () -> timeOut(w));
      } catch (RuntimeException | Error e) {
        timeOut(w); // leave the queue (or pass on a slot already handed over) before failing
        if (w.granted) {
          giveBack();
        }
        throw e;
      }
    }
    InterruptedException interrupted = null;
    lock.lock();
    try {
      while (!w.done) {
        try {
          w.condition.await();
        } catch (InterruptedException e) {
          interrupted = e;
          if (!w.done) {
            waiters.remove(w);
            waiting = waiters.size();
            w.done = true;
          }
        }
      }
    } finally {
      lock.unlock();
      if (timeout != null) {
        timeout.cancel();
      }
    }
    if (interrupted != null) {
      if (w.granted) {
        giveBack(); // granted at the very moment of the interrupt: the slot passes on
      }
      throw interrupted;
    }
    if (!w.granted) {
      rejected();
      return Optional.empty();
    }
    return Optional.of(newSlot());
  }

  private void timeOut(SyncWaiter w) {
    lock.lock();
    try {
      if (!w.done) {
        waiters.remove(w);
        waiting = waiters.size();
        w.done = true;
        w.condition.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void leave(AsyncWaiter w) {
    lock.lock();
    try {
      waiters.remove(w);
      waiting = waiters.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands free slots to the first waiters, with the lock held; returns asynchronous ones to
   * complete after unlocking.
   */
  private List<AsyncWaiter> dispatch() {
    List<AsyncWaiter> granted = null;
    while (!waiters.isEmpty() && tryIncrement()) {
      Waiter w = waiters.poll();
      waiting = waiters.size();
      if (w instanceof SyncWaiter s) {
        s.granted = true;
        s.done = true;
        s.condition.signal();
      } else {
        if (granted == null) {
          granted = new ArrayList<>(2);
        }
        granted.add((AsyncWaiter) w);
      }
    }
    return granted;
  }

  /** Completes granted asynchronous waiters, outside the lock; a cancelled one passes its slot on. */
  private void complete(List<AsyncWaiter> granted) {
    if (granted == null) {
      return;
    }
    Throwable first = null;
    for (AsyncWaiter w : granted) {
      try {
        Slot slot;
        try {
          slot = newSlot();
        } catch (RuntimeException | Error e) {
          w.future.completeExceptionally(e); // a broken ticker: fail the waiter, keep no slot
          giveBack();
          throw e;
        }
        if (!w.future.complete(slot)) {
          giveBack();
        }
      } catch (RuntimeException | Error e) {
        if (first == null) {
          first = e; // the others must still get their slots
        }
      }
    }
    Actions.rethrow(first);
  }

  /** Gives a slot back without reporting an outcome (it was handed to a caller who had left). */
  private void giveBack() {
    decrement();
    afterRelease();
  }

  /**
   * After a slot came back: the first waiter, then any queue over this limit, may take it.
   * Completing an asynchronous waiter runs its continuation, which may give a slot back at once on
   * this thread; the {@link Trampoline} turns that into one more round instead of a nested call.
   */
  private void afterRelease() {
    if (waiting != 0 || freedHooks.length != 0) { // read after the decrement: see the class comment
      handOver.run();
    }
  }

  private void handOverOnce() {
    if (waiting != 0) {
      List<AsyncWaiter> granted;
      lock.lock();
      try {
        granted = dispatch();
      } finally {
        lock.unlock();
      }
      complete(granted);
    }
    freed();
  }

  /**
   * The essential step of giving a slot back, done first and with no more stack than the take
   * used ({@link #tryIncrement}: the same shape over the same compare-and-set, which every slot
   * given back runs as often as every slot taken, so the JIT treats both alike), so that a stack
   * overflow can only strike before the take or after this.
   */
  private int decrement() {
    for (;;) {
      int f = inFlight;
      if (casInFlight(f, f - 1)) {
        return f - 1;
      }
    }
  }

  /** The one compare-and-set on the count in flight, shared by taking and giving back. */
  private boolean casInFlight(int from, int to) {
    return IN_FLIGHT.compareAndSet(this, from, to);
  }

  /**
   * After a slot came back ({@link #decrement}): hands it on, then reports how its call ended,
   * with the outcome a {@code failure} stands for (null: success).
   */
  private void released(Throwable failure, int left, long start, boolean timed) {
    afterRelease();
    publishReleased(failure == null ? Outcome.SUCCESS : classify(failure), left, start, timed);
  }

  /** Reports how a call that held a slot ended, if anybody listens. */
  private void publishReleased(Outcome outcome, int left, long start, boolean timed) {
    if (releasedEvents.hasListeners()) {
      long latency = timed ? Math.max(0, ticker.read() - start) : 0;
      releasedEvents.publish(new ConcurrencyEvent.Released(name, outcome, Duration.ofNanos(latency), left, limit));
    }
  }

  /** A permit for a slot just taken; its start is read only if somebody listens for latencies. */
  private Slot newSlot() {
    boolean timed = releasedEvents.hasListeners();
    return new Slot(timed ? ticker.read() : 0, timed);
  }

  private void rejected() {
    if (rejectedEvents.hasListeners()) {
      rejectedEvents.publish(new ConcurrencyEvent.Rejected(name, limit));
    }
  }

  /** The outcome a failure stands for; a throwing classifier counts as IGNORED and is kept. */
  Outcome classify(Throwable failure) {
    try {
      return Args.requireNonNull(classifier.apply(failure), "outcome");
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
      return Outcome.IGNORED;
    }
  }

  private abstract static class Waiter {}

  private static final class SyncWaiter extends Waiter {
    final Condition condition;
    boolean done; // guarded by lock
    boolean granted; // guarded by lock

    SyncWaiter(Condition condition) {
      this.condition = condition;
    }
  }

  private static final class AsyncWaiter extends Waiter {
    final CompletableFuture<Permit> future = new CompletableFuture<>();
  }

  /** One slot; the first report gives it back, with the call's outcome and latency. */
  private final class Slot implements Permit {
    private final long start;
    private final boolean timed;
    private volatile int released; // 0, then 1 by CAS (RELEASED)

    Slot(long start, boolean timed) {
      this.start = start;
      this.timed = timed;
    }

    @Override
    public void release(Outcome outcome) {
      Args.requireNonNull(outcome, "outcome");
      if (RELEASED.compareAndSet(this, 0, 1)) {
        int left = decrement(); // first: see "Running out of stack"
        afterRelease();
        publishReleased(outcome, left, start, timed);
      }
    }
  }

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle RELEASED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(ConcurrencyLimit.class, "inFlight", int.class);
      RELEASED = lookup.findVarHandle(Slot.class, "released", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Builds a {@link ConcurrencyLimit}; each option may be set once. The shared options ({@link
   * ComponentBuilder}) default to a unique name such as {@code "concurrency-limit-1"}, {@link Ticker#system()}
   * and the default event registry. Not thread-safe.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private int limit;
    private Function<? super Throwable, Outcome> classifier;
    private Duration maxWait;
    private int maxWaiters;
    private ConcurrencyLimitConfig base;
    private boolean baseApplied;

    private Builder() {}

    /**
     * Starts from {@code base}: each option it sets applies unless set on this builder, so one
     * configuration is derived from another. Every value taken from it is checked as if set here.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder from(ConcurrencyLimitConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The options set (and those of {@link #from}'s configuration not overridden), checked, as a
     * value; unset options stay empty, the limit included.
     */
    public ConcurrencyLimitConfig config() {
      if (base == null || baseApplied) {
        return own();
      }
      // On a scratch builder, so that this one stays as it was: options may still be set here.
      Builder merged = new Builder();
      merged.fillFrom(own());
      merged.fillFrom(base);
      return merged.own();
    }

    /** The options set on this builder, as a value. */
    private ConcurrencyLimitConfig own() {
      return new ConcurrencyLimitConfig(
          limit > 0 ? OptionalInt.of(limit) : OptionalInt.empty(),
          Optional.ofNullable(maxWait),
          maxWaiters > 0 ? OptionalInt.of(maxWaiters) : OptionalInt.empty(),
          Optional.ofNullable(classifier));
    }

    /** Takes the base's options once, before building (see {@link #fillFrom}). */
    private void applyBase() {
      if (base != null && !baseApplied) {
        baseApplied = true;
        fillFrom(base);
      }
    }

    /** Takes each option not set here from {@code b}, through its setter so it is checked. */
    private void fillFrom(ConcurrencyLimitConfig b) {
      if (limit == 0) {
        b.limit().ifPresent(this::limit);
      }
      if (maxWait == null) {
        b.maxWait().ifPresent(this::maxWait);
      }
      if (maxWaiters == 0) {
        b.maxWaiters().ifPresent(this::maxWaiters);
      }
      if (classifier == null) {
        b.classifier().ifPresent(this::classify);
      }
    }

    /**
     * The most a decorated call ({@link #decorate}, {@link #decorateAsync}, a {@code Decorators}
     * step) waits for a slot before failing with a {@link BulkheadFullException}; default {@link
     * #DEFAULT_MAX_WAIT}. {@code Duration.ZERO} fails at once when no slot is free. The explicit
     * verbs take their own bound.
     *
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException if already set
     */
    public Builder maxWait(Duration maxWait) {
      Args.requireUnset(this.maxWait != null, "maxWait");
      Args.requireNonNegativeNanos(maxWait, "maxWait");
      this.maxWait = maxWait;
      return this;
    }

    /**
     * The most callers that may wait for a slot at once, by any verb; a caller arriving at a full
     * line is refused at once ({@link BulkheadFullException}, or an empty answer from {@code
     * tryAcquire}). Default {@link #DEFAULT_MAX_WAITERS}.
     *
     * @throws IllegalArgumentException if less than 1
     * @throws IllegalStateException if already set
     */
    public Builder maxWaiters(int maxWaiters) {
      Args.requireUnset(this.maxWaiters != 0, "maxWaiters");
      Args.requireAtLeastOne(maxWaiters, "maxWaiters");
      this.maxWaiters = maxWaiters;
      return this;
    }

    /**
     * The most calls in flight. Required.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder limit(int limit) {
      Args.requireUnset(this.limit != 0, "limit");
      Args.requireAtLeastOne(limit, "limit");
      this.limit = limit;
      return this;
    }

    /**
     * The outcome a decorated call's exception stands for; by default what {@link
     * CallClassifier#defaults()} says (a timeout is {@link Outcome#DROPPED}, a rejection or an
     * interrupt {@link Outcome#IGNORED}, anything else {@link Outcome#FAILURE}).
     */
    public Builder classify(Function<? super Throwable, Outcome> classifier) {
      Args.requireUnset(this.classifier != null, "classify");
      this.classifier = Args.requireNonNull(classifier, "classifier");
      return this;
    }

    /**
     * Builds the limit.
     *
     * @throws IllegalStateException if no limit was set
     */
    public ConcurrencyLimit build() {
      applyBase();
      if (limit == 0) {
        throw new IllegalStateException("limit must be set");
      }
      return new ConcurrencyLimit(this, nameOr("concurrency-limit"), tickerOr(Ticker.system()), eventsOrDefault());
    }
  }
}
