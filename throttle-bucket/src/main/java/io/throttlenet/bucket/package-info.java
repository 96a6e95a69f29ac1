/**
 * Rate limiters on one budget: token buckets, an exact sliding window, and their compositions.
 *
 * <p>{@link io.throttlenet.bucket.Throttle} is a lock-free token bucket (GCRA) with a rate and a
 * burst; start with {@link io.throttlenet.bucket.Throttle#perSecond(long)} or
 * {@link io.throttlenet.bucket.Throttle#builder()}. Its rate can change while it runs
 * ({@code setRate}), which is what header sync and adaptive controllers use.
 * {@link io.throttlenet.bucket.SlidingWindowLog} admits exactly what a server with a sliding
 * window of N calls would. {@link io.throttlenet.bucket.AllOf} charges several limiters at one
 * instant, all or nothing; {@link io.throttlenet.bucket.PerKey} gives each key (tenant, user,
 * endpoint) its own limiter with bounded memory; {@link io.throttlenet.bucket.Layered} stacks
 * scopes, such as a global budget, a per-tenant one and a per-endpoint one.
 *
 * <p>Every limiter here is a {@link io.throttlenet.core.RateLimiter}: thread-safe, clocked by a
 * {@link io.throttlenet.core.Ticker}, publishing {@link io.throttlenet.core.LimiterEvent}s. Nothing
 * in this package accepts or returns null unless its documentation says so.
 */
package io.throttlenet.bucket;
