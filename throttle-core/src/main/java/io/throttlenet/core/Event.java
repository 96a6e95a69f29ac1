package io.throttlenet.core;

/**
 * Something a throttle-net component reports. Each module declares a sealed sub-interface with
 * records for its events (see {@link LimiterEvent}); subscribe to them through an {@link
 * EventRegistry}, by type and optionally by component name.
 *
 * <p>Events are immutable values and safe to hand to other threads.
 */
public interface Event {

  /** The name of the component that published this event. */
  String component();
}
