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
    super(
        component,
        component + (dropped ? ": dropped from the full queue (" : ": the queue is full (")
            + capacity + " waiters)",
        null);
    this.dropped = dropped;
  }

  /** True if the caller had been queued and was dropped to make room; false if refused at once. */
  public boolean dropped() {
    return dropped;
  }
}
