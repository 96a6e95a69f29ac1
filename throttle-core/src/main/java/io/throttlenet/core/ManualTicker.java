package io.throttlenet.core;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Ticker} that moves only when told to, for tests: time, blocked threads and scheduled
 * tasks are all driven by {@link #advance}, so timing is tested without sleeping.
 *
 * <p>Advancing releases exactly the waiters whose deadline has been reached. Scheduled tasks run
 * on the advancing thread, in deadline order (ties in scheduling order), and each sees the clock
 * set to its own deadline, so a task that schedules a follow-up inside the advanced span runs it
 * in the same call. A task scheduled for a time already reached runs at once, on the scheduling
 * thread. Advances are serialized and time never moves backwards. Threads blocked in {@link #sleepUntil} are woken after the clock reaches the
 * target. {@link #awaitSleepers} lets a test wait, without sleeping, until its worker threads are
 * parked on this ticker before it advances.
 *
 * <p>Start it at an odd value ({@link #startingAt}, e.g. near {@code Long.MAX_VALUE} or negative)
 * to show wrap-around bugs. Thread-safe.
 */
public final class ManualTicker implements Ticker {

  /** Real-time bound on {@link #awaitSleepers}, so a broken test fails instead of hanging. */
  private static final long AWAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Serializes advances (reentrant: a task may advance further); never held by sleepers. */
  private final ReentrantLock advancing = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition timeMoved = lock.newCondition();
  private final Condition sleepersChanged = lock.newCondition();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  /** Deadlines of the threads in {@link #sleepUntil}, one entry per thread. */
  private final PriorityQueue<Long> sleeping = new PriorityQueue<>((a, b) -> Long.compare(a - b, 0));
  private volatile long now;
  private long sequence;
  private int sleepers;

  private ManualTicker(long start) {
    this.now = start;
  }

  /** A ticker reading 0. */
  public static ManualTicker create() {
    return new ManualTicker(0);
  }

  /** A ticker reading {@code nanos}; any value is allowed, including negative ones. */
  public static ManualTicker startingAt(long nanos) {
    return new ManualTicker(nanos);
  }

  @Override
  public long read() {
    return now;
  }

  /**
   * Moves time forward and releases every waiter and task that has come due.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    advance(Args.requireNonNegativeNanos(duration, "duration"));
  }

  /**
   * Moves time forward by {@code nanos} and releases every waiter and task that has come due.
   *
   * @throws IllegalArgumentException if {@code nanos} is negative
   */
  public void advance(long nanos) {
    Args.requireNonNegative(nanos, "nanos");
    advancing.lock();
    try {
      long target;
      lock.lock();
      try {
        target = now + nanos;
      } finally {
        lock.unlock();
      }
      for (;;) {
        Task due;
        lock.lock();
        try {
          Task head = tasks.peek();
          if (head == null || head.deadline - target > 0) {
            if (target - now > 0) { // a task may have advanced past the target already
              now = target;
            }
            timeMoved.signalAll();
            return;
          }
          due = tasks.poll();
          if (due.deadline - now > 0) {
            now = due.deadline;
            timeMoved.signalAll();
          }
        } finally {
          lock.unlock();
        }
        due.task.run();
      }
    } finally {
      advancing.unlock();
    }
  }

  @Override
  public void sleepUntil(long deadline) throws InterruptedException {
    if (deadline - now <= 0) {
      return; // like the system ticker: no wait, so no interrupt check
    }
    lock.lock();
    try {
      if (deadline - now <= 0) {
        return;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      sleepers++;
      Long mine = deadline;
      sleeping.add(mine);
      sleepersChanged.signalAll();
      try {
        while (deadline - now > 0) {
          try {
            timeMoved.await();
          } catch (InterruptedException e) {
            if (deadline - now > 0) {
              throw e;
            }
            Thread.currentThread().interrupt(); // woken and interrupted at once: the wait is over
          }
        }
      } finally {
        sleepers--;
        sleeping.remove(mine);
        sleepersChanged.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Scheduled schedule(long deadline, Runnable task) {
    Args.requireNonNull(task, "task");
    Task t;
    lock.lock();
    try {
      if (deadline - now > 0) {
        t = new Task(deadline, sequence++, task);
        tasks.add(t);
        return t;
      }
    } finally {
      lock.unlock();
    }
    task.run();
    return () -> false;
  }

  /** The number of threads blocked in {@link #sleepUntil} right now. */
  public int sleepers() {
    lock.lock();
    try {
      return sleepers;
    } finally {
      lock.unlock();
    }
  }

  /**
   * If some thread is blocked in {@link #sleepUntil} with a deadline still ahead, advances exactly
   * to the earliest such deadline, releasing that thread (and any other due at the same instant).
   * A test that drives a blocking component through several waits calls this once per wait,
   * without knowing the waits in advance.
   *
   * @return true if it advanced; false at once if no thread is waiting for a future time
   */
  public boolean tryAdvanceToNextSleeper() {
    long target;
    lock.lock();
    try {
      Long next = null;
      for (Long d : sleeping) {
        if (d - now > 0 && (next == null || d - next < 0)) {
          next = d;
        }
      }
      if (next == null) {
        return false;
      }
      target = next;
    } finally {
      lock.unlock();
    }
    advance(target - now);
    return true;
  }

  /** The number of scheduled tasks that have not run or been cancelled. */
  public int pendingTasks() {
    lock.lock();
    try {
      return tasks.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until at least {@code count} threads are blocked in {@link #sleepUntil}. This is a
   * hand-shake, not a timing device: it returns as soon as the threads are parked.
   *
   * @throws IllegalStateException if that does not happen within 30 s of real time
   * @throws InterruptedException if the calling thread is interrupted
   */
  public void awaitSleepers(int count) throws InterruptedException {
    lock.lock();
    try {
      long remaining = AWAIT_LIMIT_NANOS;
      while (sleepers < count) {
        if (remaining <= 0) {
          throw new IllegalStateException(
              "expected " + count + " sleeping threads, found " + sleepers);
        }
        remaining = sleepersChanged.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ManualTicker[" + now + "]";
  }

  private final class Task implements Comparable<Task>, Scheduled {
    final long deadline;
    final long order;
    final Runnable task;

    Task(long deadline, long order, Runnable task) {
      this.deadline = deadline;
      this.order = order;
      this.task = task;
    }

    @Override
    public int compareTo(Task other) {
      long d = deadline - other.deadline;
      if (d != 0) {
        return d < 0 ? -1 : 1;
      }
      return Long.compare(order, other.order);
    }

    @Override
    public boolean cancel() {
      lock.lock();
      try {
        return tasks.remove(this);
      } finally {
        lock.unlock();
      }
    }
  }
}
