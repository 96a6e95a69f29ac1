/**
 * throttle-net core: the rate-limiter SPI and its verbs, time ({@link io.throttlenet.core.Ticker}),
 * typed events ({@link io.throttlenet.core.EventRegistry}), rejections and the
 * {@link io.throttlenet.core.Decorator} contract every capability module implements.
 *
 * <p>It has no runtime dependencies and logs through {@link java.lang.System.Logger}.
 */
module io.throttlenet.core {
  exports io.throttlenet.core;
  exports io.throttlenet.core.registry;
  // Shared helpers for sibling modules only; never part of the public API.
  exports io.throttlenet.core.internal to
      io.throttlenet.bucket,
      io.throttlenet.multidim,
      io.throttlenet.retry,
      io.throttlenet.breaker,
      io.throttlenet.queue,
      io.throttlenet.adaptive,
      io.throttlenet.http,
      io.throttlenet.micrometer,
      io.throttlenet.reactor,
      io.throttlenet.all;
}
