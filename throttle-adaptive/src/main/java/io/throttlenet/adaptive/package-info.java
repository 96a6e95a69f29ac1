/**
 * Limits that follow the downstream: rate-limit headers, an exact mirror of a server's window, and
 * controllers that find a capacity nobody publishes.
 *
 * <p>Following a published budget: {@link io.throttlenet.adaptive.RateLimitHeaders} parses the
 * rate-limit headers of common APIs ({@link io.throttlenet.adaptive.HeaderFormat}) into a
 * {@link io.throttlenet.adaptive.RateLimitStatus}; {@link io.throttlenet.adaptive.HeaderSync}
 * keeps a local limiter in step with what the server reports; a
 * {@link io.throttlenet.adaptive.ServerWindow} mirrors a server's sliding window so that the
 * server never counts more than the quota, whatever the network delay; a
 * {@link io.throttlenet.adaptive.Quota} is a published quota, parsed or from a provider preset.
 *
 * <p>Finding a capacity: {@link io.throttlenet.adaptive.ConcurrencyController}s
 * ({@link io.throttlenet.adaptive.AimdController}, {@link io.throttlenet.adaptive.VegasController},
 * {@link io.throttlenet.adaptive.Gradient2Controller}) steer a concurrency limit, and
 * {@link io.throttlenet.adaptive.RateController}s ({@link io.throttlenet.adaptive.AimdRateController},
 * {@link io.throttlenet.adaptive.CubicRateController}) a rate, from the outcomes and round trips
 * of calls; {@link io.throttlenet.adaptive.AdaptiveConcurrency} and
 * {@link io.throttlenet.adaptive.AdaptiveRate} wire them to the events.
 * {@link io.throttlenet.adaptive.ClientSideThrottle} sheds load locally while the downstream
 * refuses most calls.
 *
 * <p>Thread-safe throughout. Nothing in this package accepts or returns null unless its
 * documentation says so.
 */
package io.throttlenet.adaptive;
