package io.throttlenet.bucket;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;

/**
 * Named {@link Throttle}s, created once and shared, and named {@link ThrottleConfig}s to create
 * them from (see {@link Registry} for the contract). One registry per kind, in the kind's module,
 * so that depending on {@code throttle-bucket} alone gives a registry of throttles and nothing
 * more; {@code throttle-all}'s {@code Registries} gathers one of each kind.
 *
 * <pre>{@code
 * ThrottleRegistry throttles = ThrottleRegistry.create();
 * throttles.addConfiguration("api", Throttle.builder().rate(5000, Duration.ofHours(1)).config());
 * Throttle github = throttles.component("github", "api"); // the same instance on every call
 * }</pre>
 *
 * <p>The default configuration sets nothing, and a throttle needs a rate: give one in the
 * configuration used, set {@code "default"} ({@link #addConfiguration}), or bind properties
 * ({@link #bind}):
 *
 * <table>
 *   <caption>Properties of a throttle ({@code throttlenet.throttle.<name>.<key>} or {@code
 *   throttlenet.throttle.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code rate}</td><td>{@code 5000/1h}, {@code 100/s}</td><td>{@link Throttle.Builder#rate(long, java.time.Duration)}</td></tr>
 *   <tr><td>{@code burst}</td><td>count ({@code 100}, {@code 10k})</td><td>{@link Throttle.Builder#burst}</td></tr>
 *   <tr><td>{@code initial-permits}</td><td>count</td><td>{@link Throttle.Builder#initialPermits}</td></tr>
 *   <tr><td>{@code config}</td><td>a configuration's name</td><td>(components only) {@link Throttle.Builder#from}</td></tr>
 *   <tr><td>{@code base-config}</td><td>a configuration's name</td><td>(configurations only) {@link Throttle.Builder#from}</td></tr>
 * </table>
 *
 * <p>Every throttle it creates uses the registry's ticker and event registry. Thread-safe.
 */
public final class ThrottleRegistry extends Registry<Throttle, ThrottleConfig> {
  /** The kind in property keys: {@code throttlenet.throttle.*}. */
  public static final String KIND = "throttle";

  private ThrottleRegistry(Ticker ticker, EventRegistry events) {
    super(
        KIND,
        ThrottleConfig.NONE,
        (name, config) ->
            Throttle.builder().from(config).name(name).ticker(ticker).events(events).build(),
        ThrottleRegistry::read);
  }

  /** A registry whose throttles use the system ticker and the default event registry. */
  public static ThrottleRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose throttles use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static ThrottleRegistry create(Ticker ticker, EventRegistry events) {
    return new ThrottleRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  /**
   * Reads a throttle's keys ({@code rate}, {@code burst}, {@code initial-permits}) from {@code
   * options} over {@code base}; for kinds made of throttles, such as a multi-limiter's dimensions.
   *
   * @throws IllegalArgumentException if the builder rejects the options (its message)
   */
  public static ThrottleConfig read(ThrottleConfig base, Options options) {
    Throttle.Builder b = Throttle.builder().from(base);
    options.rate("rate").ifPresent(r -> b.rate(r.permits(), r.period()));
    options.count("burst").ifPresent(b::burst);
    options.count("initial-permits").ifPresent(b::initialPermits);
    return b.config();
  }
}
