package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.throttlenet.core.internal.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Creates meters and caches them per component: an event's handler finds its meters with one
 * map lookup by the component name (no key object, no tag list per event).
 */
final class Meters {
  final MeterRegistry registry;
  final String prefix;
  final boolean keyTags;

  Meters(MeterRegistry registry, String prefix, boolean keyTags) {
    this.registry = registry;
    this.prefix = prefix;
    this.keyTags = keyTags;
  }

  Counter counter(String name, String component, String... tags) {
    return Counter.builder(prefix + name).tags(tags(component, tags)).register(registry);
  }

  Timer timer(String name, String component, String... tags) {
    return Timer.builder(prefix + name).tags(tags(component, tags)).register(registry);
  }

  DistributionSummary summary(String name, String component, String... tags) {
    return DistributionSummary.builder(prefix + name).tags(tags(component, tags)).register(registry);
  }

  /** A gauge of {@code value}, held strongly: its owner removes it when the component goes. */
  Gauge gauge(String name, String component, LongSupplier value, String... tags) {
    return Gauge.builder(prefix + name, value, v -> v.getAsLong())
        .tags(tags(component, tags))
        .strongReference(true)
        .register(registry);
  }

  /** A gauge per constant of an enum state: 1 for the current state, 0 for the others. */
  <E extends Enum<E>> List<Meter> stateGauges(String name, String component, Supplier<E> state) {
    E current = Args.requireNonNull(state.get(), "the current state");
    List<Meter> gauges = new ArrayList<>();
    for (E constant : current.getDeclaringClass().getEnumConstants()) {
      gauges.add(Gauge.builder(prefix + name, state, s -> s.get() == constant ? 1 : 0)
          .tags(tags(component, "state", tag(constant)))
          .strongReference(true)
          .register(registry));
    }
    return gauges;
  }

  private static Tags tags(String component, String... tags) {
    return Tags.of("component", component).and(tags);
  }

  /** Per-component state, built on a component's first event. */
  static final class PerComponent<M> {
    private final ConcurrentHashMap<String, M> byComponent = new ConcurrentHashMap<>();
    private final Function<String, M> create;

    PerComponent(Function<String, M> create) {
      this.create = create;
    }

    M get(String component) {
      M m = byComponent.get(component);
      return m != null ? m : byComponent.computeIfAbsent(component, create);
    }
  }

  /** Meters keyed by a bounded string (a dimension name), under one component. */
  static final class ByName<M> {
    private final ConcurrentHashMap<String, M> byName = new ConcurrentHashMap<>();

    M get(String name, Function<String, M> create) {
      M m = byName.get(name);
      return m != null ? m : byName.computeIfAbsent(name, create);
    }
  }

  /** Lower-case tag value of an enum constant. */
  static String tag(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
