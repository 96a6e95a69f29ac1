/**
 * A circuit breaker: stop calling a downstream that is failing, and probe it back.
 *
 * <p>A {@link io.throttlenet.breaker.CircuitBreaker} (from
 * {@link io.throttlenet.breaker.CircuitBreaker#builder()}) counts outcomes over a sliding window,
 * opens when its {@link io.throttlenet.breaker.Trip} condition holds (failures in a row, a failure
 * count or rate over calls or time, a rate of slow calls), rejects calls with {@link io.throttlenet.breaker.CircuitOpenException}
 * while open, and lets a limited number of trial calls through when half-open. Its
 * {@link io.throttlenet.breaker.BreakerState} changes are published as
 * {@link io.throttlenet.breaker.BreakerEvent}s.
 *
 * <p>Thread-safe. Nothing in this package accepts or returns null unless its documentation says
 * so.
 */
package io.throttlenet.breaker;
