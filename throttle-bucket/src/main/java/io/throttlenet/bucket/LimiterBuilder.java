package io.throttlenet.bucket;

import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;

/**
 * The builders of this module: the shared options, readable by the limiters' constructors in this
 * package (the base class only lets subclasses read them). Not thread-safe.
 *
 * @param <B> the concrete builder, returned by each option for chaining
 */
abstract class LimiterBuilder<B extends LimiterBuilder<B>> extends ComponentBuilder<B> {

  String resolvedName(String fallback) {
    return nameOr(fallback);
  }

  Ticker resolvedTicker(Ticker fallback) {
    return tickerOr(fallback);
  }

  EventRegistry resolvedEvents() {
    return eventsOrDefault();
  }
}
