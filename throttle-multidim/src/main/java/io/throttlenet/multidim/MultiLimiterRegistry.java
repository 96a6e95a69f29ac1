package io.throttlenet.multidim;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.bucket.ThrottleConfig;
import io.throttlenet.bucket.ThrottleRegistry;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named {@link MultiLimiter}s, created once and shared, and named {@link MultiLimiterConfig}s to
 * create them from (see {@link Registry} for the contract; one registry per kind, in the kind's
 * module). Each dimension becomes a {@code Throttle} named {@code <limiter>.<dimension>}. The
 * default configuration has no dimension, and a limiter needs one.
 *
 * <table>
 *   <caption>Properties of a multi-limiter ({@code throttlenet.multi.<name>.<key>} or {@code
 *   throttlenet.multi.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code dimensions.<dimension>.rate}</td><td>{@code 100k/1m}</td><td rowspan="3">the dimension's throttle, as the keys of a throttle ({@link ThrottleRegistry})</td></tr>
 *   <tr><td>{@code dimensions.<dimension>.burst}</td><td>count</td></tr>
 *   <tr><td>{@code dimensions.<dimension>.initial-permits}</td><td>count</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>its dimensions, each of which the keys above may change, next to new ones</td></tr>
 * </table>
 *
 * <p>Every limiter it creates uses the registry's ticker and event registry. Thread-safe.
 */
public final class MultiLimiterRegistry extends Registry<MultiLimiter, MultiLimiterConfig> {
  /** The kind in property keys: {@code throttlenet.multi.*}. */
  public static final String KIND = "multi";

  private static final String DIMENSIONS = "dimensions";

  private MultiLimiterRegistry(Ticker ticker, EventRegistry events) {
    super(KIND, MultiLimiterConfig.NONE, (name, config) -> build(name, config, ticker, events),
        MultiLimiterRegistry::read);
  }

  /** A registry whose limiters use the system ticker and the default event registry. */
  public static MultiLimiterRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose limiters use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static MultiLimiterRegistry create(Ticker ticker, EventRegistry events) {
    return new MultiLimiterRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  private static MultiLimiter build(String name, MultiLimiterConfig config, Ticker ticker, EventRegistry events) {
    MultiLimiter.Builder b = MultiLimiter.builder().name(name).ticker(ticker).events(events);
    config.dimensions().forEach((dimension, throttle) -> {
      try {
        b.dimension(dimension, Throttle.builder().from(throttle).name(name + "." + dimension)
            .ticker(ticker).events(events).build());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalArgumentException("dimension " + dimension + ": " + e.getMessage(), e);
      }
    });
    return b.build();
  }

  private static MultiLimiterConfig read(MultiLimiterConfig base, Options options) {
    Set<String> names = new TreeSet<>(options.groups(DIMENSIONS));
    Map<String, ThrottleConfig> dimensions = new LinkedHashMap<>(base.dimensions());
    for (String dimension : names) {
      ThrottleConfig from = dimensions.getOrDefault(dimension, ThrottleConfig.NONE);
      try {
        dimensions.put(dimension, ThrottleRegistry.read(from, options.group(DIMENSIONS, dimension)));
      } catch (ConfigurationException e) {
        throw e; // a key's own error names the key already
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalArgumentException("dimension " + dimension + ": " + e.getMessage(), e);
      }
    }
    return new MultiLimiterConfig(dimensions);
  }
}
