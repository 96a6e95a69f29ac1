package io.throttlenet.core.registry;

/**
 * A change to a {@link Registry}: a component was added, removed or replaced under a name.
 * Bindings that must follow every component of a registry (metrics, loggers, an actuator)
 * subscribe with {@link Registry#watch} and act on these. Immutable values.
 *
 * @param <E> the kind of component
 */
public sealed interface RegistryEvent<E>
    permits RegistryEvent.Added, RegistryEvent.Removed, RegistryEvent.Replaced {

  /** The name the component is registered under. */
  String name();

  /** A component was created or put under a name that held none. */
  record Added<E>(String name, E component) implements RegistryEvent<E> {}

  /** The component under a name was taken out of the registry. */
  record Removed<E>(String name, E component) implements RegistryEvent<E> {}

  /** The component under a name was swapped for another one. */
  record Replaced<E>(String name, E previous, E component) implements RegistryEvent<E> {}
}
