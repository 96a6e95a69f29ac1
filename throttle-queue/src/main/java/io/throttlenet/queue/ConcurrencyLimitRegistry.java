package io.throttlenet.queue;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;

/**
 * Named {@link ConcurrencyLimit}s (bulkheads), created once and shared, and named {@link
 * ConcurrencyLimitConfig}s to create them from (see {@link Registry} for the contract; one
 * registry per kind, in the kind's module). Its kind in properties is {@code bulkhead}, the word
 * {@code Decorators.withBulkhead} uses. The default configuration sets nothing, and a limit needs
 * one: give it in the configuration used, set {@code "default"}, or bind properties.
 *
 * <table>
 *   <caption>Properties of a bulkhead ({@code throttlenet.bulkhead.<name>.<key>} or {@code
 *   throttlenet.bulkhead.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code limit}</td><td>count</td><td>{@link ConcurrencyLimit.Builder#limit}</td></tr>
 *   <tr><td>{@code max-wait}</td><td>duration ({@code 0s} fails at once)</td><td>{@link ConcurrencyLimit.Builder#maxWait}</td></tr>
 *   <tr><td>{@code max-waiters}</td><td>count</td><td>{@link ConcurrencyLimit.Builder#maxWaiters}</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>{@link ConcurrencyLimit.Builder#from}</td></tr>
 * </table>
 *
 * <p>Every limit it creates uses the registry's ticker and event registry. Thread-safe.
 */
public final class ConcurrencyLimitRegistry extends Registry<ConcurrencyLimit, ConcurrencyLimitConfig> {
  /** The kind in property keys: {@code throttlenet.bulkhead.*}. */
  public static final String KIND = "bulkhead";

  private ConcurrencyLimitRegistry(Ticker ticker, EventRegistry events) {
    super(
        KIND,
        ConcurrencyLimitConfig.NONE,
        (name, config) ->
            ConcurrencyLimit.builder().from(config).name(name).ticker(ticker).events(events).build(),
        ConcurrencyLimitRegistry::read);
  }

  /** A registry whose limits use the system ticker and the default event registry. */
  public static ConcurrencyLimitRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose limits use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static ConcurrencyLimitRegistry create(Ticker ticker, EventRegistry events) {
    return new ConcurrencyLimitRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  private static ConcurrencyLimitConfig read(ConcurrencyLimitConfig base, Options options) {
    ConcurrencyLimit.Builder b = ConcurrencyLimit.builder().from(base);
    options.integer("limit").ifPresent(b::limit);
    options.duration("max-wait").ifPresent(b::maxWait);
    options.integer("max-waiters").ifPresent(b::maxWaiters);
    return b.config();
  }
}
