package io.throttlenet.decorators;

import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The per-tenant grants of a chain's keyed steps: a key in, a stage out that completes when the
 * key's cost is granted within the step's bound. Validated when the step is added.
 */
final class Grants {
  private Grants() {}

  @SuppressWarnings("unchecked")
  static <K> Function<Object, CompletionStage<Void>> of(PerKey<K> perKey, long cost, Duration maxWait) {
    Args.requireNonNull(perKey, "perKey");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    return key -> perKey.acquireAsync((K) key, cost, maxWait);
  }

  @SuppressWarnings("unchecked")
  static <K> Function<Object, CompletionStage<Void>> of(Layered<K> layered, K endpoint, long cost, Duration maxWait) {
    Args.requireNonNull(layered, "layered");
    Args.requireNonNegative(cost, "cost");
    Args.requireNonNegativeNanos(maxWait, "maxWait");
    if (endpoint == null && layered.hasEndpointScope()) {
      throw new IllegalArgumentException(
          "endpoint must be given: " + layered.name() + " has a per-endpoint scope");
    }
    return key -> layered.acquireAsync((K) key, endpoint, cost, maxWait);
  }
}
