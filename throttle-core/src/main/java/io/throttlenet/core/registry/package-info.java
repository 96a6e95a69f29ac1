/**
 * Registries of named components and configurations, and configuration from properties.
 *
 * <p>Start with {@link io.throttlenet.core.registry.Registry}: each capability module has one
 * per kind of component ({@code ThrottleRegistry} in {@code throttle-bucket}, {@code
 * RetryRegistry} in {@code throttle-retry}, ...), and {@code throttle-all}'s {@code Registries}
 * holds one of each. {@link io.throttlenet.core.registry.Registry#bind} reads flat properties such
 * as {@code throttlenet.throttle.github.rate=5000/1h}; {@link io.throttlenet.core.registry.Values}
 * reads and writes the human forms of durations, rates, percentages and counts they use.
 *
 * <p>Nothing in this package accepts or returns null unless its documentation says so.
 */
package io.throttlenet.core.registry;
