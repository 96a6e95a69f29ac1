/**
 * One fluent chain over every capability: {@link io.throttlenet.decorators.Decorators}.
 *
 * <p>{@code Decorators.ofSupplier(call).withThrottle(t).withRetry(r).withBreaker(b).decorate()}
 * wraps a call in each step, each step outside the ones given before it (see
 * {@link io.throttlenet.decorators.Decorators} for the order to choose), and publishes one
 * {@link io.throttlenet.core.CallEvent} per call for metrics and adaptive controllers. Chains
 * exist for suppliers, callables, runnables, functions and completion stages, and, when Vavr is
 * present, for Vavr's functions and {@code Try}. {@link io.throttlenet.decorators.Slf4jEventLogger}
 * logs every event through SLF4J when it is present.
 *
 * <p>A built chain is immutable and thread-safe. Nothing in this package accepts or returns null
 * unless its documentation says so.
 */
package io.throttlenet.decorators;
