package io.throttlenet.core;

import java.util.function.Consumer;

/**
 * The emitting side of one event type for one component, obtained once from {@link
 * EventRegistry#publisher} and kept in a field.
 *
 * <p>The contract that keeps the hot path free: check {@link #hasListeners()} before building the
 * event, so nobody pays for an event object nobody reads:
 *
 * <pre>{@code
 * if (acquired.hasListeners()) {
 *   acquired.publish(new LimiterEvent.Acquired(name, cost, Duration.ofNanos(wait)));
 * }
 * }</pre>
 *
 * <p>{@link #hasListeners()} is one volatile read. Delivery is synchronous, on the publishing
 * thread, in subscription order. A listener that throws is logged (through {@link
 * System.Logger}) and skipped; it never breaks the publishing call. Thread-safe.
 *
 * @param <E> the event type
 */
public final class EventPublisher<E extends Event> {
  private static final System.Logger LOG = System.getLogger(EventPublisher.class.getName());
  private static final Consumer<?>[] NONE = new Consumer<?>[0];

  private final Class<E> type;
  private final String component;
  private volatile Consumer<?>[] listeners = NONE;

  EventPublisher(Class<E> type, String component) {
    this.type = type;
    this.component = component;
  }

  /** True if at least one listener would receive an event published now. */
  public boolean hasListeners() {
    return listeners.length != 0;
  }

  /** Delivers {@code event} to every current listener, on this thread. */
  @SuppressWarnings("unchecked")
  public void publish(E event) {
    for (Consumer<?> listener : listeners) {
      try {
        ((Consumer<? super E>) listener).accept(event);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable t) {
        LOG.log(
            System.Logger.Level.WARNING,
            () -> "event listener failed on " + event.getClass().getSimpleName() + " from "
                + component,
            t);
      }
    }
  }

  Class<E> type() {
    return type;
  }

  String component() {
    return component;
  }

  void setListeners(Consumer<?>[] listeners) {
    this.listeners = listeners.length == 0 ? NONE : listeners;
  }

  @Override
  public String toString() {
    return "EventPublisher[" + type.getSimpleName() + " from " + component + "]";
  }
}
