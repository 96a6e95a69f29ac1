package io.throttlenet.core.registry;

import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Named components of one kind, created once and shared, and named configurations to create them
 * from. {@code component("github")} returns the component registered under that name, creating it
 * from the {@code "default"} configuration the first time; {@code component("github", "strict")}
 * creates it from the configuration named {@code strict} instead. Each kind's module has its own
 * registry ({@code ThrottleRegistry}, {@code RetryRegistry}, ...), so a user who needs only a
 * token bucket does not pull in the breaker; {@code throttle-all}'s {@code Registries} holds one
 * of each, and binds {@code throttlenet.*} properties into all of them.
 *
 * <p>Configurations are immutable values; one is derived from another through its kind's
 * builder ({@code Throttle.builder().from(base).burst(10).config()}), or in properties with
 * {@code base-config}. Adding a configuration under a name that has one replaces it; components
 * already created keep the configuration they were built with.
 *
 * <p>Design: lookups are one {@link ConcurrentHashMap} read with no lock. Every change (creating,
 * replacing or removing a component) takes one lock, which makes three guarantees cheap: the
 * factory runs at most once per name however many threads ask at the same time; listeners see
 * the events of a registry one at a time, in the order the changes happened; and {@link #watch}
 * sees every component exactly once, whether it existed before or came after. Changes are rare
 * (a component is created once and used for the life of the application), so the lock is never
 * on a hot path. A factory or listener must not block; it may use the registry (the lock is
 * reentrant). A listener that throws is logged and never breaks the change.
 *
 * <p>Thread-safe.
 *
 * @param <E> the kind of component
 * @param <C> the kind's immutable configuration
 */
public class Registry<E, C> {
  /** The name of the configuration used when none is named. */
  public static final String DEFAULT_CONFIG = "default";

  private static final System.Logger LOG = System.getLogger(Registry.class.getName());

  private final String kind;
  private final BiFunction<String, ? super C, ? extends E> factory;
  private final ConfigReader<C> reader;
  private final ConcurrentHashMap<String, E> components = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, C> configurations = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<? super RegistryEvent<E>>> listeners =
      new CopyOnWriteArrayList<>();
  private final ReentrantLock changes = new ReentrantLock();

  /**
   * A registry of {@code kind} (the word in property keys: {@code throttle}, {@code retry}, ...).
   *
   * @param defaultConfig the {@code "default"} configuration
   * @param factory builds a component from its name and configuration
   * @param reader reads a configuration from properties ({@link #bind})
   * @throws NullPointerException if an argument is null
   */
  protected Registry(
      String kind,
      C defaultConfig,
      BiFunction<String, ? super C, ? extends E> factory,
      ConfigReader<C> reader) {
    this.kind = Args.requireNonNull(kind, "kind");
    this.factory = Args.requireNonNull(factory, "factory");
    this.reader = Args.requireNonNull(reader, "reader");
    configurations.put(DEFAULT_CONFIG, Args.requireNonNull(defaultConfig, "defaultConfig"));
  }

  /** The kind, as written in property keys ({@code throttlenet.<kind>.<name>.<option>}). */
  public final String kind() {
    return kind;
  }

  /**
   * The component named {@code name}, created from the default configuration if there is none.
   *
   * @throws NullPointerException if {@code name} is null
   */
  public final E component(String name) {
    return component(name, defaultConfiguration());
  }

  /**
   * The component named {@code name}, created from the configuration named {@code configName} if
   * there is none (an existing component is returned as it is, whatever its configuration).
   *
   * @throws IllegalArgumentException if no configuration has that name
   * @throws NullPointerException if an argument is null
   */
  public final E component(String name, String configName) {
    E existing = components.get(Args.requireNonNull(name, "name"));
    return existing != null ? existing : component(name, requireConfiguration(configName));
  }

  /**
   * The component named {@code name}, created from {@code config} if there is none. Under races
   * every caller gets the same instance and the factory runs once.
   *
   * @throws NullPointerException if an argument is null
   */
  public final E component(String name, C config) {
    E existing = components.get(Args.requireNonNull(name, "name"));
    if (existing != null) {
      return existing;
    }
    Args.requireNonNull(config, "config");
    changes.lock();
    try {
      existing = components.get(name);
      if (existing != null) {
        return existing;
      }
      E created = Args.requireNonNull(factory.apply(name, config), "the component built");
      components.put(name, created);
      publish(new RegistryEvent.Added<>(name, created));
      return created;
    } finally {
      changes.unlock();
    }
  }

  /** The component named {@code name}, if there is one; never creates it. */
  public final Optional<E> find(String name) {
    return Optional.ofNullable(components.get(Args.requireNonNull(name, "name")));
  }

  /**
   * Puts {@code component} under {@code name}, replacing any there (listeners see {@link
   * RegistryEvent.Replaced}, or {@link RegistryEvent.Added} if there was none).
   *
   * @return the component replaced, if any
   * @throws NullPointerException if an argument is null
   */
  public final Optional<E> replace(String name, E component) {
    Args.requireNonNull(name, "name");
    Args.requireNonNull(component, "component");
    changes.lock();
    try {
      E previous = components.put(name, component);
      publish(
          previous == null
              ? new RegistryEvent.Added<>(name, component)
              : new RegistryEvent.Replaced<>(name, previous, component));
      return Optional.ofNullable(previous);
    } finally {
      changes.unlock();
    }
  }

  /**
   * Takes the component named {@code name} out of the registry; a later {@link #component} call
   * creates a new one.
   *
   * @return the component removed, if there was one
   */
  public final Optional<E> remove(String name) {
    Args.requireNonNull(name, "name");
    changes.lock();
    try {
      E removed = components.remove(name);
      if (removed != null) {
        publish(new RegistryEvent.Removed<>(name, removed));
      }
      return Optional.ofNullable(removed);
    } finally {
      changes.unlock();
    }
  }

  /** A snapshot of every component, by name in order. */
  public final Map<String, E> components() {
    return Collections.unmodifiableMap(new TreeMap<>(components));
  }

  /**
   * Adds the configuration {@code name}, replacing one of that name ({@link #DEFAULT_CONFIG}
   * included); components already created keep theirs.
   *
   * @throws NullPointerException if an argument is null
   */
  public final void addConfiguration(String name, C config) {
    configurations.put(Args.requireNonNull(name, "name"), Args.requireNonNull(config, "config"));
  }

  /** The configuration named {@code name}, if there is one. */
  public final Optional<C> configuration(String name) {
    return Optional.ofNullable(configurations.get(Args.requireNonNull(name, "name")));
  }

  /** The configuration used when none is named. */
  public final C defaultConfiguration() {
    return configurations.get(DEFAULT_CONFIG);
  }

  /** The names of every configuration, {@code "default"} included, in order. */
  public final Set<String> configurationNames() {
    return Collections.unmodifiableSet(new TreeSet<>(configurations.keySet()));
  }

  /**
   * Delivers every later change to {@code listener}, until the subscription is closed.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public final Subscription onEvent(Consumer<? super RegistryEvent<E>> listener) {
    Args.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Delivers an {@link RegistryEvent.Added} for every component there now, then every later
   * change, to {@code listener}: with no gap and no component twice, so a binding made through it
   * follows every component, present and future.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public final Subscription watch(Consumer<? super RegistryEvent<E>> listener) {
    Args.requireNonNull(listener, "listener");
    changes.lock();
    try {
      for (Map.Entry<String, E> e : components().entrySet()) {
        deliver(listener, new RegistryEvent.Added<>(e.getKey(), e.getValue()));
      }
      return onEvent(listener);
    } finally {
      changes.unlock();
    }
  }

  /**
   * Binds the {@code throttlenet.<kind>.*} entries of {@code properties} (others are left to the
   * other kinds): first the configurations under {@code throttlenet.<kind>.configs.<name>.}, each
   * derived from its {@code base-config} (another configuration, from these properties or already
   * in the registry) or else from the default one ({@code configs.default} itself derives from
   * the registry's default); then a component for every other {@code throttlenet.<kind>.<name>.},
   * from the configuration named by its {@code config} key (else the default) with its own
   * options applied. Nothing is added unless every entry of this kind binds.
   *
   * @throws ConfigurationException if a key is unknown, a value malformed, a name refers to no
   *     configuration, configurations derive from each other in a cycle, a component of that name
   *     already exists, or the builder rejects the options (its message quoted)
   * @throws NullPointerException if {@code properties} or an entry is null
   */
  public final void bind(Map<String, String> properties) {
    Binding<C> binding = new Binding<>(this, reader, properties);
    Map<String, C> configs = binding.configurations();
    Map<String, C> instances = binding.instances(configs);
    changes.lock();
    try {
      for (String name : instances.keySet()) {
        if (components.containsKey(name)) {
          throw new ConfigurationException(
              binding.prefix() + name, "a " + kind + " of that name already exists", null);
        }
      }
      // Everything is built before anything is added, so a failure leaves the registry as it was.
      Map<String, E> built = new LinkedHashMap<>();
      instances.forEach((name, config) -> {
        try {
          built.put(name, Args.requireNonNull(factory.apply(name, config), "the component built"));
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
          throw new ConfigurationException(binding.prefix() + name, e.getMessage(), e);
        }
      });
      configs.forEach(this::addConfiguration);
      built.forEach((name, component) -> {
        components.put(name, component);
        publish(new RegistryEvent.Added<>(name, component));
      });
    } finally {
      changes.unlock();
    }
  }

  final C requireConfiguration(String configName) {
    C config = configurations.get(Args.requireNonNull(configName, "configName"));
    if (config == null) {
      throw new IllegalArgumentException(
          "configName must name a " + kind + " configuration " + configurationNames()
              + ", was '" + configName + "'");
    }
    return config;
  }

  private void publish(RegistryEvent<E> event) {
    for (Consumer<? super RegistryEvent<E>> listener : listeners) { // a snapshot
      deliver(listener, event);
    }
  }

  private void deliver(Consumer<? super RegistryEvent<E>> listener, RegistryEvent<E> event) {
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "A " + kind + " registry listener failed on " + event, e);
    }
  }

  @Override
  public String toString() {
    return kind + " registry " + components.keySet() + ", configurations " + configurationNames();
  }
}
