/**
 * Limits on how many calls run at once, and fair queues in front of any limiter.
 *
 * <p>{@link io.throttlenet.queue.ConcurrencyLimit} is a bulkhead whose limit can change while it
 * runs (which adaptive controllers do); it rejects with
 * {@link io.throttlenet.queue.BulkheadFullException} after the maximum wait.
 * {@link io.throttlenet.queue.AdmissionQueue} puts a bounded, fair queue in front of a rate
 * limiter or a concurrency limit: per-key round robin so one tenant cannot starve the others,
 * priorities, deadlines ({@link io.throttlenet.queue.DeadlineExceededException}) and an
 * {@link io.throttlenet.queue.Overflow} policy when full
 * ({@link io.throttlenet.queue.QueueFullException}). {@link io.throttlenet.queue.ConcurrencyEvent}
 * and {@link io.throttlenet.queue.QueueEvent} report what happens.
 *
 * <p>Thread-safe; waiting never holds a lock. Nothing in this package accepts or returns null
 * unless its documentation says so.
 */
package io.throttlenet.queue;
