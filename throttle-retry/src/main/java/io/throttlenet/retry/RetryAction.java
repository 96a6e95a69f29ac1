package io.throttlenet.retry;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a classifier decides about one failed attempt (or one unwanted result): retry after the
 * backoff's delay, retry after a delay the server asked for, or stop. Immutable.
 */
public final class RetryAction {
  private static final RetryAction RETRY = new RetryAction(Kind.RETRY, null);
  private static final RetryAction FAIL = new RetryAction(Kind.FAIL, null);

  /** The three decisions. */
  public enum Kind {
    /** Retry after the backoff's delay. */
    RETRY,
    /** Retry after the server's hint (capped by the retry's maximum). */
    RETRY_AFTER,
    /** Stop: the failure is not worth retrying. */
    FAIL
  }

  private final Kind kind;
  private final Duration after;

  private RetryAction(Kind kind, Duration after) {
    this.kind = kind;
    this.after = after;
  }

  /** Retry after the backoff's delay. */
  public static RetryAction retry() {
    return RETRY;
  }

  /**
   * Retry after {@code delay}, as a server asked (a {@code Retry-After} header), instead of the
   * backoff's delay; the retry caps it at its configured maximum.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static RetryAction retryAfter(Duration delay) {
    Args.requireNonNegativeNanos(delay, "delay");
    return new RetryAction(Kind.RETRY_AFTER, delay);
  }

  /** Do not retry. */
  public static RetryAction fail() {
    return FAIL;
  }

  /** The decision. */
  public Kind kind() {
    return kind;
  }

  /** The server's delay, for {@link Kind#RETRY_AFTER}. */
  public Optional<Duration> after() {
    return Optional.ofNullable(after);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryAction a && a.kind == kind && Objects.equals(a.after, after);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, after);
  }

  @Override
  public String toString() {
    return after == null ? kind.name() : kind + "(" + after + ")";
  }
}
