package io.throttlenet.adaptive;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Named {@link ServerWindow}s, created once and shared, and named {@link ServerWindowConfig}s to
 * create them from (see {@link Registry} for the contract). Its kind in properties is {@code
 * window}. The default configuration has no dimension, and a window needs one: give a {@code
 * quota} or dimensions.
 *
 * <table>
 *   <caption>Properties of a server window ({@code throttlenet.window.<name>.<key>} or {@code
 *   throttlenet.window.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code quota}</td><td>a {@link Quota#preset preset}'s name ({@code
 *   openai.tier-1.gpt-4o}) or {@link Quota#parse a quota} ({@code requests 50/1m, tokens
 *   5000/1m}); replaces the base configuration's dimensions</td><td>{@link Quota#serverWindow}</td></tr>
 *   <tr><td>{@code dimensions.<dimension>.limit}</td><td>count</td><td rowspan="2">{@link ServerWindow.Builder#dimension}; a new dimension needs both, one of the quota's or the base's may change either</td></tr>
 *   <tr><td>{@code dimensions.<dimension>.window}</td><td>duration</td></tr>
 *   <tr><td>{@code max-bypass}</td><td>duration ({@code 0s}: first come, first served)</td><td>{@link ServerWindow.Builder#maxBypass}</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>{@link ServerWindow.Builder#from}</td></tr>
 * </table>
 *
 * <p>Every window it creates uses the registry's ticker and event registry. Thread-safe.
 */
public final class ServerWindowRegistry extends Registry<ServerWindow, ServerWindowConfig> {
  /** The kind in property keys: {@code throttlenet.window.*}. */
  public static final String KIND = "window";

  private static final String DIMENSIONS = "dimensions";

  private ServerWindowRegistry(Ticker ticker, EventRegistry events) {
    super(
        KIND,
        ServerWindowConfig.NONE,
        (name, config) ->
            ServerWindow.builder().from(config).name(name).ticker(ticker).events(events).build(),
        ServerWindowRegistry::read);
  }

  /** A registry whose windows use the system ticker and the default event registry. */
  public static ServerWindowRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose windows use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static ServerWindowRegistry create(Ticker ticker, EventRegistry events) {
    return new ServerWindowRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  private static ServerWindowConfig read(ServerWindowConfig base, Options options) {
    Map<String, Quota.Limit> dimensions = new LinkedHashMap<>();
    for (Quota.Limit l : quota(options).map(Quota::limits).orElse(base.dimensions())) {
      dimensions.put(l.dimension(), l);
    }
    for (String dimension : new TreeSet<>(options.groups(DIMENSIONS))) {
      Options own = options.group(DIMENSIONS, dimension);
      Optional<Long> limit = own.count("limit");
      Optional<Duration> window = own.duration("window");
      Quota.Limit from = dimensions.get(dimension);
      if (from == null && (limit.isEmpty() || window.isEmpty())) {
        throw new IllegalArgumentException(
            "dimension " + dimension + ": limit and window must be set");
      }
      // Quota.Limit's own messages name the dimension ("limit of tokens must be > 0")
      dimensions.put(dimension, new Quota.Limit(dimension,
          limit.isPresent() ? limit.get() : from.limit(),
          window.isPresent() ? window.get() : from.window()));
    }
    ServerWindow.Builder b = ServerWindow.builder()
        .from(new ServerWindowConfig(List.copyOf(dimensions.values()), base.maxBypass()));
    options.duration("max-bypass").ifPresent(b::maxBypass);
    return b.config();
  }

  /** The {@code quota} key: a preset's name, else the quota's text form. */
  private static Optional<Quota> quota(Options options) {
    Optional<String> text = options.text("quota");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String spec = text.get().trim();
    if (Quota.presets().contains(spec)) {
      return Optional.of(Quota.preset(spec));
    }
    try {
      return Optional.of(Quota.parse(spec));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(options.prefix() + ".quota",
          "neither a preset " + Quota.presets() + " nor a quota: " + e.getMessage(), e);
    }
  }
}
