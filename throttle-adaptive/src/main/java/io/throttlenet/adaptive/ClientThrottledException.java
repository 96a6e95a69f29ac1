package io.throttlenet.adaptive;

import io.throttlenet.core.RejectedException;

/**
 * A {@link ClientSideThrottle} refused the call locally, because the downstream has lately been
 * refusing more than it accepted. Transient: the same call may pass later. Immutable.
 */
public final class ClientThrottledException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final double probability;

  /**
   * @param component the throttle's name
   * @param probability the rejection probability at the time
   */
  public ClientThrottledException(String component, double probability) {
    super(
        component,
        component + ": rejected locally with probability " + String.format("%.3f", probability)
            + " (the downstream has been refusing calls)",
        null);
    this.probability = probability;
  }

  /** The probability with which calls were being rejected. */
  public double probability() {
    return probability;
  }
}
