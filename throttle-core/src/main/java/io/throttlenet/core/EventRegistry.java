package io.throttlenet.core;

import io.throttlenet.core.internal.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Where components publish their events and where adaptive controllers, metrics and loggers
 * subscribe to them, by event type (a subscription to a supertype such as {@link LimiterEvent}
 * receives all its subtypes) and optionally by component name.
 *
 * <p>Design: subscriptions change rarely, events flow often. Each component asks once for an
 * {@link EventPublisher} per event type and name; the registry keeps, in every publisher, a
 * ready-made array of the listeners that match it and rebuilds those arrays (under a lock) only
 * when a subscription is added or closed. Publishing is then a volatile read and a loop, with no
 * allocation and no lock, and nothing at all when the array is empty. Publishers are shared per
 * (type, component name), so the registry's memory grows with the number of distinct names, not
 * the number of components: name components, and reuse names for families such as per-key
 * limiters.
 *
 * <p>Delivery is synchronous on the publishing thread; a listener must be quick and must not
 * block. A listener that throws is logged and never breaks the call. Thread-safe.
 */
public final class EventRegistry {
  private static final EventRegistry DEFAULT = new EventRegistry();

  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentHashMap<Key, EventPublisher<?>> publishers = new ConcurrentHashMap<>();
  private final List<Registration> registrations = new ArrayList<>(); // guarded by lock

  private EventRegistry() {}

  /** The registry components use when none is given. */
  public static EventRegistry defaultRegistry() {
    return DEFAULT;
  }

  /** A new, empty registry, e.g. one per test or per application context. */
  public static EventRegistry create() {
    return new EventRegistry();
  }

  /**
   * Delivers every event of {@code type} (or a subtype), from any component, to {@code listener}.
   *
   * @throws NullPointerException if an argument is null
   */
  public <E extends Event> Subscription subscribe(Class<E> type, Consumer<? super E> listener) {
    return register(Args.requireNonNull(type, "type"), null, Args.requireNonNull(listener, "listener"));
  }

  /**
   * Delivers every event of {@code type} (or a subtype) published by the component named {@code
   * component} to {@code listener}.
   *
   * @throws NullPointerException if an argument is null
   */
  public <E extends Event> Subscription subscribe(
      Class<E> type, String component, Consumer<? super E> listener) {
    return register(
        Args.requireNonNull(type, "type"),
        Args.requireNonNull(component, "component"),
        Args.requireNonNull(listener, "listener"));
  }

  /**
   * The publisher for events of exactly {@code type} from the component named {@code component}.
   * Components call this once, when they are built; the same instance is returned for the same
   * pair.
   *
   * @throws NullPointerException if an argument is null
   */
  @SuppressWarnings("unchecked")
  public <E extends Event> EventPublisher<E> publisher(Class<E> type, String component) {
    Key key = new Key(Args.requireNonNull(type, "type"), Args.requireNonNull(component, "component"));
    EventPublisher<?> existing = publishers.get(key);
    if (existing != null) {
      return (EventPublisher<E>) existing;
    }
    lock.lock();
    try {
      return (EventPublisher<E>)
          publishers.computeIfAbsent(
              key,
              k -> {
                EventPublisher<E> p = new EventPublisher<>(type, component);
                p.setListeners(matching(p));
                return p;
              });
    } finally {
      lock.unlock();
    }
  }

  private Subscription register(Class<?> type, String component, Consumer<?> listener) {
    Registration r = new Registration(type, component, listener);
    lock.lock();
    try {
      registrations.add(r);
      refresh();
    } finally {
      lock.unlock();
    }
    return r;
  }

  private void unregister(Registration r) {
    lock.lock();
    try {
      if (registrations.remove(r)) {
        refresh();
      }
    } finally {
      lock.unlock();
    }
  }

  private void refresh() {
    for (EventPublisher<?> p : publishers.values()) {
      p.setListeners(matching(p));
    }
  }

  private Consumer<?>[] matching(EventPublisher<?> p) {
    List<Consumer<?>> out = new ArrayList<>();
    for (Registration r : registrations) {
      if (r.type.isAssignableFrom(p.type())
          && (r.component == null || r.component.equals(p.component()))) {
        out.add(r.listener);
      }
    }
    return out.toArray(new Consumer<?>[0]);
  }

  private record Key(Class<?> type, String component) {}

  private final class Registration implements Subscription {
    final Class<?> type;
    final String component;
    final Consumer<?> listener;

    Registration(Class<?> type, String component, Consumer<?> listener) {
      this.type = type;
      this.component = component;
      this.listener = listener;
    }

    @Override
    public void close() {
      unregister(this);
    }

    @Override
    public String toString() {
      return "Subscription[" + type.getSimpleName() + " from "
          + Objects.requireNonNullElse(component, "*") + "]";
    }
  }
}
