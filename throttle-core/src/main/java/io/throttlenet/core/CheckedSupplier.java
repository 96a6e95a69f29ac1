package io.throttlenet.core;

/**
 * A call that returns a value and may throw any exception: the one call shape every {@link
 * Decorator} wraps.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface CheckedSupplier<T> {

  /**
   * Performs the call.
   *
   * @throws Exception whatever the call throws; decorators pass it through unwrapped
   */
  T get() throws Exception;
}
