package io.throttlenet.multidim;

import java.time.Duration;

/**
 * One dimension of a {@link MultiLimiter} at one instant, for metrics and debugging.
 *
 * @param dimension its name
 * @param limit the most it can grant at once
 * @param available what it could grant now (negative when in debt)
 * @param timeUntilFull how long until it could grant its whole limit again
 */
public record DimensionSnapshot(String dimension, long limit, long available, Duration timeUntilFull) {}
