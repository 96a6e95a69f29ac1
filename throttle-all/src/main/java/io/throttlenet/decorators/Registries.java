package io.throttlenet.decorators;

import io.throttlenet.adaptive.ServerWindowRegistry;
import io.throttlenet.breaker.CircuitBreakerRegistry;
import io.throttlenet.bucket.ThrottleRegistry;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Registry;
import io.throttlenet.multidim.MultiLimiterRegistry;
import io.throttlenet.queue.AdmissionQueueRegistry;
import io.throttlenet.queue.ConcurrencyLimitRegistry;
import io.throttlenet.retry.RetryRegistry;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One registry of each kind, sharing a ticker and an event registry, and bound together from one
 * set of {@code throttlenet.*} properties. Each kind's registry lives in the kind's module so that
 * a user of one module needs nothing else; this class is where they meet.
 *
 * <pre>{@code
 * Registries registries = Registries.create();
 * registries.bind(Map.of(
 *     "throttlenet.throttle.github.rate", "5000/1h",
 *     "throttlenet.retry.default.max-attempts", "3",
 *     "throttlenet.breaker.payments.failure-rate-threshold", "50%"));
 * Throttle github = registries.throttles().component("github");
 * ThrottleMetrics metrics = ThrottleMetrics.bindTo(registries.events(), meterRegistry);
 * registries.all().forEach(metrics::bind);
 * }</pre>
 *
 * <p>Kinds and their keys: {@code throttle} ({@link ThrottleRegistry}), {@code multi} ({@link
 * MultiLimiterRegistry}), {@code retry} ({@link RetryRegistry}), {@code breaker} ({@link
 * CircuitBreakerRegistry}), {@code bulkhead} ({@link ConcurrencyLimitRegistry}), {@code queue}
 * ({@link AdmissionQueueRegistry}: a queue names the {@code throttle} or {@code bulkhead} it
 * fronts, {@code throttlenet.queue.tenants.throttle=github}, looked up in the registries here,
 * so it is bound after them), {@code window} ({@link ServerWindowRegistry}). Thread-safe.
 */
public final class Registries {
  private static final String PREFIX = "throttlenet.";

  private final EventRegistry events;
  private final ThrottleRegistry throttles;
  private final MultiLimiterRegistry multiLimiters;
  private final RetryRegistry retries;
  private final CircuitBreakerRegistry breakers;
  private final ConcurrencyLimitRegistry bulkheads;
  private final AdmissionQueueRegistry queues;
  private final ServerWindowRegistry windows;

  private Registries(Ticker ticker, EventRegistry events) {
    this.events = events;
    this.throttles = ThrottleRegistry.create(ticker, events);
    this.multiLimiters = MultiLimiterRegistry.create(ticker, events);
    this.retries = RetryRegistry.create(ticker, events);
    this.breakers = CircuitBreakerRegistry.create(ticker, events);
    this.bulkheads = ConcurrencyLimitRegistry.create(ticker, events);
    this.queues = AdmissionQueueRegistry.create(events, throttles, bulkheads);
    this.windows = ServerWindowRegistry.create(ticker, events);
  }

  /** Registries whose components use the system ticker and the default event registry. */
  public static Registries create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * Registries whose components use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static Registries create(Ticker ticker, EventRegistry events) {
    return new Registries(Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  /** The event registry every component publishes to. */
  public EventRegistry events() {
    return events;
  }

  /** Token buckets, {@code throttlenet.throttle.*}. */
  public ThrottleRegistry throttles() {
    return throttles;
  }

  /** Multi-dimensional limiters, {@code throttlenet.multi.*}. */
  public MultiLimiterRegistry multiLimiters() {
    return multiLimiters;
  }

  /** Retries, {@code throttlenet.retry.*}. */
  public RetryRegistry retries() {
    return retries;
  }

  /** Circuit breakers, {@code throttlenet.breaker.*}. */
  public CircuitBreakerRegistry breakers() {
    return breakers;
  }

  /** Bulkheads (concurrency limits), {@code throttlenet.bulkhead.*}. */
  public ConcurrencyLimitRegistry bulkheads() {
    return bulkheads;
  }

  /**
   * Admission queues keyed by strings, {@code throttlenet.queue.*}, in front of the throttles and
   * bulkheads here.
   */
  public AdmissionQueueRegistry queues() {
    return queues;
  }

  /** Mirrors of servers' sliding-window quotas, {@code throttlenet.window.*}. */
  public ServerWindowRegistry windows() {
    return windows;
  }

  /** Every registry, in the order above (the order they bind in). */
  public List<Registry<?, ?>> all() {
    return List.of(throttles, multiLimiters, retries, breakers, bulkheads, queues, windows);
  }

  /**
   * Binds every {@code throttlenet.*} entry into the registry of its kind ({@link
   * Registry#bind}); other entries are left alone. Each kind binds as a whole or not at all, one
   * kind after another in the order of {@link #all()}; a key under {@code throttlenet.} of no
   * known kind fails before anything is bound.
   *
   * @throws ConfigurationException if a key is of no known kind or does not bind
   * @throws NullPointerException if {@code properties} or an entry is null
   */
  public Registries bind(Map<String, String> properties) {
    Args.requireNonNull(properties, "properties");
    List<String> kinds = all().stream().map(Registry::kind).sorted().collect(Collectors.toList());
    for (String key : new TreeMap<>(properties).keySet()) {
      if (key.startsWith(PREFIX)) {
        String rest = key.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        String kind = dot < 0 ? rest : rest.substring(0, dot);
        if (!kinds.contains(kind)) {
          throw new ConfigurationException(
              key, "unknown kind '" + kind + "'; throttlenet.* keys are of " + String.join(", ", kinds), null);
        }
      }
    }
    for (Registry<?, ?> registry : all()) {
      registry.bind(properties);
    }
    return this;
  }

  /**
   * {@link #bind(Map)} for {@link Properties} (as loaded from a {@code .properties} file).
   *
   * @throws ConfigurationException if a key is of no known kind or does not bind
   */
  public Registries bind(Properties properties) {
    Args.requireNonNull(properties, "properties");
    Map<String, String> map = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      map.put(key, properties.getProperty(key));
    }
    return bind(map);
  }

  @Override
  public String toString() {
    return "Registries" + all();
  }
}
