package io.throttlenet.core;

import java.util.Objects;

/**
 * A grant that is given back when the call it admitted ends: a slot of a concurrency limit, or a
 * turn in an admission queue in front of one. Report how the call ended exactly once, with {@link
 * #success()}, {@link #dropped()}, {@link #ignore()} or {@link #release(Outcome)}; closing it
 * without a report counts as {@link Outcome#FAILURE} (the call never said it succeeded), so a
 * try-with-resources block that throws is reported correctly and never leaks a slot. Later reports
 * are ignored. Every throttle-net permit, a bulkhead slot or a circuit breaker's permission, gives
 * {@code close()} this one meaning.
 *
 * <p>Implementations are thread-safe: the first report wins.
 */
public interface Permit extends AutoCloseable {

  /**
   * A permit with nothing to give back: what a queue in front of a rate limiter hands out, since
   * the cost it charged is spent, not borrowed. Every report is a no-op.
   */
  Permit SPENT = outcome -> Objects.requireNonNull(outcome, "outcome");

  /**
   * Gives the grant back, reporting how the call ended.
   *
   * @throws NullPointerException if {@code outcome} is null
   */
  void release(Outcome outcome);

  /** The call succeeded. */
  default void success() {
    release(Outcome.SUCCESS);
  }

  /** The downstream signalled overload (429, 503, a timeout). */
  default void dropped() {
    release(Outcome.DROPPED);
  }

  /** The call ended in a way that says nothing about the downstream's capacity. */
  default void ignore() {
    release(Outcome.IGNORED);
  }

  /** Gives the grant back as {@link Outcome#FAILURE} unless an outcome was reported. */
  @Override
  default void close() {
    release(Outcome.FAILURE);
  }
}
