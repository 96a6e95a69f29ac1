package io.throttlenet.core;

/**
 * A listener's registration with an {@link EventRegistry}. Closing it stops delivery of events
 * published afterwards (a publication already under way on another thread may still reach the
 * listener); closing twice is harmless. Thread-safe.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Stops delivering events to the listener; idempotent, never throws. */
  @Override
  void close();
}
