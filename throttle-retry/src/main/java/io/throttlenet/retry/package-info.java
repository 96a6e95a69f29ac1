/**
 * Retrying a failed call: when, how often and how long to wait.
 *
 * <p>A {@link io.throttlenet.retry.Retry} (from {@link io.throttlenet.retry.Retry#builder()})
 * decides per failure with a classifier ({@link io.throttlenet.retry.RetryAction}), waits as its
 * {@link io.throttlenet.retry.Backoff} and {@link io.throttlenet.retry.Jitter} say, or as long as
 * the server asked ({@link io.throttlenet.retry.RetryAfter}, from a {@code Retry-After} header or
 * an exception), and stops at its attempt limit, its deadline or when a shared
 * {@link io.throttlenet.retry.RetryBudget} says retries are already too large a share of the
 * traffic. Every attempt and decision is published as a {@link io.throttlenet.retry.RetryEvent}.
 *
 * <p>Thread-safe: one {@code Retry} serves any number of concurrent calls. Nothing in this package
 * accepts or returns null unless its documentation says so.
 */
package io.throttlenet.retry;
