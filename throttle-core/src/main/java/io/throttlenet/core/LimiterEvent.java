package io.throttlenet.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Events published by every {@link RateLimiter}: a permit granted (with the wait it implies), a
 * request rejected (with why and when to retry), a reservation given back. Immutable records,
 * built only when somebody listens.
 */
public sealed interface LimiterEvent extends Event
    permits LimiterEvent.Acquired, LimiterEvent.Rejected, LimiterEvent.Cancelled {

  /** The cost of the request the event is about. */
  long cost();

  /**
   * {@code cost} was granted; the caller is released after {@code waitTime} (zero when at once).
   *
   * @param component the limiter's name
   * @param cost the cost granted
   * @param waitTime how long the caller waits for it
   */
  record Acquired(String component, long cost, Duration waitTime) implements LimiterEvent {
    public Acquired {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(waitTime, "waitTime");
    }
  }

  /**
   * {@code cost} was refused and nothing was charged.
   *
   * @param component the limiter's name
   * @param cost the cost refused
   * @param reason why
   * @param retryAfter how long until the cost could be granted, or empty if it never can
   * @param scope for a limiter of stacked scopes (a {@code Layered}), the scope that refused:
   *     {@code "global"}, {@code "key"} or {@code "endpoint"}; empty otherwise
   * @param key the tenant key or endpoint of that scope, as a string; empty for other limiters
   *     and the global scope. Metrics tag it only when per-key tags are opted into.
   */
  record Rejected(
      String component, long cost, Reason reason, Optional<Duration> retryAfter, Optional<String> scope, Optional<String> key)
      implements LimiterEvent {
    public Rejected {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(key, "key");
    }

    /** A refusal by a limiter without scopes. */
    public Rejected(String component, long cost, Reason reason, Optional<Duration> retryAfter) {
      this(component, cost, reason, retryAfter, Optional.empty(), Optional.empty());
    }
  }

  /**
   * A granted reservation was given back before the caller used it (interrupted, cancelled, timed
   * out). {@code refunded} of its {@code cost} went back to the limiter; the rest, if any, could not
   * be returned without letting later reservations exceed the rate and comes back by refill.
   *
   * @param component the limiter's name
   * @param cost the cost of the reservation
   * @param refunded how much of it was returned
   */
  record Cancelled(String component, long cost, long refunded) implements LimiterEvent {
    public Cancelled {
      Objects.requireNonNull(component, "component");
    }
  }

  /** Why a request was rejected. */
  enum Reason {
    /** The cost is larger than the limiter can ever grant at once. */
    CAPACITY_EXCEEDED,
    /** The cost could be granted, but only after longer than the caller was willing to wait. */
    MAX_WAIT_EXCEEDED,
    /**
     * The cost could not be granted at once, and the caller asked for no wait at all (a plain
     * {@code tryAcquire}).
     */
    INSUFFICIENT_PERMITS;

    /** The reason for refusing a wait that exceeded {@code maxWaitNanos}. */
    public static Reason forWait(long maxWaitNanos) {
      return maxWaitNanos == 0 ? INSUFFICIENT_PERMITS : MAX_WAIT_EXCEEDED;
    }
  }
}
