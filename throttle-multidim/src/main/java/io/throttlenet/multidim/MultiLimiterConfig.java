package io.throttlenet.multidim;

import io.throttlenet.bucket.ThrottleConfig;
import io.throttlenet.core.internal.Args;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dimensions of a {@link MultiLimiter} made of {@code Throttle}s, as a value: a {@link
 * ThrottleConfig} per dimension name, in order. What a {@link MultiLimiterRegistry} keeps under a
 * configuration name and builds a limiter from (one throttle per dimension), and what {@link
 * MultiLimiter#config()} reads back.
 *
 * <p>Immutable and thread-safe.
 *
 * @param dimensions each dimension's throttle options, in order
 */
public record MultiLimiterConfig(Map<String, ThrottleConfig> dimensions) {

  /** No dimension: the default configuration of a {@link MultiLimiterRegistry}. */
  public static final MultiLimiterConfig NONE = new MultiLimiterConfig(Map.of());

  /**
   * @throws NullPointerException if the map, a name or a configuration is null
   */
  public MultiLimiterConfig {
    Args.requireNonNull(dimensions, "dimensions");
    LinkedHashMap<String, ThrottleConfig> copy = new LinkedHashMap<>();
    dimensions.forEach((d, c) ->
        copy.put(Args.requireNonNull(d, "dimension"), Args.requireNonNull(c, "dimension " + d)));
    dimensions = Collections.unmodifiableMap(copy);
  }
}
