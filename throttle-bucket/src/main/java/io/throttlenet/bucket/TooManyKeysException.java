package io.throttlenet.bucket;

import io.throttlenet.core.RejectedException;
import java.time.Duration;

/**
 * A {@link PerKey} refused a key it does not hold: its cache is full and so is its side table of
 * evicted keys that still owe permits, and admitting the key would forget one of those debts.
 * Nothing was charged. {@link #retryAfter()} is when the earliest of those debts is repaid, if
 * known. Immutable.
 */
public final class TooManyKeysException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final String key;

  TooManyKeysException(String component, String key, long maximumKeys, Duration retryAfter) {
    super(
        component,
        component + ": key " + key + " refused: " + maximumKeys + " keys are held and as many"
            + " evicted keys still owe permits",
        retryAfter);
    this.key = key;
  }

  /** The refused key, as text. */
  public String key() {
    return key;
  }
}
