package io.throttlenet.bucket;

import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Rate;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The options of a {@link Throttle}, as a value: what a {@link ThrottleRegistry} keeps under a
 * configuration name, what {@link Throttle#config()} reads back, and what {@link
 * Throttle.Builder#from} starts a builder from. An option left empty takes the builder's default
 * when a throttle is built: the burst defaults to the rate's permits per period, the initial
 * permits to the burst; the rate has no default, so a configuration without one (the registry's
 * default) builds nothing until a rate is set on top of it.
 *
 * <p>A plain value that checks only for null; a throttle built from it is checked by the builder,
 * with the builder's messages. Get a checked one from {@link Throttle.Builder#config()}. Immutable
 * and thread-safe.
 *
 * @param rate permits per period
 * @param burst the most granted at once, the bucket's size
 * @param initialPermits permits available when built
 */
public record ThrottleConfig(Optional<Rate> rate, OptionalLong burst, OptionalLong initialPermits) {

  /** No option set: the default configuration of a {@link ThrottleRegistry}. */
  public static final ThrottleConfig NONE =
      new ThrottleConfig(Optional.empty(), OptionalLong.empty(), OptionalLong.empty());

  /**
   * @throws NullPointerException if an argument is null
   */
  public ThrottleConfig {
    Args.requireNonNull(rate, "rate");
    Args.requireNonNull(burst, "burst");
    Args.requireNonNull(initialPermits, "initialPermits");
  }
}
