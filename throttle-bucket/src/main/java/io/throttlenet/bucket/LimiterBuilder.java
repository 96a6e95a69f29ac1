package io.throttlenet.bucket;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;

/**
 * The options every limiter builder of this module shares: a name, a ticker and an event
 * registry, each settable once. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by each option for chaining
 */
abstract class LimiterBuilder<B extends LimiterBuilder<B>> {
  String name;
  Ticker ticker;
  EventRegistry events;

  abstract B self();

  /**
   * The name in events, errors and metrics.
   *
   * @throws IllegalStateException if already set
   */
  public B name(String name) {
    Args.requireUnset(this.name != null, "name");
    this.name = Args.requireNonNull(name, "name");
    return self();
  }

  /**
   * The time source and waiting seam; defaults to {@link Ticker#system()}.
   *
   * @throws IllegalStateException if already set
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
   */
  public B events(EventRegistry events) {
    Args.requireUnset(this.events != null, "events");
    this.events = Args.requireNonNull(events, "events");
    return self();
  }

  String nameOr(String fallback) {
    return name != null ? name : fallback;
  }

  Ticker tickerOr(Ticker fallback) {
    return ticker != null ? ticker : fallback;
  }

  EventRegistry eventsOrDefault() {
    return events != null ? events : EventRegistry.defaultRegistry();
  }
}
