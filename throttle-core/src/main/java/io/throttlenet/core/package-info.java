/**
 * The contracts every throttle-net module shares: the rate-limiter SPI, time, events, outcomes
 * and rejections.
 *
 * <p>{@link io.throttlenet.core.RateLimiter} is the one limiter interface: {@code tryAcquire},
 * blocking {@code acquire} with a maximum wait, asynchronous {@code acquireAsync}, and
 * cancellable {@link io.throttlenet.core.Permit}s; every limiter in the other modules implements
 * it. {@link io.throttlenet.core.Ticker} is the only source of time and of waiting, so tests drive
 * a {@link io.throttlenet.core.ManualTicker} instead of sleeping. Components publish typed
 * {@link io.throttlenet.core.Event}s to an {@link io.throttlenet.core.EventRegistry}, which metrics,
 * loggers and adaptive controllers subscribe to; a call's end is a
 * {@link io.throttlenet.core.CallEvent} carrying its {@link io.throttlenet.core.Outcome}, as a
 * {@link io.throttlenet.core.CallClassifier} judged it. {@link io.throttlenet.core.Decorator} is
 * what each capability module implements to wrap a call, and
 * {@link io.throttlenet.core.ComponentBuilder} the options every builder shares (name, ticker,
 * events). Refusals are {@link io.throttlenet.core.RejectedException}s.
 *
 * <p>This module has no runtime dependencies. Nothing in this package accepts or returns null
 * unless its documentation says so.
 */
package io.throttlenet.core;
