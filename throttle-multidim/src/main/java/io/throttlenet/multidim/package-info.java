/**
 * Budgets in several dimensions at once, such as requests, input tokens and output tokens per
 * minute for an LLM API.
 *
 * <p>A {@link io.throttlenet.multidim.MultiLimiter} (built with
 * {@link io.throttlenet.multidim.MultiLimiter#builder()}) charges a call's
 * {@link io.throttlenet.multidim.Costs} in every dimension all or nothing. When the real cost is
 * known only afterwards, reserve an estimate and settle it: a
 * {@link io.throttlenet.multidim.Reservation} gives back what was over-estimated and charges what
 * was under-estimated, exactly once. {@link io.throttlenet.multidim.DimensionSnapshot} reads a
 * dimension's state; {@link io.throttlenet.multidim.MultiLimiterEvent}s report each grant,
 * refusal and settlement.
 *
 * <p>Thread-safe throughout. Nothing in this package accepts or returns null unless its
 * documentation says so.
 */
package io.throttlenet.multidim;
