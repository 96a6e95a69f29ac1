package io.throttlenet.queue;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The options of a {@link ConcurrencyLimit} (a bulkhead), as a value: what a {@link
 * ConcurrencyLimitRegistry} keeps under a configuration name, what {@link
 * ConcurrencyLimit#config()} reads back, and what {@link ConcurrencyLimit.Builder#from} starts a
 * builder from. An empty option takes the builder's default ({@link
 * ConcurrencyLimit#DEFAULT_MAX_WAIT}, {@link ConcurrencyLimit#DEFAULT_MAX_WAITERS}, the default
 * classifier); the limit has none, so a configuration without one builds nothing until a limit is
 * set on top of it.
 *
 * <p>A plain value that checks only for null; a limit built from it is checked by the builder,
 * with the builder's messages. Immutable and thread-safe (as long as the classifier is).
 *
 * @param limit the most calls in flight
 * @param maxWait how long a decorated call waits for a slot
 * @param maxWaiters the most callers waiting at once
 * @param classifier the outcome a decorated call's exception stands for
 */
public record ConcurrencyLimitConfig(
    OptionalInt limit,
    Optional<Duration> maxWait,
    OptionalInt maxWaiters,
    Optional<Function<? super Throwable, Outcome>> classifier) {

  /** No option set: the default configuration of a {@link ConcurrencyLimitRegistry}. */
  public static final ConcurrencyLimitConfig NONE =
      new ConcurrencyLimitConfig(OptionalInt.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());

  /**
   * @throws NullPointerException if an argument is null
   */
  public ConcurrencyLimitConfig {
    Args.requireNonNull(limit, "limit");
    Args.requireNonNull(maxWait, "maxWait");
    Args.requireNonNull(maxWaiters, "maxWaiters");
    Args.requireNonNull(classifier, "classifier");
  }
}
