package io.throttlenet.queue;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;
import java.util.Optional;

/**
 * Named {@link AdmissionQueue}s keyed by strings (a tenant, an API key), created once and shared,
 * and named {@link AdmissionQueueConfig}s to create them from (see {@link Registry} for the
 * contract). Its kind in properties is {@code queue}. A queue sits in front of a limiter that
 * lives in another registry: a rate limiter (kind {@code throttle} in {@code throttle-all}'s
 * {@code Registries}) or a bulkhead ({@link ConcurrencyLimitRegistry}, kind {@code bulkhead}),
 * named in its configuration ({@link AdmissionQueueConfig#limiter}) and looked up when the queue
 * is created. The limiter must exist by then (bind or create it first); it is never created on
 * the queue's behalf, so a misspelt name fails instead of making a fresh limiter.
 *
 * <table>
 *   <caption>Properties of a queue ({@code throttlenet.queue.<name>.<key>} or {@code
 *   throttlenet.queue.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code throttle}</td><td>a rate limiter's name (one of {@code throttle} or {@code bulkhead} is required)</td><td>{@link AdmissionQueue#builder(RateLimiter)}</td></tr>
 *   <tr><td>{@code bulkhead}</td><td>a bulkhead's name</td><td>{@link AdmissionQueue#builder(ConcurrencyLimit)}</td></tr>
 *   <tr><td>{@code capacity}</td><td>count</td><td>{@link AdmissionQueue.Builder#capacity}</td></tr>
 *   <tr><td>{@code max-queued-cost}</td><td>count</td><td>{@link AdmissionQueue.Builder#maxQueuedCost}</td></tr>
 *   <tr><td>{@code overflow}</td><td>{@code reject}, {@code drop-oldest}, {@code drop-lowest-priority}</td><td>{@link AdmissionQueue.Builder#overflow}</td></tr>
 *   <tr><td>{@code quantum}</td><td>count</td><td>{@link AdmissionQueue.Builder#quantum}</td></tr>
 *   <tr><td>{@code ageing}</td><td>duration</td><td>{@link AdmissionQueue.Builder#ageing}</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>{@link AdmissionQueue.Builder#from}</td></tr>
 * </table>
 *
 * <p>Every queue it creates publishes to the registry's event registry and waits through its
 * limiter's ticker. Thread-safe.
 */
public final class AdmissionQueueRegistry
    extends Registry<AdmissionQueue<String>, AdmissionQueueConfig> {
  /** The kind in property keys: {@code throttlenet.queue.*}. */
  public static final String KIND = "queue";

  private AdmissionQueueRegistry(
      EventRegistry events,
      Registry<? extends RateLimiter, ?> rateLimiters,
      Registry<ConcurrencyLimit, ?> bulkheads) {
    super(
        KIND,
        AdmissionQueueConfig.NONE,
        (name, config) -> build(name, config, events, rateLimiters, bulkheads),
        (base, options) -> read(base, options, rateLimiters, bulkheads));
  }

  /**
   * A registry whose queues publish to {@code events} and front the limiters of {@code
   * rateLimiters} or {@code bulkheads}, named by those registries' kinds.
   *
   * @throws IllegalArgumentException if both registries are of the same kind
   * @throws NullPointerException if an argument is null
   */
  public static AdmissionQueueRegistry create(
      EventRegistry events,
      Registry<? extends RateLimiter, ?> rateLimiters,
      Registry<ConcurrencyLimit, ?> bulkheads) {
    Args.requireNonNull(events, "events");
    Args.requireNonNull(rateLimiters, "rateLimiters");
    Args.requireNonNull(bulkheads, "bulkheads");
    if (rateLimiters.kind().equals(bulkheads.kind())) {
      throw new IllegalArgumentException(
          "rateLimiters and bulkheads must be of different kinds, both were '"
              + bulkheads.kind() + "'");
    }
    return new AdmissionQueueRegistry(events, rateLimiters, bulkheads);
  }

  private static AdmissionQueue<String> build(
      String name,
      AdmissionQueueConfig config,
      EventRegistry events,
      Registry<? extends RateLimiter, ?> rateLimiters,
      Registry<ConcurrencyLimit, ?> bulkheads) {
    AdmissionQueueConfig.LimiterRef ref =
        config.limiter().orElseThrow(() -> new IllegalStateException(
            "limiter must be set (the " + rateLimiters.kind() + " or " + bulkheads.kind()
                + " the queue fronts)"));
    AdmissionQueue.Builder<String> builder;
    if (ref.kind().equals(rateLimiters.kind())) {
      builder = AdmissionQueue.builder(find(rateLimiters, ref));
    } else if (ref.kind().equals(bulkheads.kind())) {
      builder = AdmissionQueue.builder(find(bulkheads, ref));
    } else {
      throw new IllegalArgumentException(
          "limiter must be a " + rateLimiters.kind() + " or a " + bulkheads.kind()
              + ", was " + ref);
    }
    return builder.from(config).name(name).events(events).build();
  }

  private static <E> E find(
      Registry<? extends E, ?> registry, AdmissionQueueConfig.LimiterRef ref) {
    return registry.find(ref.name()).orElseThrow(() -> new IllegalArgumentException(
        "limiter must name an existing " + ref.kind() + " " + registry.components().keySet()
            + ", was '" + ref.name() + "'"));
  }

  private static AdmissionQueueConfig read(
      AdmissionQueueConfig base,
      Options options,
      Registry<? extends RateLimiter, ?> rateLimiters,
      Registry<ConcurrencyLimit, ?> bulkheads) {
    Optional<AdmissionQueueConfig.LimiterRef> rate = reference(options, rateLimiters);
    Optional<AdmissionQueueConfig.LimiterRef> slots = reference(options, bulkheads);
    if (rate.isPresent() && slots.isPresent()) {
      throw new ConfigurationException(
          options.prefix(),
          "a queue fronts one limiter; set " + rateLimiters.kind() + " or " + bulkheads.kind()
              + ", not both",
          null);
    }
    AdmissionQueue.Builder<String> b = AdmissionQueue.forConfig().from(base);
    rate.or(() -> slots).ifPresent(b::limiterRef);
    options.integer("capacity").ifPresent(b::capacity);
    options.count("max-queued-cost").ifPresent(b::maxQueuedCost);
    options.constant("overflow", Overflow.class).ifPresent(b::overflow);
    options.count("quantum").ifPresent(b::quantum);
    options.duration("ageing").ifPresent(b::ageing);
    return b.config();
  }

  /** The limiter named under the key {@code registry.kind()}, checked to exist now. */
  private static Optional<AdmissionQueueConfig.LimiterRef> reference(
      Options options, Registry<?, ?> registry) {
    String key = registry.kind();
    Optional<String> name = options.text(key);
    if (name.isPresent() && registry.find(name.get()).isEmpty()) {
      throw new ConfigurationException(
          options.prefix() + "." + key,
          "no " + key + " named '" + name.get() + "'; there are " + registry.components().keySet(),
          null);
    }
    return name.map(n -> new AdmissionQueueConfig.LimiterRef(key, n));
  }
}
