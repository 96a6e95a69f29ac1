package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Registry;
import io.throttlenet.core.registry.RegistryEvent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Micrometer meters for every throttle-net component, fed by its events: bind once and every
 * limiter, retry, breaker, queue and decorated chain publishing to the {@link EventRegistry} is
 * metered, with the component's name as the {@code component} tag.
 *
 * <pre>{@code
 * ThrottleMetrics metrics = ThrottleMetrics.bindTo(EventRegistry.defaultRegistry(), meterRegistry);
 * metrics.availablePermits(throttle);                       // a gauge needs the object itself
 * metrics.gauge("queue.depth", "tenants", queue::size);
 * BulkheadGauges.register(metrics, bulkhead);                // its (adaptive) limit, calls in flight
 * for (String d : llm.dimensions()) {                           // one gauge per dimension
 *   metrics.gauge("multi.available", llm.name(), () -> llm.availablePermits(d), "dimension", d);
 * }
 * metrics.stateGauge("breaker.state", "payments", breaker::state);
 * }</pre>
 *
 * <h2>Meters (prefix {@code throttlenet.}, tag {@code component} on all)</h2>
 *
 * <ul>
 *   <li>{@code limiter.acquired} counter, {@code limiter.wait} timer, {@code limiter.rejected}
 *       counter (tag {@code reason}), {@code limiter.cancelled} counter; {@code multi.acquired},
 *       {@code multi.rejected} (tags {@code dimension}, {@code reason}), {@code multi.cost} counter
 *       per {@code dimension}, {@code multi.settled} counters (tags {@code dimension}, {@code
 *       direction=charged|refunded});
 *   <li>{@code calls} timer (tag {@code outcome}) from decorated chains' call events;
 *   <li>{@code retry.attempts} counter, {@code retry.calls} counter (tag {@code
 *       result=succeeded_after_retry|exhausted|aborted|budget_exhausted});
 *   <li>{@code breaker.transitions} counter (tags {@code from}, {@code to}), {@code
 *       breaker.not_permitted} counter, {@code breaker.calls} timer (tag {@code
 *       kind=success|failure|slow});
 *   <li>{@code queue.enqueued}, {@code queue.dropped} (tag {@code queued}), {@code queue.expired}
 *       (tag {@code predicted}) counters, {@code queue.wait} timer;
 *   <li>{@code bulkhead.calls} timer (tag {@code outcome}), {@code bulkhead.rejected} and {@code
 *       bulkhead.limit_changes} counters;
 *   <li>{@code perkey.indebted_evictions} counter and {@code perkey.owed} summary.
 * </ul>
 *
 * <p>Gauges (available permits, queue depth, calls in flight, the adaptive limit, a breaker's
 * state) read the objects themselves, registered with {@link #availablePermits}, {@link #gauge},
 * {@link #stateGauge} and {@link BulkheadGauges}: events from different threads may arrive out of order, and a component may
 * have moved before metrics were bound, so a gauge fed by events could lie.
 *
 * <p>Tag cardinality stays bounded: tags are component names, dimension names and enum values.
 * Per-key values (tenant ids) become tags only if {@link Builder#keyTags} opts in. Meters of a
 * capability module are bound only when that module is on the class path, so this module needs
 * nothing but throttle-core at run time. Meters are created on a component's first event and
 * cached, so recording allocates nothing new per event beyond what Micrometer does.
 *
 * <p>For the components of a registry ({@code ThrottleRegistry}, {@code CircuitBreakerRegistry},
 * ...), {@link #bind(Registry)} registers these gauges for every component, present and future,
 * in one call.
 *
 * <p>Thread-safe; {@link #close()} stops listening (the meters stay in the registry).
 */
public final class ThrottleMetrics implements MeterBinder, AutoCloseable {
  private final EventRegistry events;
  private final String prefix;
  private final boolean keyTags;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private MeterRegistry registry;
  private Meters meters;
  private final List<GaugeSource> gaugeSources = new ArrayList<>();
  // The gauges of each registry component, by identity, so that removal finds them.
  private final Map<Object, List<Meter>> gauged = new IdentityHashMap<>();

  private ThrottleMetrics(Builder b) {
    this.events = b.events;
    this.prefix = b.prefix != null ? b.prefix : "throttlenet.";
    this.keyTags = b.keyTags;
  }

  /** Meters every component that publishes to {@code events}, in {@code registry}, with defaults. */
  public static ThrottleMetrics bindTo(EventRegistry events, MeterRegistry registry) {
    ThrottleMetrics metrics = builder(events).build();
    metrics.bindTo(registry);
    return metrics;
  }

  /** A builder over {@code events}; bind the result with {@link #bindTo(MeterRegistry)}. */
  public static Builder builder(EventRegistry events) {
    return new Builder(Args.requireNonNull(events, "events"));
  }

  /**
   * Starts metering into {@code registry}.
   *
   * @throws IllegalStateException if already bound
   */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Args.requireNonNull(registry, "registry");
    if (this.registry != null) {
      throw new IllegalStateException("already bound to a registry");
    }
    this.registry = registry;
    Meters meters = new Meters(registry, prefix, keyTags);
    this.meters = meters;
    subscriptions.addAll(CoreMeters.bind(events, meters));
    gaugeSources.add(CoreMeters::gauges);
    if (present("io.throttlenet.multidim.MultiLimiterEvent")) {
      subscriptions.addAll(MultiMeters.bind(events, meters));
      gaugeSources.add(MultiMeters::gauges);
    }
    if (present("io.throttlenet.retry.RetryEvent")) {
      subscriptions.addAll(RetryMeters.bind(events, meters));
    }
    if (present("io.throttlenet.breaker.BreakerEvent")) {
      subscriptions.addAll(BreakerMeters.bind(events, meters));
      gaugeSources.add(BreakerMeters::gauges);
    }
    if (present("io.throttlenet.queue.QueueEvent")) {
      subscriptions.addAll(QueueMeters.bind(events, meters));
      gaugeSources.add(QueueMeters::gauges);
    }
    if (present("io.throttlenet.adaptive.ServerWindow")) {
      gaugeSources.add(WindowMeters::gauges);
    }
    if (present("io.throttlenet.bucket.PerKeyEvent")) {
      subscriptions.addAll(PerKeyMeters.bind(events, meters));
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ThrottleMetrics.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * A gauge {@code limiter.available} of the permits {@code limiter} could grant now (negative
   * while reservations are owed), tagged with its name. The gauge holds {@code limiter} weakly.
   *
   * @throws IllegalStateException if not bound yet
   */
  public ThrottleMetrics availablePermits(RateLimiter limiter) {
    Args.requireNonNull(limiter, "limiter");
    Gauge.builder(prefix + "limiter.available", limiter, l -> l.availablePermits())
        .tag("component", limiter.name())
        .register(bound());
    return this;
  }

  /**
   * Any gauge, named {@code prefix + name} and tagged with {@code component} and any further
   * {@code tags} (key, value, key, value...): a queue's depth ({@code queue::size}), a bulkhead's
   * limit, a multi-limiter dimension's available permits ({@code () ->
   * llm.availablePermits("tokens")} with tags {@code "dimension", "tokens"}: without a tag that
   * tells them apart, Micrometer would keep only the first of several gauges of one name and
   * component). The gauge holds {@code value} strongly.
   *
   * @throws IllegalStateException if not bound yet
   * @throws IllegalArgumentException if {@code tags} is not key-value pairs
   */
  public ThrottleMetrics gauge(String name, String component, LongSupplier value, String... tags) {
    Args.requireNonNull(name, "name");
    Args.requireNonNull(component, "component");
    Args.requireNonNull(value, "value");
    Args.requireNonNull(tags, "tags");
    if (tags.length % 2 != 0) {
      throw new IllegalArgumentException("tags must be key-value pairs, was " + tags.length + " strings");
    }
    meters().gauge(name, component, value, tags);
    return this;
  }

  /**
   * A gauge per constant of an enum state, {@code prefix + name} tagged with {@code component}
   * and {@code state} (lower case): 1 for the current state, 0 for the others. For a breaker:
   * {@code stateGauge("breaker.state", "payments", breaker::state)}. The gauges hold {@code
   * state} strongly.
   *
   * @throws IllegalStateException if not bound yet
   * @throws NullPointerException if {@code state} answers null now
   */
  public <E extends Enum<E>> ThrottleMetrics stateGauge(String name, String component, Supplier<E> state) {
    Args.requireNonNull(name, "name");
    Args.requireNonNull(component, "component");
    Args.requireNonNull(state, "state");
    meters().stateGauges(name, component, state);
    return this;
  }

  private synchronized MeterRegistry bound() {
    if (registry == null) {
      throw new IllegalStateException("bind to a registry first");
    }
    return registry;
  }

  private synchronized Meters meters() {
    bound();
    return meters;
  }

  /**
   * Gauges for every component of {@code components}, present and future, until {@link #close()}:
   * {@code limiter.available} for a limiter, {@code multi.available} per dimension (tag {@code
   * dimension}) for a multi-limiter, {@code breaker.state} (tag {@code state}) for a breaker,
   * {@code bulkhead.limit}, {@code bulkhead.in_flight} and {@code bulkhead.waiting} for a
   * concurrency limit, {@code queue.depth} for an admission queue, {@code window.available} and
   * {@code window.in_flight} per dimension (tag {@code dimension}) and {@code window.waiting} for
   * a server window; a retry has counters only. A
   * component removed from or replaced in the registry takes its gauges with it. The counters and
   * timers come from events as for any component: bind this to the event registry the registry's
   * components publish to.
   *
   * <pre>{@code
   * ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, meterRegistry);
   * metrics.bind(throttles).bind(breakers);   // or registries.all().forEach(metrics::bind)
   * }</pre>
   *
   * @throws IllegalStateException if not bound to a meter registry yet
   * @throws NullPointerException if {@code components} is null
   */
  public ThrottleMetrics bind(Registry<?, ?> components) {
    Args.requireNonNull(components, "components");
    meters();
    Subscription s = components.watch(this::follow);
    synchronized (this) {
      subscriptions.add(s);
    }
    return this;
  }

  private void follow(RegistryEvent<?> event) {
    if (event instanceof RegistryEvent.Added<?> added) {
      gaugeAll(added.name(), added.component());
    } else if (event instanceof RegistryEvent.Removed<?> removed) {
      ungauge(removed.component());
    } else if (event instanceof RegistryEvent.Replaced<?> replaced) {
      ungauge(replaced.previous());
      gaugeAll(replaced.name(), replaced.component());
    }
  }

  private synchronized void gaugeAll(String name, Object component) {
    List<Meter> created = new ArrayList<>();
    for (GaugeSource source : gaugeSources) {
      created.addAll(source.gauges(meters, name, component));
    }
    gauged.put(component, created);
  }

  private synchronized void ungauge(Object component) {
    List<Meter> gone = gauged.remove(component);
    if (gone != null) {
      gone.forEach(registry::remove);
    }
  }

  /** Stops listening to events; meters already registered stay. Idempotent. */
  @Override
  public synchronized void close() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }

  /**
   * The gauges one module knows how to make for a component; none if it is not of that module's
   * kinds. One per module present, so absent modules' classes are never touched.
   */
  @FunctionalInterface
  interface GaugeSource {
    List<Meter> gauges(Meters meters, String name, Object component);
  }

  /** Builds {@link ThrottleMetrics}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final EventRegistry events;
    private String prefix;
    private boolean keyTags;
    private boolean keyTagsSet;

    private Builder(EventRegistry events) {
      this.events = events;
    }

    /** The meter name prefix; default {@code "throttlenet."}. */
    public Builder prefix(String prefix) {
      Args.requireUnset(this.prefix != null, "prefix");
      this.prefix = Args.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Whether per-key values (such as the tenant of an evicted per-key limiter) become a {@code
     * key} tag; default false, since every distinct key would be a new time series.
     */
    public Builder keyTags(boolean keyTags) {
      Args.requireUnset(keyTagsSet, "keyTags");
      this.keyTags = keyTags;
      this.keyTagsSet = true;
      return this;
    }

    /** Builds the binder; nothing is metered until {@link ThrottleMetrics#bindTo(MeterRegistry)}. */
    public ThrottleMetrics build() {
      return new ThrottleMetrics(this);
    }
  }
}
