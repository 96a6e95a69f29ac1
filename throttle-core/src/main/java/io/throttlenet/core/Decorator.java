package io.throttlenet.core;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Wraps a call with one capability (a throttle, a retry, a breaker, a queue, or one of your own),
 * synchronously and asynchronously. Every capability module implements it, and the {@code
 * Decorators} chain of throttle-all is one {@code with(decorator)} per step over it.
 *
 * <p>{@code T} bounds the results a decorator can handle: capabilities that work for any call
 * implement {@code Decorator<Object>}; a decorator that must produce a {@code T} of its own (a
 * fallback) narrows it. Contract for implementations: the returned supplier performs the wrapped
 * call at most as many times as the capability says (once, unless it retries), passes the call's
 * own exceptions through unwrapped, and may be invoked concurrently if the capability is
 * thread-safe, as all of throttle-net's are.
 *
 * @param <T> the supertype of the results this decorator can wrap
 */
public interface Decorator<T> {

  /** Wraps a synchronous call; the returned supplier blocks where the capability waits. */
  <R extends T> CheckedSupplier<R> decorate(CheckedSupplier<R> call);

  /**
   * Wraps an asynchronous call; the returned supplier never blocks: waits are scheduled, and the
   * stage completes with the call's result or with the capability's rejection.
   */
  <R extends T> Supplier<CompletionStage<R>> decorateAsync(
      Supplier<? extends CompletionStage<R>> call);
}
