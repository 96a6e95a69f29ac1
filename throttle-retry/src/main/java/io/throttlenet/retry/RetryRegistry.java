package io.throttlenet.retry;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Named {@link Retry}s, created once and shared, and named {@link RetryConfig}s to create them
 * from (see {@link Registry} for the contract; one registry per kind, in the kind's module). The
 * default configuration is the builder's defaults ({@link RetryConfig#DEFAULTS}).
 *
 * <table>
 *   <caption>Properties of a retry ({@code throttlenet.retry.<name>.<key>} or {@code
 *   throttlenet.retry.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code max-attempts}</td><td>count</td><td>{@link Retry.Builder#maxAttempts}</td></tr>
 *   <tr><td>{@code max-duration}</td><td>duration ({@code 30s})</td><td>{@link Retry.Builder#maxDuration}</td></tr>
 *   <tr><td>{@code max-retry-after}</td><td>duration</td><td>{@link Retry.Builder#maxRetryAfter}</td></tr>
 *   <tr><td>{@code ignore-exceptions}</td><td>class names, comma-separated</td><td>{@link Retry.Builder#ignoreExceptions}</td></tr>
 *   <tr><td>{@code backoff}</td><td>{@code exponential}, {@code linear} or {@code constant}</td><td rowspan="5">{@link Retry.Builder#backoff}: {@link Backoff#exponential}, {@link Backoff#linear} or {@link Backoff#constant}, then {@link Backoff#withMax} and {@link Backoff#withJitter}</td></tr>
 *   <tr><td>{@code backoff-delay}</td><td>duration: the first delay (exponential), the step (linear) or the delay (constant); default 100ms</td></tr>
 *   <tr><td>{@code backoff-multiplier}</td><td>decimal ({@code 2}, {@code 1.5}); exponential only, default 2</td></tr>
 *   <tr><td>{@code backoff-max}</td><td>duration</td></tr>
 *   <tr><td>{@code jitter}</td><td>{@code none}, {@code full}, {@code equal} or {@code decorrelated}</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>{@link Retry.Builder#from}</td></tr>
 * </table>
 *
 * <p>The backoff keys are read together: if any is set, they make a new backoff (missing ones at
 * their defaults: exponential, 100ms, ×2, the curve's default cap, no jitter) that replaces the
 * base configuration's. Classifiers and budgets have no property form; set them in code on a
 * configuration and derive from it with {@code base-config}. Every retry it creates uses the
 * registry's ticker and event registry. Thread-safe.
 */
public final class RetryRegistry extends Registry<Retry, RetryConfig> {
  /** The kind in property keys: {@code throttlenet.retry.*}. */
  public static final String KIND = "retry";

  private enum Curve {
    EXPONENTIAL,
    LINEAR,
    CONSTANT
  }

  private RetryRegistry(Ticker ticker, EventRegistry events) {
    super(
        KIND,
        RetryConfig.DEFAULTS,
        (name, config) -> Retry.builder().from(config).name(name).ticker(ticker).events(events).build(),
        RetryRegistry::read);
  }

  /** A registry whose retries use the system ticker and the default event registry. */
  public static RetryRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose retries use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static RetryRegistry create(Ticker ticker, EventRegistry events) {
    return new RetryRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  private static RetryConfig read(RetryConfig base, Options options) {
    Retry.Builder b = Retry.builder().from(base);
    options.integer("max-attempts").ifPresent(b::maxAttempts);
    options.duration("max-duration").ifPresent(b::maxDuration);
    options.duration("max-retry-after").ifPresent(b::maxRetryAfter);
    options.classes("ignore-exceptions", Throwable.class)
        .ifPresent(b::ignoreAll);
    backoff(options).ifPresent(b::backoff);
    return b.config();
  }

  private static Optional<Backoff> backoff(Options options) {
    Optional<Curve> curve = options.constant("backoff", Curve.class);
    Optional<Duration> delay = options.duration("backoff-delay");
    Optional<Double> multiplier = options.decimal("backoff-multiplier");
    Optional<Duration> max = options.duration("backoff-max");
    Optional<Jitter> jitter = options.constant("jitter", Jitter.class);
    if (curve.isEmpty() && delay.isEmpty() && multiplier.isEmpty() && max.isEmpty() && jitter.isEmpty()) {
      return Optional.empty();
    }
    if (multiplier.isPresent() && curve.isPresent() && curve.get() != Curve.EXPONENTIAL) {
      throw new IllegalArgumentException(
          "backoff-multiplier applies to an exponential backoff only, was set for a "
              + curve.get().name().toLowerCase(Locale.ROOT) + " one");
    }
    Duration d = delay.orElse(Duration.ofMillis(100));
    Backoff backoff;
    switch (curve.orElse(Curve.EXPONENTIAL)) {
      case LINEAR:
        backoff = Backoff.linear(d);
        break;
      case CONSTANT:
        backoff = Backoff.constant(d);
        break;
      default:
        backoff = Backoff.exponential(d, multiplier.orElse(2.0));
        break;
    }
    if (max.isPresent()) {
      backoff = backoff.withMax(max.get());
    }
    return Optional.of(jitter.isPresent() ? backoff.withJitter(jitter.get()) : backoff);
  }
}
