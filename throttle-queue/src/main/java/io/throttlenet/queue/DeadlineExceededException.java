package io.throttlenet.queue;

import io.throttlenet.core.RejectedException;

/**
 * The caller's deadline passed (or was bound to pass) before its turn came; it left the queue
 * and nothing was charged. Immutable.
 */
public final class DeadlineExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String component, boolean predicted) {
    super(
        component,
        component + (predicted
            ? ": the predicted wait already exceeds the deadline"
            : ": the deadline passed while waiting"),
        null);
  }
}
