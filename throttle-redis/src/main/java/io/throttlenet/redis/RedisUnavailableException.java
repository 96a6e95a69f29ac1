package io.throttlenet.redis;

import io.throttlenet.core.RejectedException;
import java.time.Duration;

/**
 * Redis could not be reached in time and the limiter's {@link OutagePolicy} is to fail closed:
 * the call was not let through and nothing was charged. A transient rejection; {@link
 * #retryAfter()} is the time until the limiter next tries Redis. Immutable.
 */
public final class RedisUnavailableException extends RejectedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param component the limiter's name
   * @param retryAfter the time until the limiter next tries Redis
   */
  public RedisUnavailableException(String component, Duration retryAfter) {
    super(component, component + ": Redis is unavailable and the outage policy is to fail closed", retryAfter);
  }
}
