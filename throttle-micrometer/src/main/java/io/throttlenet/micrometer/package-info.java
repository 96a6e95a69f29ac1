/**
 * Micrometer meters for every throttle-net component, from the events they publish.
 *
 * <p>{@link io.throttlenet.micrometer.ThrottleMetrics#bindTo(io.throttlenet.core.EventRegistry,
 * io.micrometer.core.instrument.MeterRegistry)} subscribes to an
 * {@link io.throttlenet.core.EventRegistry} and counts grants, refusals, waits, retries, breaker
 * transitions and queue activity per component name; gauges show a component's current state.
 * Modules other than throttle-core are optional here: meters for a module appear only when it is
 * on the class path.
 *
 * <p>Thread-safe. Nothing in this package accepts or returns null unless its documentation says
 * so.
 */
package io.throttlenet.micrometer;
