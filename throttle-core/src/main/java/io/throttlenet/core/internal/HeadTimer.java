package io.throttlenet.core.internal;

import io.throttlenet.core.Ticker;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The single timer of a waiting line: set for the moment its head is predicted to fit, so nobody
 * else is ever woken. The owner decides under its lock when the head is next due ({@link #due})
 * or that nothing is ({@link #idle}); {@link #arm} then sets, moves or cancels the one scheduled
 * task, outside the lock (a manual ticker may run a due task inline). A timer superseded by one
 * for an earlier time is recognized by its generation when it fires ({@link #fired}).
 * Not part of the public API. Thread-safe under the owner's lock as documented per method.
 */
public final class HeadTimer {
  private final Ticker ticker;
  private final ReentrantLock lock;
  private final LongConsumer fire;
  // all guarded by lock
  private boolean pending;
  private long pendingAt;
  private boolean armed;
  private long armedAt;
  private long generation;
  private Ticker.Scheduled timer;

  /** {@code fire} is run with the timer's generation; it should lock and check {@link #fired}. */
  public HeadTimer(Ticker ticker, ReentrantLock lock, LongConsumer fire) {
    this.ticker = ticker;
    this.lock = lock;
    this.fire = fire;
  }

  /** The head is next due at {@code at}. Call with the lock held. */
  public void due(long at) {
    pending = true;
    pendingAt = at;
  }

  /** Nothing is due (the line is empty, or something other than time will move it). Lock held. */
  public void idle() {
    pending = false;
  }

  /**
   * True if the timer of generation {@code gen} is the current one (it then counts as no longer
   * armed); false if it was superseded. Call with the lock held, first thing when it fires.
   */
  public boolean fired(long gen) {
    if (gen != generation) {
      return false;
    }
    armed = false;
    timer = null;
    return true;
  }

  /**
   * Makes the scheduled task match what is due: keeps one that fires no later, replaces a later
   * one, cancels it if nothing is due. Call without the lock.
   */
  public void arm() {
    long at = 0;
    long gen = -1;
    Ticker.Scheduled previous;
    int holds = lock.getHoldCount(); // lock() may overflow the stack after locking: unlock anyway
    try {
      lock.lock();
      if (!pending) {
        if (!armed) {
          return;
        }
        armed = false;
        generation++;
      } else if (armed && armedAt - pendingAt <= 0) {
        return;
      } else {
        at = pendingAt;
        armed = true;
        armedAt = at;
        gen = ++generation;
      }
      previous = timer;
      timer = null;
    } finally {
      if (lock.getHoldCount() > holds) {
        lock.unlock();
      }
    }
    if (previous != null) {
      previous.cancel();
    }
    if (gen == -1) {
      return;
    }
    long g = gen;
    Ticker.Scheduled t;
    try {
      t = ticker.schedule(at, () -> fire.accept(g));
    } catch (RuntimeException | Error e) {
      int heldBefore = lock.getHoldCount();
      try {
        lock.lock();
        if (generation == gen) {
          armed = false; // no task behind it: the next arm() must schedule again
        }
      } finally {
        if (lock.getHoldCount() > heldBefore) {
          lock.unlock();
        }
      }
      throw e;
    }
    boolean superseded;
    try {
      lock.lock();
      superseded = generation != gen || !armed;
      if (!superseded) {
        timer = t;
      }
    } finally {
      if (lock.getHoldCount() > holds) { // as above (arm() is called without the lock)
        lock.unlock();
      }
    }
    if (superseded) {
      t.cancel(); // a later arm() replaced it meanwhile: it would only fire as a no-op
    }
  }
}
