package io.throttlenet.bucket.internal;

import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Actions;
import io.throttlenet.core.internal.HeadTimer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The waiting line of one composite limiter: callers that must wait are served in arrival order.
 *
 * <p>Why: a composite books no future time on its parts, so without a line its waiters would all
 * sleep until their predicted times and race for the capacity; small costs would keep overtaking
 * large ones, and an unlucky waiter could wait many times longer than its turn. Here only the head
 * of the line tries: a single timer is set for the moment its parts are predicted to afford it,
 * and when it is granted (or gives up, or leaves) the next one tries at once, as many as fit at
 * that instant. Nobody else is woken. A caller arriving while others wait joins the line instead
 * of taking capacity ahead of them. The price is head-of-line blocking: a large cost at the head
 * holds back smaller ones behind it, as in any FIFO.
 *
 * <p>Blocking callers wait on their turn's future (parked, not sleeping on the ticker), so tests
 * drive them by advancing the ticker, which fires the head's timer. A waiter with a bound gives up
 * when the head's predicted wait would take it past the bound, or at its deadline if still behind
 * others. Grants, failures and events are delivered after the line's lock is released. Not part of
 * the public API. Thread-safe.
 */
public final class Line {
  private final Ticker ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock
  private volatile int size; // written under lock
  private final HeadTimer timer;

  public Line(Ticker ticker) {
    this.ticker = ticker;
    this.timer = new HeadTimer(ticker, lock, this::fire);
  }

  /** True if nobody waits: a newcomer may try the parts itself. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** Callers waiting right now. */
  public int size() {
    return size;
  }

  /**
   * Waits in line for {@code attempt}; {@code firstWait} is the wait predicted at {@code start}
   * (a newcomer's own, even if others are ahead).
   *
   * @return a stage completed when granted (the attempt has charged), or failed with {@link
   *     Waits.Attempt#gaveUp} once the wait would exceed {@code maxWaitNanos}; cancelling it leaves
   *     the line
   */
  public CompletableFuture<Void> join(Waits.Attempt attempt, long start, long firstWait, long maxWaitNanos) {
    if (Waits.tooLong(firstWait, maxWaitNanos, 0)) {
      return CompletableFuture.failedFuture(attempt.gaveUp(firstWait, maxWaitNanos));
    }
    Waiter w = new Waiter(attempt, start, maxWaitNanos);
    List<Runnable> after = new ArrayList<>(2);
    lock.lock();
    try {
      waiters.addLast(w);
      size = waiters.size();
      pump(ticker.read(), after);
    } finally {
      lock.unlock();
    }
    run(after);
    // However the future ends (granted, given up, or by its holder: cancelled, timed out,
    // completed), the waiter leaves the line, and its deadline timer goes.
    w.future.whenComplete(
        (ignored, failure) -> {
          Ticker.Scheduled t = w.deadline;
          if (t != null) {
            t.cancel();
          }
          leave(w);
        });
    if (!w.future.isDone() && maxWaitNanos < Long.MAX_VALUE / 4) { // longer: never reached, no timer
      try {
        Ticker.Scheduled t = ticker.schedule(start + maxWaitNanos, () -> expire(w));
        w.deadline = t;
        if (w.future.isDone()) {
          t.cancel();
        }
      } catch (RuntimeException | Error e) {
        w.future.completeExceptionally(e); // leaves the line: nothing is charged for it later
        throw e;
      }
    }
    arm();
    return w.future;
  }

  /**
   * Blocks in line until granted or until the wait would exceed {@code maxWaitNanos}.
   *
   * @return true if granted
   * @throws InterruptedException if interrupted while waiting; the caller leaves the line and
   *     nothing is charged (if the grant came at that very instant, it is kept and the interrupt
   *     status is restored instead)
   */
  public boolean await(Waits.Attempt attempt, long start, long firstWait, long maxWaitNanos)
      throws InterruptedException {
    return await(attempt, start, firstWait, maxWaitNanos, false);
  }

  /**
   * Like {@link #await}, for callers with no {@code false} to answer (acquire): a refusal (a wait
   * beyond {@link Waits#LONGEST_WAIT_NANOS}, or a cost that can never fit any more) is thrown.
   */
  public void awaitOrThrow(Waits.Attempt attempt, long start, long firstWait, long maxWaitNanos)
      throws InterruptedException {
    await(attempt, start, firstWait, maxWaitNanos, true);
  }

  private boolean await(
      Waits.Attempt attempt, long start, long firstWait, long maxWaitNanos, boolean orThrow)
      throws InterruptedException {
    CompletableFuture<Void> turn = join(attempt, start, firstWait, maxWaitNanos);
    try {
      turn.get();
      return true;
    } catch (InterruptedException e) {
      if (turn.cancel(false)) {
        throw e; // left the line
      }
      Thread.currentThread().interrupt(); // decided at the very moment of the interrupt
      return outcome(turn, orThrow);
    } catch (ExecutionException e) {
      return failed(e.getCause(), orThrow);
    }
  }

  private static boolean outcome(CompletableFuture<Void> decided, boolean orThrow) {
    try {
      decided.join();
      return true;
    } catch (RuntimeException e) {
      return failed(e.getCause() != null ? e.getCause() : e, orThrow);
    }
  }

  /** A refusal (the bound) is an answer unless the caller must throw it; anything else is a bug. */
  private static boolean failed(Throwable cause, boolean orThrow) {
    if (cause instanceof RejectedException r) {
      if (orThrow) {
        throw r;
      }
      return false;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(cause);
  }

  /** Serves the line in order while the head fits at {@code now}; sets the head's next try. */
  private void pump(long now, List<Runnable> after) {
    for (;;) {
      Waiter w = waiters.peekFirst();
      if (w == null) {
        timer.idle();
        return;
      }
      if (w.future.isDone()) { // cancelled, or completed by its holder: nobody takes this turn
        waiters.pollFirst();
        size = waiters.size();
        continue;
      }
      long wait;
      try {
        wait = w.attempt.tryAt(now);
      } catch (RuntimeException | Error e) {
        waiters.pollFirst(); // never leave a caller waiting forever on a broken attempt
        size = waiters.size();
        after.add(() -> w.future.completeExceptionally(e));
        continue;
      }
      if (wait == 0) {
        waiters.pollFirst();
        size = waiters.size();
        after.add(() -> {
          if (w.future.complete(null)) {
            w.attempt.granted(now - w.start);
          } else {
            w.attempt.undo(now); // the caller left at the instant of its grant
            repump(); // the next caller was tried without this capacity
          }
        });
        continue;
      }
      long waited = now - w.start;
      if (wait < 0 || Waits.tooLong(wait, w.maxWaitNanos, waited)) { // < 0: never fits any more
        waiters.pollFirst();
        size = waiters.size();
        long refused = wait < 0 ? Long.MAX_VALUE : wait;
        after.add(() -> w.future.completeExceptionally(w.attempt.gaveUp(refused, w.maxWaitNanos)));
        continue;
      }
      timer.due(now + wait);
      return;
    }
  }

  /**
   * A bounded waiter's deadline: the line is served first (the head may be due at this very
   * instant), then the waiter gives up if it is still waiting.
   */
  private void expire(Waiter w) {
    List<Runnable> after = new ArrayList<>(2);
    lock.lock();
    try {
      long now = ticker.read();
      pump(now, after);
      if (waiters.remove(w)) {
        size = waiters.size();
        after.add(() -> {
          long wait;
          try {
            wait = Math.max(1, w.attempt.peek(now));
          } catch (RuntimeException | Error e) {
            w.future.completeExceptionally(e);
            return;
          }
          w.future.completeExceptionally(w.attempt.gaveUp(wait, w.maxWaitNanos));
        });
        pump(now, after); // it may have been the head
      }
    } finally {
      lock.unlock();
    }
    run(after);
    arm();
  }

  /**
   * Serves the line again now: capacity came back outside the timer (an undone grant, a reset).
   */
  public void repump() {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      pump(ticker.read(), after);
    } finally {
      lock.unlock();
    }
    run(after);
    arm();
  }

  private void leave(Waiter w) {
    List<Runnable> after = new ArrayList<>(1);
    lock.lock();
    try {
      boolean wasHead = waiters.peekFirst() == w;
      if (waiters.remove(w)) {
        size = waiters.size();
        if (wasHead) {
          pump(ticker.read(), after); // the next caller may fit right now
        }
      }
    } finally {
      lock.unlock();
    }
    run(after);
    arm();
  }

  private void fire(long gen) {
    List<Runnable> after = new ArrayList<>(2);
    lock.lock();
    try {
      if (!timer.fired(gen)) {
        return; // superseded by a timer armed for an earlier time
      }
      pump(ticker.read(), after);
    } finally {
      lock.unlock();
    }
    run(after);
    arm();
  }

  private void arm() {
    timer.arm();
  }

  private static void run(List<Runnable> actions) {
    Actions.runAll(actions);
  }

  private static final class Waiter {
    final Waits.Attempt attempt;
    final long start;
    final long maxWaitNanos;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    volatile Ticker.Scheduled deadline;

    Waiter(Waits.Attempt attempt, long start, long maxWaitNanos) {
      this.attempt = attempt;
      this.start = start;
      this.maxWaitNanos = maxWaitNanos;
    }
  }
}
