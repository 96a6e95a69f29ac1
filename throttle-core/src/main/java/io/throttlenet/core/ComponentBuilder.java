package io.throttlenet.core;

import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Names;

/**
 * The options every throttle-net builder shares: the component's name (in events, errors and
 * metrics; unnamed components get unique defaults such as {@code throttle-3}), its {@link Ticker} and the {@link EventRegistry} it publishes to. Each may be set
 * once; setting one twice is an error, so a builder passed around cannot be silently
 * reconfigured. Each builder documents its defaults. Not thread-safe, like every builder.
 *
 * @param <B> the concrete builder, returned by each option for chaining
 */
public abstract class ComponentBuilder<B extends ComponentBuilder<B>> {
  private String name;
  private Ticker ticker;
  private EventRegistry events;
  private String defaultName;

  /** For the builders of throttle-net's components. */
  protected ComponentBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The name in events, errors and metrics.
   *
   * @throws IllegalStateException if already set
   * @throws NullPointerException if {@code name} is null
   */
  public B name(String name) {
    Args.requireUnset(this.name != null, "name");
    this.name = Args.requireNonNull(name, "name");
    return self();
  }

  /**
   * The time source and waiting seam (a {@link ManualTicker} in tests).
   *
   * @throws IllegalStateException if already set
   * @throws NullPointerException if {@code ticker} is null
   */
  public B ticker(Ticker ticker) {
    Args.requireUnset(this.ticker != null, "ticker");
    this.ticker = Args.requireNonNull(ticker, "ticker");
    return self();
  }

  /**
   * Where events are published; defaults to {@link EventRegistry#defaultRegistry()}.
   *
   * @throws IllegalStateException if already set
   * @throws NullPointerException if {@code events} is null
   */
  public B events(EventRegistry events) {
    Args.requireUnset(this.events != null, "events");
    this.events = Args.requireNonNull(events, "events");
    return self();
  }

  /**
   * The name set, or else a unique default made from {@code kind}: {@code kind-1}, {@code
   * kind-2}, ... (one per builder, the same on every call), so that two unnamed components never
   * merge into one series of events or meters.
   */
  protected final String nameOr(String kind) {
    if (name != null) {
      return name;
    }
    if (defaultName == null) {
      defaultName = Names.unique(kind);
    }
    return defaultName;
  }

  /** The ticker set, or {@code fallback}. */
  protected final Ticker tickerOr(Ticker fallback) {
    return ticker != null ? ticker : fallback;
  }

  /** The registry set, or the default one. */
  protected final EventRegistry eventsOrDefault() {
    return events != null ? events : EventRegistry.defaultRegistry();
  }
}
