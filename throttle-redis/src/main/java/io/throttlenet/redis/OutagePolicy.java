package io.throttlenet.redis;

/**
 * What a Redis-backed limiter does while Redis cannot be reached (down, restarting, or not
 * answering within the limiter's timeout). Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #failClosed()}: nothing is granted. {@code tryAcquire} answers {@code false},
 *       {@code acquire} throws {@link RedisUnavailableException}. The safe choice when a
 *       downstream ban costs more than an outage of your own.
 *   <li>{@link #failOpen()}: everything is granted at once, unmetered. For limits that only
 *       protect against bursts, where availability matters most.
 *   <li>{@link #fallback(int)}: each instance falls back to a local token bucket with 1/N of the
 *       budget (rate and burst divided by the fleet size N, burst at least 1). The fleet as a
 *       whole stays within the budget as long as at most N instances run, whatever Redis does.
 * </ul>
 *
 * <p>The limiter decides within its timeout (100 ms by default), publishes {@link
 * RedisEvent.Unavailable} when it switches to the policy and {@link RedisEvent.Recovered} when
 * Redis answers again; it tries Redis again at most once per probe interval meanwhile, so an
 * outage does not add the timeout to every call.
 */
public final class OutagePolicy {
  /** The kind of policy. */
  public enum Kind {
    /** Grant nothing. */
    FAIL_CLOSED,
    /** Grant everything. */
    FAIL_OPEN,
    /** Grant from a local limiter with 1/N of the budget. */
    FALLBACK
  }

  private static final OutagePolicy CLOSED = new OutagePolicy(Kind.FAIL_CLOSED, 0);
  private static final OutagePolicy OPEN = new OutagePolicy(Kind.FAIL_OPEN, 0);

  private final Kind kind;
  private final int fleetSize;

  private OutagePolicy(Kind kind, int fleetSize) {
    this.kind = kind;
    this.fleetSize = fleetSize;
  }

  /** Grant nothing while Redis is unreachable (the default). */
  public static OutagePolicy failClosed() {
    return CLOSED;
  }

  /** Grant everything while Redis is unreachable. */
  public static OutagePolicy failOpen() {
    return OPEN;
  }

  /**
   * While Redis is unreachable, grant from a local limiter with {@code 1/fleetSize} of the
   * budget.
   *
   * @param fleetSize how many instances share the budget
   * @throws IllegalArgumentException if {@code fleetSize} is less than 1
   */
  public static OutagePolicy fallback(int fleetSize) {
    if (fleetSize < 1) {
      throw new IllegalArgumentException("fleetSize must be >= 1, was " + fleetSize);
    }
    return new OutagePolicy(Kind.FALLBACK, fleetSize);
  }

  /** Which policy this is. */
  public Kind kind() {
    return kind;
  }

  /** For {@link Kind#FALLBACK}, the fleet size the budget is divided by; 0 otherwise. */
  public int fleetSize() {
    return fleetSize;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutagePolicy p && p.kind == kind && p.fleetSize == fleetSize;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + fleetSize;
  }

  @Override
  public String toString() {
    return kind == Kind.FALLBACK ? "FALLBACK(1/" + fleetSize + ")" : kind.toString();
  }
}
