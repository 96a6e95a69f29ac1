package io.throttlenet.queue;

import io.throttlenet.core.RejectedException;
import java.time.Duration;

/**
 * A {@link ConcurrencyLimit} had no slot for the caller: none came free within the wait allowed,
 * or the waiters' line was already at its cap. A transient rejection: nothing was taken and the
 * call never started. Immutable.
 */
public final class BulkheadFullException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final boolean lineFull;

  /**
   * @param component the bulkhead's name
   * @param limit its limit of calls in flight
   * @param maxWait the wait allowed, or null when the caller was refused because {@code
   *     maxWaiters} callers were already waiting
   * @param maxWaiters the cap on waiting callers
   */
  public BulkheadFullException(String component, int limit, Duration maxWait, int maxWaiters) {
    super(
        component,
        component
            + (maxWait == null
                ? ": " + maxWaiters + " callers already wait for one of " + limit + " slots"
                : ": no slot of " + limit + " came free within " + maxWait),
        null);
    this.lineFull = maxWait == null;
  }

  /** True if refused at once because the line of waiters was full; false if it waited in vain. */
  public boolean lineFull() {
    return lineFull;
  }
}
