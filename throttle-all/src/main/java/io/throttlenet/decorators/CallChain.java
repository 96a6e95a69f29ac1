package io.throttlenet.decorators;

import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.core.internal.Args;
import java.time.Duration;

/**
 * A chain over a call that takes no argument (every chain but {@link Decorators.FunctionChain},
 * whose per-tenant steps take the tenant from each call's argument instead): its per-tenant steps
 * name their tenant when they are added. Immutable and thread-safe, like every chain.
 *
 * @param <T> the call's result type
 * @param <C> the concrete chain type, returned by every {@code with…}
 */
public abstract class CallChain<T, C extends CallChain<T, C>> extends DecoratorChain<T, C> {

  CallChain(Spec spec) {
    super(spec);
  }

  /**
   * Adds a step that takes one permit of {@code key}'s limiter in {@code perKey} before every
   * call (a fixed tenant; {@code FunctionChain} also takes the key from each call's argument),
   * waiting at most {@link Decorators#DEFAULT_MAX_WAIT}.
   */
  public <K> C withThrottle(PerKey<K> perKey, K key) {
    return withThrottle(perKey, key, 1, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} of {@code key}'s limiter in {@code perKey} before every
   * call, waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative
   */
  public <K> C withThrottle(PerKey<K> perKey, K key, long cost, Duration maxWait) {
    Args.requireNonNull(key, "key");
    return copy(spec.with(Layer.keyed(Grants.of(perKey, cost, maxWait), arg -> key)));
  }

  /**
   * Adds a step that takes one permit for tenant {@code key} from every scope of {@code layered}
   * (its global and per-key scopes; it must have no per-endpoint scope) before every call, waiting
   * at most {@link Decorators#DEFAULT_MAX_WAIT}.
   *
   * @throws IllegalArgumentException if {@code layered} has a per-endpoint scope
   */
  public <K> C withThrottle(Layered<K> layered, K key) {
    return withThrottle(layered, key, null, 1, Decorators.DEFAULT_MAX_WAIT);
  }

  /**
   * Adds a step that takes {@code cost} for tenant {@code key} on {@code endpoint} (null if
   * {@code layered} has no per-endpoint scope) from every scope of {@code layered} before every
   * call, waiting at most {@code maxWait}.
   *
   * @throws IllegalArgumentException if {@code cost} or {@code maxWait} is negative, or {@code
   *     endpoint} is null while {@code layered} has a per-endpoint scope
   */
  public <K> C withThrottle(Layered<K> layered, K key, K endpoint, long cost, Duration maxWait) {
    Args.requireNonNull(key, "key");
    return copy(spec.with(Layer.keyed(Grants.of(layered, endpoint, cost, maxWait), arg -> key)));
  }

}
