package io.throttlenet.queue;

import io.throttlenet.core.RejectedException;

/**
 * The admission queue was full: the caller was refused on arrival, or dropped later to make
 * room for a newcomer (see {@link Overflow}). Nothing was charged. Immutable.
 */
public final class QueueFullException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final boolean dropped;

  public QueueFullException(String component, int capacity, boolean dropped) {
    this(component, capacity, Long.MAX_VALUE, dropped);
  }

  /** With a bound on total queued cost as well ({@code Long.MAX_VALUE}: none). */
  public QueueFullException(String component, int capacity, long maxQueuedCost, boolean dropped) {
    super(
        component,
        component + (dropped ? ": dropped from the full queue (" : ": the queue is full (")
            + capacity + " waiters"
            + (maxQueuedCost == Long.MAX_VALUE ? "" : " or " + maxQueuedCost + " cost") + ")",
        null);
    this.dropped = dropped;
  }

  /** True if the caller had been queued and was dropped to make room; false if refused at once. */
  public boolean dropped() {
    return dropped;
  }
}
