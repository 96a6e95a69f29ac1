package io.throttlenet.queue;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Actions;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.HeadTimer;
import io.throttlenet.core.internal.Names;
import io.throttlenet.core.internal.SaturatedMath;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.core.internal.Trampoline;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A bounded queue in front of a limiter that decides who goes next: higher priority first, then
 * fairness across keys (deficit round robin by cost, so a tenant with a thousand requests queued
 * cannot starve one with a single request), then arrival order. Priority is strict unless the
 * queue lets waiters age ({@link Builder#ageing}). The limiter is either a {@link
 * RateLimiter} (the caller's turn charges its cost, which is spent: the {@link Permit} it gets is
 * {@link Permit#SPENT}) or a {@link ConcurrencyLimit} (the turn is a slot, and the caller gives it
 * back by releasing its {@link Permit} when the call ends; its cost only weighs its turn).
 *
 * <pre>{@code
 * AdmissionQueue<String> queue = AdmissionQueue.<String>builder(Throttle.perSecond(100))
 *     .capacity(1_000)
 *     .overflow(Overflow.DROP_LOWEST_PRIORITY)
 *     .build();
 * queue.acquire("tenant-42", 5, 1, Duration.ofSeconds(2));   // priority 5, cost 1, deadline 2 s
 *
 * AdmissionQueue<String> slots = AdmissionQueue.<String>builder(ConcurrencyLimit.of(8)).build();
 * try (Permit permit = slots.acquire("tenant-42", 0, 1, null)) {
 *   call();
 *   permit.success();
 * }
 * }</pre>
 *
 * <h2>Design</h2>
 *
 * One short lock guards the queue. Only the head of the line (the waiter the policy picks) ever
 * waits on the limiter: a single timer is set for the moment a rate limiter predicts it can afford
 * that waiter's cost (a concurrency limit instead calls the queue back when a slot is given back),
 * and when it fires (or when the queue changes) the queue grants as many waiters, in policy order,
 * as the limiter admits at once. Nobody else is woken, so there are no
 * wake-up storms, and a caller arriving while others wait never overtakes them. Waiters are never
 * dispatched after their deadline: each has a timer that removes it when the deadline passes, and
 * a caller whose predicted wait already exceeds its deadline is refused at once (a concurrency
 * limit predicts nothing, so there a deadline only bounds the wait). Completions, timers and
 * events run after the lock is released.
 *
 * <p>Running out of stack: a caller near the end of its stack may get a {@link
 * StackOverflowError} inside the queue; it must not keep a slot or the lock for good. The lock is
 * taken inside the {@code try} and given back if this thread's hold count grew ({@code lock()}
 * can overflow after locking); a turn is recorded on its waiter the moment it is taken, so that
 * a decorated call that fails before it holds its turn gives it back ({@code abandon}).
 *
 * <p>Deficit round robin: within a priority, keys take turns; a key's turn lets it spend up to its
 * accumulated credit (the quantum per turn, 1 by default), so cheap and expensive requests share
 * by cost. Rounds in which no key can afford its head are skipped at once, so selection costs
 * O(keys), not O(cost).
 *
 * <p>Thread-safe.
 *
 * @param <K> the key fairness is kept across (a tenant, an API key)
 */
public final class AdmissionQueue<K> {
  private static final Optional<Permit> SPENT_PERMIT = Optional.of(Permit.SPENT);

  private final Gate gate;
  private final String name;
  private final Ticker ticker;
  private final int capacity;
  private final long maxQueuedCost;
  private final Overflow overflow;
  private final long quantum;
  private final long ageingNanos; // 0: strict priority
  private final AdmissionQueueConfig.LimiterRef limiterRef; // null unless built from one
  private final EventPublisher<QueueEvent.Enqueued> enqueuedEvents;
  private final EventPublisher<QueueEvent.Dispatched> dispatchedEvents;
  private final EventPublisher<QueueEvent.Dropped> droppedEvents;
  private final EventPublisher<QueueEvent.Expired> expiredEvents;

  private final ReentrantLock lock = new ReentrantLock();
  // all guarded by lock
  private final TreeMap<Integer, Level> levels = new TreeMap<>(Comparator.reverseOrder());
  private final LinkedHashSet<Waiter> arrivals = new LinkedHashSet<>();
  // DROP_LOWEST_PRIORITY's victims in the order it drops them: an ordered index, so that making
  // room costs O(log n) instead of sorting the lower ranks on every overflow. Null for the other
  // policies, which never need it.
  private final TreeSet<Waiter> victimOrder;
  private volatile int size; // written under lock; read without it by the gauge and the hook
  private long queuedCost;
  private long sequence;
  // A turn being passed on by turnLeft: cost already charged to the limiter. Zero outside it.
  private long spare;
  private final HeadTimer pumpTimer;
  private final Trampoline drain = new Trampoline(this::drainOnce);

  private AdmissionQueue(Builder<K> b) {
    this.gate = b.gate;
    this.name = b.name != null ? b.name : Names.unique("admission-queue");
    this.ticker = b.gate.ticker();
    this.pumpTimer = new HeadTimer(ticker, lock, this::pumpNow);
    this.capacity = b.capacity > 0 ? b.capacity : 1024;
    this.maxQueuedCost = b.maxQueuedCost > 0 ? b.maxQueuedCost : Long.MAX_VALUE;
    this.overflow = b.overflow != null ? b.overflow : Overflow.REJECT;
    this.victimOrder =
        overflow == Overflow.DROP_LOWEST_PRIORITY
            ? new TreeSet<>(AdmissionQueue::victimFirst)
            : null;
    // A turn never needs more credit than the largest cost the limiter can grant.
    this.quantum = Math.min(b.quantum > 0 ? b.quantum : 1, Math.max(1, b.gate.capacity()));
    this.ageingNanos = b.ageingNanos;
    this.limiterRef = b.limiterRef;
    EventRegistry events = b.events != null ? b.events : EventRegistry.defaultRegistry();
    this.enqueuedEvents = events.publisher(QueueEvent.Enqueued.class, name);
    this.dispatchedEvents = events.publisher(QueueEvent.Dispatched.class, name);
    this.droppedEvents = events.publisher(QueueEvent.Dropped.class, name);
    this.expiredEvents = events.publisher(QueueEvent.Expired.class, name);
  }

  /**
   * A builder for a queue in front of {@code limiter}: a caller's turn charges its cost there. The
   * queue waits through the limiter's ticker.
   */
  public static <K> Builder<K> builder(RateLimiter limiter) {
    return new Builder<>(Gate.of(Args.requireNonNull(limiter, "limiter")));
  }

  /**
   * A builder for a queue in front of {@code limit}: a caller's turn is one of its slots, handed
   * over as a {@link Permit} to release when the call ends. The queue waits through the limit's
   * ticker. Callers of the limit's own verbs go before the queue; the queue stays registered with
   * the limit (to learn when slots free up) as long as the limit lives.
   */
  public static <K> Builder<K> builder(ConcurrencyLimit limit) {
    return new Builder<>(Gate.of(Args.requireNonNull(limit, "limit")));
  }

  /**
   * This queue's configuration with every option filled in (the defaults included; ageing empty
   * under strict priority, the limiter empty unless the builder's {@link Builder#from
   * configuration} named one). Feed it to {@link Builder#from} for a queue like this one.
   */
  public AdmissionQueueConfig config() {
    return new AdmissionQueueConfig(
        OptionalInt.of(capacity),
        maxQueuedCost == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(maxQueuedCost),
        Optional.of(overflow),
        OptionalLong.of(quantum),
        ageingNanos == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(ageingNanos)),
        Optional.ofNullable(limiterRef));
  }

  /**
   * A builder with no limiter, only for deriving configurations ({@link Builder#config()}): a
   * registry reads properties through it before it knows the limiter. Its build() refuses.
   */
  static Builder<String> forConfig() {
    return new Builder<>(null);
  }

  /** This queue's name, used in events and errors. */
  public String name() {
    return name;
  }

  /** Waiters in the queue right now (the depth gauge). */
  public int size() {
    return size;
  }

  /** The total cost of the waiters in the queue right now. */
  public long queuedCost() {
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      return queuedCost;
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
  }

  /**
   * Takes {@code cost} for {@code key} only if nobody is queued and the limiter grants it at once;
   * never waits, never overtakes a waiter.
   *
   * @return the permit (see {@link #acquire}), or empty if the caller would have to wait
   * @throws IllegalArgumentException if {@code cost} is negative
   */
  public Optional<Permit> tryAcquire(K key, long cost) {
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    Permit permit;
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      permit = size == 0 ? gate.take(cost, ticker.read()) : null;
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    return permit == null ? Optional.empty() : permit == Permit.SPENT ? SPENT_PERMIT : Optional.of(permit);
  }

  /**
   * Waits in the queue for {@code cost} for {@code key} at {@code priority} (higher goes first),
   * at most until {@code deadline} (null: no deadline).
   *
   * @return the caller's turn: over a rate limiter {@link Permit#SPENT} (nothing to give back),
   *     over a concurrency limit its slot, to release when the call ends
   * @throws QueueFullException if the queue was full (refused, or dropped later for a newcomer)
   * @throws DeadlineExceededException if the deadline passed, or was predicted to, before the turn
   * @throws CostExceedsCapacityException at once if the limiter can never grant {@code cost}, or
   *     if {@code cost} alone is more than the queue may hold ({@link Builder#maxQueuedCost})
   * @throws InterruptedException if interrupted while waiting; the caller leaves the queue
   */
  public Permit acquire(K key, int priority, long cost, Duration deadline) throws InterruptedException {
    Waiter w = newWaiter(key, priority, cost, deadline);
    join(w);
    return await(w);
  }

  /**
   * Joins the queue asynchronously; see {@link #acquire}. The stage completes when the caller's
   * turn comes (its cost is then charged), or fails with the same exceptions. Cancelling the
   * stage leaves the queue.
   */
  public CompletionStage<Permit> acquireAsync(K key, int priority, long cost, Duration deadline) {
    Waiter w = newWaiter(key, priority, cost, deadline);
    join(w);
    return view(w);
  }

  /** A caller's place in the queue, not yet joined; failed at once if it can never be served. */
  private Waiter newWaiter(K key, int priority, long cost, Duration deadline) {
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    long deadlineNanos = deadline == null ? -1 : Args.requireNonNegativeNanos(deadline, "deadline");
    long start = ticker.read();
    long deadlineAt = start + Math.max(deadlineNanos, 0);
    Waiter w = new Waiter(key, priority, cost, deadlineNanos >= 0, deadlineAt, start);
    if (cost > gate.capacity()) {
      w.future.completeExceptionally(
          new CostExceedsCapacityException(gate.name(), cost, gate.capacity()));
    } else if (cost > maxQueuedCost) {
      w.future.completeExceptionally(new CostExceedsCapacityException(name, cost, maxQueuedCost));
    }
    return w;
  }

  /** Serves {@code w} at once if nobody waits and the limiter admits it, else queues it. */
  private void join(Waiter w) {
    if (w.future.isDone()) {
      return; // refused up front
    }
    List<Runnable> after = new ArrayList<>(2);
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      long now = ticker.read(); // fresh: another thread may have held the lock a while
      Permit permit = size == 0 ? gate.take(w.cost, now) : null;
      if (permit != null) {
        w.turn = permit; // first, with no call in between: see abandon()
        after.add(() -> dispatched(w, now));
        w.future.complete(permit);
      } else if (isFullFor(w.cost) && overflow == Overflow.REJECT) {
        after.add(() -> dropped(w, false));
        w.future.completeExceptionally(full(false));
      } else {
        admit(w, now, after);
      }
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    runAll(after);
    afterJoin(w);
  }

  /** Waits for {@code w}'s turn; see {@link #acquire}. */
  private Permit await(Waiter w) throws InterruptedException {
    CompletableFuture<Permit> turn = w.future;
    Throwable failure;
    try {
      return turn.get();
    } catch (InterruptedException e) {
      if (turn.cancel(false)) {
        throw e; // left the queue
      }
      // decided at the very moment of the interrupt: report that outcome, keep the interrupt
      Thread.currentThread().interrupt();
      failure = turn.handle((ignored, f) -> f).join();
      if (failure == null) {
        return turn.join();
      }
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(failure);
  }

  /**
   * The caller of a decorated call will not use its turn: its call failed, or something failed
   * before it held the turn (a stack overflow may strike anywhere). Whatever it holds or will be
   * given goes back. Overflow-safe: the first steps are a volatile store and a read, so they run
   * even with no stack to spare; the turn, if taken, was recorded on the waiter the moment it was
   * taken ({@link Waiter#turn}), and a pump that grants it later sees {@link Waiter#abandoned}.
   */
  private void abandon(Waiter w, Throwable failure) {
    w.abandoned = true;
    Permit turn = w.turn;
    if (turn != null) {
      turn.release(classifyOrIgnore(failure)); // a no-op if already released
    } else {
      w.future.cancel(false); // still queued: leave (best effort; a later turn is passed on)
    }
  }

  /** The gate's outcome for {@code failure}, or IGNORED if even that overflows the stack. */
  private Outcome classifyOrIgnore(Throwable failure) {
    try {
      return gate.classify(failure);
    } catch (Throwable e) {
      return Outcome.IGNORED;
    }
  }

  /**
   * Queues newcomer {@code w}, making room by the overflow policy if needed, unless its deadline
   * is predicted to pass first. The prediction counts the queue as it will be once the policy has
   * made room: a waiter dropped for the newcomer no longer goes before it.
   */
  private void admit(Waiter w, long now, List<Runnable> after) {
    List<Waiter> victims = isFullFor(w.cost) ? victimsFor(w) : List.of();
    if (w.hasDeadline && predictedWait(w, now, victims) > w.deadline - now) {
      after.add(() -> expired(w, true));
      w.future.completeExceptionally(new DeadlineExceededException(name, true));
    } else if (victims == null) {
      after.add(() -> dropped(w, false));
      w.future.completeExceptionally(full(false));
    } else {
      drop(victims, after);
      add(w);
      int depth = size;
      after.add(() -> enqueued(w, depth));
      pump(now, after);
    }
  }

  /** After a newcomer's admission: its deadline timer and its departure on cancel. */
  private void afterJoin(Waiter w) {
    if (w.future.isDone()) {
      schedulePump();
      return;
    }
    if (w.hasDeadline) {
      Ticker.Scheduled timer = ticker.schedule(w.deadline, () -> expire(w));
      w.deadlineTimer = timer;
      if (w.future.isDone()) {
        timer.cancel(); // dispatched or dropped meanwhile: the timer must not keep it alive
      }
    }
    w.future.whenComplete(
        (ignored, failure) -> {
          if (failure instanceof CancellationException) {
            leave(w);
          }
        });
    schedulePump();
  }

  /**
   * What the caller gets: a view of the waiter's future, so that whatever the caller does with it
   * (cancel, time out, complete it) leaves the queue, and a turn nobody takes is given back.
   */
  private CompletableFuture<Permit> view(Waiter w) {
    CompletableFuture<Permit> view = new CompletableFuture<>();
    w.future.whenComplete(
        (permit, failure) -> {
          if (failure != null) {
            view.completeExceptionally(failure);
          } else if (!view.complete(permit)) {
            turnLeft(permit, w.cost, ticker.read()); // the caller finished the view itself
          }
        });
    view.whenComplete(
        (ignored, failure) -> {
          if (!w.future.isDone()) {
            w.future.cancel(false); // leave the queue
          }
        });
    return view;
  }

  /**
   * A decorator that queues every call it wraps for {@code key} at {@code priority} with {@code
   * cost} and {@code deadline} (null: none), then makes the call when its turn comes. Over a
   * concurrency limit, the slot is given back when the call ends, with the outcome the limit's
   * classifier gives a failure. The asynchronous form waits without holding a thread; cancelling
   * its stage leaves the queue.
   */
  public Decorator<Object> decorator(K key, int priority, long cost, Duration deadline) {
    Args.requireNonNull(key, "key");
    Args.requireNonNegative(cost, "cost");
    return new Decorator<>() {
      @Override
      public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          Waiter w = newWaiter(key, priority, cost, deadline);
          try {
            join(w);
            Permit permit = await(w);
            R result = call.get();
            permit.success();
            return result;
          } catch (Throwable t) {
            abandon(w, t); // whatever the caller holds goes back, even after a stack overflow
            throw t;
          }
        };
      }

      @Override
      public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
        Args.requireNonNull(call, "call");
        return () ->
            Stages.afterGrant(
                acquireAsync(key, priority, cost, deadline).toCompletableFuture(),
                permit -> Permits.callReleasing(permit, call, gate::classify),
                permit -> turnLeft(permit, cost, ticker.read())); // gave up as its turn came
      }
    };
  }

  @Override
  public String toString() {
    return "AdmissionQueue[" + name + ", " + size() + "/" + capacity + "]";
  }

  // ---- the queue: the methods below run with the lock held ----

  private void add(Waiter w) {
    Level level = levels.computeIfAbsent(w.priority, p -> new Level());
    KeyQueue kq = level.byKey.get(w.key);
    if (kq == null) {
      kq = new KeyQueue();
      level.byKey.put(w.key, kq);
      level.ring.addLast(kq);
    }
    kq.waiters.addLast(w);
    kq.queuedCost += w.cost;
    level.totalCost += w.cost;
    queuedCost += w.cost;
    w.seq = ++sequence;
    arrivals.add(w);
    if (victimOrder != null) {
      victimOrder.add(w);
    }
    w.queued = true;
    size++;
  }

  private void remove(Waiter w) {
    Level level = levels.get(w.priority);
    KeyQueue kq = level.byKey.get(w.key);
    // Waiters leave mostly from either end of their key's line (served or dropped as the
    // oldest: the first; dropped as the newest: the last), so look there before scanning.
    if (kq.waiters.peekFirst() == w) {
      kq.waiters.pollFirst();
    } else if (kq.waiters.peekLast() == w) {
      kq.waiters.pollLast();
    } else {
      kq.waiters.removeFirstOccurrence(w);
    }
    kq.queuedCost -= w.cost;
    if (kq.waiters.isEmpty()) {
      level.byKey.remove(w.key);
      level.ring.remove(kq);
    }
    level.totalCost -= w.cost;
    queuedCost -= w.cost;
    if (level.byKey.isEmpty()) {
      levels.remove(w.priority);
    }
    arrivals.remove(w);
    if (victimOrder != null) {
      victimOrder.remove(w);
    }
    w.queued = false;
    size--;
  }

  /** DROP_LOWEST_PRIORITY's order: the lowest priority first, and within it the newest first. */
  private static int victimFirst(AdmissionQueue<?>.Waiter a, AdmissionQueue<?>.Waiter b) {
    int byPriority = Integer.compare(a.priority, b.priority);
    return byPriority != 0 ? byPriority : Long.compare(b.seq, a.seq);
  }

  /** The waiter the policy serves next, without removing it; null if the queue is empty. */
  private Waiter select(long now) {
    if (levels.isEmpty()) {
      return null;
    }
    Level level = ageingNanos == 0 ? levels.firstEntry().getValue() : agedFirst(now);
    // Skip whole rounds in which no key can afford its head: add that many quanta to every key.
    long rounds = Long.MAX_VALUE;
    for (KeyQueue kq : level.ring) {
      long missing = kq.waiters.peekFirst().cost - kq.deficit;
      rounds = Math.min(rounds, missing <= 0 ? 0 : (missing - 1) / quantum + 1);
    }
    if (rounds > 0) {
      long credit = SaturatedMath.multiply(rounds, quantum);
      for (KeyQueue kq : level.ring) {
        kq.deficit = SaturatedMath.add(kq.deficit, credit);
      }
    }
    for (;;) {
      KeyQueue kq = level.ring.peekFirst();
      Waiter head = kq.waiters.peekFirst();
      if (kq.deficit >= head.cost) {
        return head;
      }
      level.ring.addLast(level.ring.pollFirst()); // not affordable yet: its turn passes
    }
  }

  /**
   * With ageing, the level whose longest-waiting waiter ranks highest: its priority plus one per
   * {@link #ageingNanos} waited. Ties go to the higher priority. A waiter of a higher priority
   * queued earlier than another always outranks it, so the deadline prediction stays a lower
   * bound. Costs O(keys queued), which only queues with ageing pay.
   */
  private Level agedFirst(long now) {
    Level best = null;
    long bestRank = Long.MIN_VALUE;
    for (Map.Entry<Integer, Level> e : levels.entrySet()) {
      long oldest = now;
      for (KeyQueue kq : e.getValue().ring) {
        long at = kq.waiters.peekFirst().enqueuedAt;
        if (at - oldest < 0) {
          oldest = at;
        }
      }
      long rank = e.getKey() + Math.max(0, now - oldest) / ageingNanos;
      if (rank > bestRank) {
        best = e.getValue();
        bestRank = rank;
      }
    }
    return best;
  }

  /**
   * Grants the waiter the policy serves next if the limiter admits it at once, or sets the next
   * pump. One grant per round: the next waiter is charged only after this one's completion has
   * run (the grant asks the {@link Trampoline} for another round), so a continuation that cancels
   * a later waiter finds it still queued and it leaves without having been charged. Charging the
   * whole batch first would strand such a turn: a rate limiter cannot take back a cost it granted
   * at once.
   */
  private void pump(long now, List<Runnable> after) {
    for (;;) {
      Waiter w = select(now);
      if (w == null) {
        pumpTimer.idle();
        return;
      }
      if (w.hasDeadline && now - w.deadline > 0) {
        remove(w);
        after.add(() -> {
          if (w.future.completeExceptionally(new DeadlineExceededException(name, false))) {
            expired(w, false);
          }
        });
        continue;
      }
      Permit permit = takeFor(w.cost, now);
      if (permit != null) {
        w.turn = permit; // first, with no call in between: see abandon()
        Level level = levels.get(w.priority);
        KeyQueue kq = level.byKey.get(w.key);
        kq.deficit -= w.cost;
        remove(w);
        Waiter next = kq.waiters.peekFirst();
        if (next != null && kq.deficit < next.cost) {
          level.ring.addLast(level.ring.pollFirst()); // its turn is spent: the next key's turn
        }
        after.add(() -> {
          try {
            if (!w.abandoned && w.future.complete(permit)) {
              dispatched(w, now);
            } else {
              turnLeft(permit, w.cost, now); // the caller left at the instant of its turn
            }
          } finally {
            drain.run(); // the next round, now that this waiter's continuation has run
          }
        });
        return;
      }
      long wait = gate.waitNanos(Math.max(0, w.cost - spare), now);
      if (wait == Gate.UNTIL_FREED) {
        pumpTimer.idle(); // the gate calls back when a slot is given back
        return;
      }
      pumpTimer.due(now + Math.max(1, Math.min(wait, Long.MAX_VALUE / 4)));
      return;
    }
  }

  /** Takes {@code cost} from a turn being passed on first ({@link #turnLeft}), then the limiter. */
  private Permit takeFor(long cost, long now) {
    if (spare == 0) {
      return gate.take(cost, now);
    }
    if (cost <= spare) {
      spare -= cost;
      return Permit.SPENT;
    }
    Permit permit = gate.take(cost - spare, now);
    if (permit != null) {
      spare = 0;
    }
    return permit;
  }

  /**
   * A turn nobody will use: its caller left at the instant it came. A slot goes back to its limit,
   * which hands it to the next caller itself. A rate limiter's cost cannot always be given back
   * (a token bucket cannot tell a booking granted at once from later ones), so the turn passes
   * on, at once, to the waiters the policy serves next, as far as its cost covers theirs; only
   * what none of them can use goes back to the limiter.
   */
  private void turnLeft(Permit permit, long cost, long chargedAt) {
    if (!gate.spends() || cost == 0) {
      gate.giveBack(permit, cost, chargedAt);
      return;
    }
    List<Runnable> after = new ArrayList<>(2);
    long unused;
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      spare = cost;
      int before;
      do {
        before = after.size();
        pump(ticker.read(), after);
      } while (spare > 0 && after.size() > before && size > 0);
      unused = spare;
      spare = 0;
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    try {
      if (unused > 0) {
        gate.giveBack(permit, unused, chargedAt);
      }
    } finally {
      runAll(after);
      schedulePump();
    }
  }

  /**
   * A lower bound of the wait for {@code w}: the limiter's wait for what must go before it, which
   * is every higher priority and its own key's earlier waiters (other keys of its priority take
   * turns with it, so none of them is certain to go first), less the {@code victims} the overflow
   * policy drops to make room for it.
   *
   * <p>The limiter grants at most its capacity at once, so for a backlog larger than that the
   * wait is the limiter's wait for its whole capacity plus the rest at its rate. The SPI does not
   * tell the rate, but it bounds it: a limiter that needs {@code full} to afford its whole
   * capacity from its current state needs at least that long to refill it from empty, so it grants
   * at most {@code capacity} per {@code full}. Counting the rest at that pace keeps the prediction
   * a lower bound for any limiter that admits at most {@code capacity + rate * t} in a time {@code
   * t}: a caller who could make its deadline is never refused.
   */
  private long predictedWait(Waiter w, long now, List<Waiter> victims) {
    long ahead = w.cost;
    for (Map.Entry<Integer, Level> e : levels.entrySet()) {
      if (e.getKey() <= w.priority) {
        if (e.getKey() == w.priority) {
          KeyQueue own = e.getValue().byKey.get(w.key);
          if (own != null) {
            ahead = SaturatedMath.add(ahead, own.queuedCost);
          }
        }
        break;
      }
      ahead = SaturatedMath.add(ahead, e.getValue().totalCost);
    }
    if (victims != null) {
      for (Waiter v : victims) {
        if (v.priority > w.priority || (v.priority == w.priority && v.key.equals(w.key))) {
          ahead -= v.cost; // counted above, but it leaves for the newcomer
        }
      }
    }
    long capacity = gate.capacity();
    long wait = gate.waitNanos(Math.min(ahead, capacity), now);
    if (wait == Gate.UNTIL_FREED) {
      return 0;
    }
    if (ahead > capacity && wait > 0) {
      long rest = SaturatedMath.multiplyDivide(ahead - capacity, wait, capacity, false);
      wait = SaturatedMath.add(wait, rest);
    }
    return wait;
  }

  /** True if the queue cannot take {@code cost} more without dropping someone. */
  private boolean isFullFor(long cost) {
    return size >= capacity || queuedCost > maxQueuedCost - cost;
  }

  private QueueFullException full(boolean dropped) {
    return new QueueFullException(name, capacity, maxQueuedCost, dropped);
  }

  /**
   * The waiters the overflow policy drops to make room for newcomer {@code w}, as few as make
   * room; null if {@code w} must be refused instead (then nobody is dropped). Drops nothing yet.
   */
  private List<Waiter> victimsFor(Waiter w) {
    Iterator<Waiter> candidates;
    switch (overflow) {
      case DROP_OLDEST:
        candidates = arrivals.iterator();
        break;
      case DROP_LOWEST_PRIORITY:
        candidates = victimOrder.iterator(); // lowest priority first, newest first within it
        break;
      default:
        return null;
    }
    List<Waiter> victims = new ArrayList<>(1);
    int n = size;
    long c = queuedCost;
    while (n >= capacity || c > maxQueuedCost - w.cost) {
      Waiter v = candidates.hasNext() ? candidates.next() : null;
      if (v == null || (overflow == Overflow.DROP_LOWEST_PRIORITY && v.priority >= w.priority)) {
        return null; // not enough ranks below the newcomer: drop nobody
      }
      victims.add(v);
      n--;
      c -= v.cost;
    }
    return victims;
  }

  /** Drops {@code victims}; each learns it was dropped once the lock is released. */
  private void drop(List<Waiter> victims, List<Runnable> after) {
    if (victims.isEmpty()) {
      return;
    }
    QueueFullException dropped = full(true);
    for (Waiter v : victims) {
      remove(v);
      after.add(() -> {
        if (v.future.completeExceptionally(dropped)) {
          dropped(v, true);
        }
      });
    }
  }

  // ---- timers and departures (each takes the lock itself) ----

  private void expire(Waiter w) {
    List<Runnable> after = new ArrayList<>(2);
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      if (w.queued) {
        remove(w);
        after.add(() -> {
          if (w.future.completeExceptionally(new DeadlineExceededException(name, false))) {
            expired(w, false);
          }
        });
        pump(ticker.read(), after); // the expired head may have been holding the line
      }
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    runAll(after);
    schedulePump();
  }

  private void leave(Waiter w) {
    List<Runnable> after = new ArrayList<>(1);
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      if (w.queued) {
        remove(w);
        pump(ticker.read(), after);
      }
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    if (w.deadlineTimer != null) {
      w.deadlineTimer.cancel();
    }
    runAll(after);
    schedulePump();
  }

  /**
   * The gate freed capacity (a slot was given back): serve the head if it now fits. Completing a
   * waiter runs its continuation, which may end a call at once and free a slot again on this same
   * thread; that nested call only asks for one more round (a {@link Trampoline}), so the stack
   * never grows with the length of the queue. Other threads pump for themselves.
   */
  private void freed() {
    if (size == 0) {
      return; // nobody waits: no lock on the limit's release path
    }
    drain.run();
    schedulePump();
  }

  private void drainOnce() {
    List<Runnable> after = new ArrayList<>(2);
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      pump(ticker.read(), after);
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    runAll(after);
  }

  private void pumpNow(long gen) {
    List<Runnable> after = new ArrayList<>(2);
    int holds = lock.getHoldCount(); // see "Running out of stack"
    try {
      lock.lock();
      if (!pumpTimer.fired(gen)) {
        return; // superseded by a timer armed for an earlier time
      }
      pump(ticker.read(), after);
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    runAll(after);
    schedulePump();
  }

  private void schedulePump() {
    pumpTimer.arm();
  }

  private static void runAll(List<Runnable> actions) {
    Actions.runAll(actions); // one failing completion never strands the other waiters
  }

  // ---- events ----

  private void enqueued(Waiter w, int depth) {
    if (enqueuedEvents.hasListeners()) {
      enqueuedEvents.publish(new QueueEvent.Enqueued(name, w.priority, w.cost, depth));
    }
  }

  private void dispatched(Waiter w, long now) {
    if (w.deadlineTimer != null) {
      w.deadlineTimer.cancel();
    }
    if (dispatchedEvents.hasListeners()) {
      dispatchedEvents.publish(
          new QueueEvent.Dispatched(name, w.priority, w.cost, Duration.ofNanos(now - w.enqueuedAt)));
    }
  }

  private void dropped(Waiter w, boolean queued) {
    if (w.deadlineTimer != null) {
      w.deadlineTimer.cancel();
    }
    if (droppedEvents.hasListeners()) {
      droppedEvents.publish(new QueueEvent.Dropped(name, w.priority, queued));
    }
  }

  private void expired(Waiter w, boolean predicted) {
    if (expiredEvents.hasListeners()) {
      expiredEvents.publish(new QueueEvent.Expired(name, w.priority, predicted));
    }
  }

  private final class Waiter {
    final K key;
    final int priority;
    final long cost;
    final boolean hasDeadline;
    final long deadline;
    final long enqueuedAt;
    final CompletableFuture<Permit> future = new CompletableFuture<>();
    // The turn, recorded the moment it is taken (before the future completes), so that a caller
    // whose decorated call fails before it holds the turn can still give it back.
    volatile Permit turn;
    // Set by abandon(): a turn granted from now on goes to the next waiter instead.
    volatile boolean abandoned;
    boolean queued; // guarded by lock
    long seq; // arrival order, guarded by lock
    volatile Ticker.Scheduled deadlineTimer;

    Waiter(K key, int priority, long cost, boolean hasDeadline, long deadline, long enqueuedAt) {
      this.key = key;
      this.priority = priority;
      this.cost = cost;
      this.hasDeadline = hasDeadline;
      this.deadline = deadline;
      this.enqueuedAt = enqueuedAt;
    }
  }

  private final class KeyQueue {
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    long deficit;
    long queuedCost;
  }

  private final class Level {
    final ArrayDeque<KeyQueue> ring = new ArrayDeque<>();
    final HashMap<K, KeyQueue> byKey = new HashMap<>();
    long totalCost;
  }

  /**
   * Builds an {@link AdmissionQueue}; each option may be set once. Not thread-safe.
   *
   * @param <K> the key type
   */
  public static final class Builder<K> {
    private final Gate gate;
    private int capacity;
    private long maxQueuedCost;
    private Overflow overflow;
    private long quantum;
    private long ageingNanos;
    private String name;
    private EventRegistry events;
    private AdmissionQueueConfig base;
    private boolean baseApplied;
    private AdmissionQueueConfig.LimiterRef limiterRef;

    private Builder(Gate gate) {
      this.gate = gate;
    }

    /**
     * Starts from {@code base}: each option it sets applies unless set on this builder, so one
     * configuration is derived from another. Every value taken from it is checked as if set here.
     * Its {@link AdmissionQueueConfig#limiter limiter} is only carried into {@link #config()} and
     * the queue's {@link AdmissionQueue#config()}: the queue waits on the limiter given to {@link
     * AdmissionQueue#builder}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code base} is null
     */
    public Builder<K> from(AdmissionQueueConfig base) {
      Args.requireUnset(this.base != null, "from");
      this.base = Args.requireNonNull(base, "base");
      return this;
    }

    /**
     * The options set (and those of {@link #from}'s configuration not overridden), checked, as a
     * value; unset options stay empty.
     */
    public AdmissionQueueConfig config() {
      if (base == null || baseApplied) {
        return own();
      }
      // On a scratch builder, so that this one stays as it was: options may still be set here.
      Builder<K> merged = new Builder<>(gate);
      merged.fillFrom(own());
      merged.fillFrom(base);
      return merged.own();
    }

    /** The options set on this builder, as a value. */
    private AdmissionQueueConfig own() {
      return new AdmissionQueueConfig(
          capacity > 0 ? OptionalInt.of(capacity) : OptionalInt.empty(),
          maxQueuedCost > 0 ? OptionalLong.of(maxQueuedCost) : OptionalLong.empty(),
          Optional.ofNullable(overflow),
          quantum > 0 ? OptionalLong.of(quantum) : OptionalLong.empty(),
          ageingNanos > 0 ? Optional.of(Duration.ofNanos(ageingNanos)) : Optional.empty(),
          Optional.ofNullable(limiterRef));
    }

    /** Takes the base's options once, before building (see {@link #fillFrom}). */
    private void applyBase() {
      if (base != null && !baseApplied) {
        baseApplied = true;
        fillFrom(base);
      }
    }

    /** Takes each option not set here from {@code b}, through its setter so it is checked. */
    private void fillFrom(AdmissionQueueConfig b) {
      if (capacity == 0) {
        b.capacity().ifPresent(this::capacity);
      }
      if (maxQueuedCost == 0) {
        b.maxQueuedCost().ifPresent(this::maxQueuedCost);
      }
      if (overflow == null) {
        b.overflow().ifPresent(this::overflow);
      }
      if (quantum == 0) {
        b.quantum().ifPresent(this::quantum);
      }
      if (ageingNanos == 0) {
        b.ageing().ifPresent(this::ageing);
      }
      if (limiterRef == null) {
        limiterRef = b.limiter().orElse(null);
      }
    }

    /** Names the limiter in {@link #config()}, over the base's; for the registry. */
    Builder<K> limiterRef(AdmissionQueueConfig.LimiterRef ref) {
      this.limiterRef = ref;
      return this;
    }

    /**
     * The most waiters the queue holds; default 1024.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> capacity(int capacity) {
      Args.requireUnset(this.capacity != 0, "capacity");
      Args.requireAtLeastOne(capacity, "capacity");
      this.capacity = capacity;
      return this;
    }

    /**
     * The most total cost the queue holds, on top of the bound in waiters; default unbounded. The
     * overflow policy applies when either bound would be exceeded, and a caller whose cost alone
     * exceeds it is refused at once with a {@link CostExceedsCapacityException}.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> maxQueuedCost(long maxQueuedCost) {
      Args.requireUnset(this.maxQueuedCost != 0, "maxQueuedCost");
      this.maxQueuedCost = Args.requirePositive(maxQueuedCost, "maxQueuedCost");
      return this;
    }

    /** What to do when the queue is full; default {@link Overflow#REJECT}. */
    public Builder<K> overflow(Overflow overflow) {
      Args.requireUnset(this.overflow != null, "overflow");
      this.overflow = Args.requireNonNull(overflow, "overflow");
      return this;
    }

    /**
     * The credit a key earns per turn in deficit round robin; default 1 (strict alternation for
     * unit costs). A larger quantum lets a key send bursts of that much cost per turn.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> quantum(long quantum) {
      Args.requireUnset(this.quantum != 0, "quantum");
      this.quantum = Args.requirePositive(quantum, "quantum");
      return this;
    }

    /**
     * Lets waiters age, so that a steady stream of higher priorities cannot starve a lower one:
     * a waiter's effective priority rises by one for every {@code ageing} it has waited. The queue
     * serves the priority level whose longest-waiting waiter has the highest effective priority
     * (the higher priority on a tie); within it, keys take turns as usual. Waiters of a higher
     * priority {@code q} that arrive after a waiter of priority {@code p} hold it back at most
     * about {@code (q - p + 1) * ageing}. The overflow
     * policy {@link Overflow#DROP_LOWEST_PRIORITY} still goes by the priority asked for.
     *
     * <p>Default: off, strict priority (a higher priority always goes first, as long as any of
     * it waits). Selection then costs O(keys of the top priority); with ageing, O(keys queued).
     *
     * @throws IllegalArgumentException if {@code ageing} is not positive
     */
    public Builder<K> ageing(Duration ageing) {
      Args.requireUnset(this.ageingNanos != 0, "ageing");
      this.ageingNanos = Args.requirePositiveNanos(ageing, "ageing");
      return this;
    }

    /** The name in events and errors; defaults to a unique name such as {@code "admission-queue-1"}. */
    public Builder<K> name(String name) {
      Args.requireUnset(this.name != null, "name");
      this.name = Args.requireNonNull(name, "name");
      return this;
    }

    /** Where events are published; defaults to {@link EventRegistry#defaultRegistry()}. */
    public Builder<K> events(EventRegistry events) {
      Args.requireUnset(this.events != null, "events");
      this.events = Args.requireNonNull(events, "events");
      return this;
    }

    /**
     * Builds the queue.
     *
     * @throws IllegalStateException if this builder has no limiter (a registry's, used only to
     *     read configurations)
     */
    public AdmissionQueue<K> build() {
      if (gate == null) {
        throw new IllegalStateException("a builder for configurations builds no queue");
      }
      applyBase();
      AdmissionQueue<K> queue = new AdmissionQueue<>(this);
      gate.onFreed(queue::freed);
      return queue;
    }
  }
}
