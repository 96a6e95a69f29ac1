package io.throttlenet.breaker;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.registry.Options;
import io.throttlenet.core.registry.Registry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Named {@link CircuitBreaker}s, created once and shared, and named {@link CircuitBreakerConfig}s
 * to create them from (see {@link Registry} for the contract; one registry per kind, in the kind's
 * module). The default configuration is the builder's defaults ({@link
 * CircuitBreakerConfig#DEFAULTS}). Breakers it creates wrap no limiter.
 *
 * <table>
 *   <caption>Properties of a breaker ({@code throttlenet.breaker.<name>.<key>} or {@code
 *   throttlenet.breaker.configs.<name>.<key>})</caption>
 *   <tr><th>key</th><th>form</th><th>builder option</th></tr>
 *   <tr><td>{@code consecutive-failures}</td><td>count</td><td>{@link Trip#consecutive}</td></tr>
 *   <tr><td>{@code failure-rate-threshold}</td><td>percentage ({@code 50%})</td><td>{@link Trip#failureRate} over {@code sliding-window-size} calls, or {@link Trip#failureRateWithin} over {@code sliding-window-duration}</td></tr>
 *   <tr><td>{@code failure-count-threshold}</td><td>count</td><td>{@link Trip#failuresWithin} {@code sliding-window-duration}</td></tr>
 *   <tr><td>{@code slow-call-rate-threshold}</td><td>percentage</td><td>{@link Trip#slowCallRate} over {@code sliding-window-size} calls</td></tr>
 *   <tr><td>{@code slow-call-duration-threshold}</td><td>duration</td><td>the slow-call trip's threshold (required with its rate)</td></tr>
 *   <tr><td>{@code sliding-window-size}</td><td>count, default 100</td><td>calls remembered by rate trips</td></tr>
 *   <tr><td>{@code sliding-window-duration}</td><td>duration</td><td>the time window of the failure-rate or failure-count trip</td></tr>
 *   <tr><td>{@code minimum-calls}</td><td>count; default the window size, or 10 in a time window</td><td>calls seen before a rate trips</td></tr>
 *   <tr><td>{@code cooldown}</td><td>duration</td><td>{@link CircuitBreaker.Builder#cooldown}</td></tr>
 *   <tr><td>{@code cooldown-multiplier}, {@code max-cooldown}</td><td>decimal, duration (together)</td><td>{@link CircuitBreaker.Builder#cooldownGrowth}</td></tr>
 *   <tr><td>{@code half-open-probes}</td><td>count</td><td>{@link CircuitBreaker.Builder#halfOpenProbes}</td></tr>
 *   <tr><td>{@code successes-to-close}</td><td>count</td><td>{@link CircuitBreaker.Builder#successesToClose}</td></tr>
 *   <tr><td>{@code probe-timeout}</td><td>duration</td><td>{@link CircuitBreaker.Builder#probeTimeout}</td></tr>
 *   <tr><td>{@code max-retry-after}</td><td>duration</td><td>{@link CircuitBreaker.Builder#maxRetryAfter}</td></tr>
 *   <tr><td>{@code ignore-exceptions}</td><td>class names, comma-separated</td><td>{@link CircuitBreaker.Builder#ignoreExceptions}</td></tr>
 *   <tr><td>{@code record-rejections}</td><td>{@code true} or {@code false}</td><td>{@link CircuitBreaker.Builder#recordRejections}</td></tr>
 *   <tr><td>{@code config} / {@code base-config}</td><td>a configuration's name</td><td>{@link CircuitBreaker.Builder#from}</td></tr>
 * </table>
 *
 * <p>The trip keys are read together: if any trip is set, the trips replace the base
 * configuration's. Predicates have no property form; set them in code on a configuration and
 * derive from it. Every breaker it creates uses the registry's ticker and event registry.
 * Thread-safe.
 */
public final class CircuitBreakerRegistry extends Registry<CircuitBreaker, CircuitBreakerConfig> {
  /** The kind in property keys: {@code throttlenet.breaker.*}. */
  public static final String KIND = "breaker";

  private CircuitBreakerRegistry(Ticker ticker, EventRegistry events) {
    super(
        KIND,
        CircuitBreakerConfig.DEFAULTS,
        (name, config) ->
            CircuitBreaker.builder().from(config).name(name).ticker(ticker).events(events).build(),
        CircuitBreakerRegistry::read);
  }

  /** A registry whose breakers use the system ticker and the default event registry. */
  public static CircuitBreakerRegistry create() {
    return create(Ticker.system(), EventRegistry.defaultRegistry());
  }

  /**
   * A registry whose breakers use {@code ticker} and publish to {@code events}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static CircuitBreakerRegistry create(Ticker ticker, EventRegistry events) {
    return new CircuitBreakerRegistry(
        Args.requireNonNull(ticker, "ticker"), Args.requireNonNull(events, "events"));
  }

  private static CircuitBreakerConfig read(CircuitBreakerConfig base, Options options) {
    CircuitBreaker.Builder b = CircuitBreaker.builder().from(base);
    List<Trip> trips = trips(options);
    if (!trips.isEmpty()) {
      b.trip(trips.toArray(new Trip[0]));
    }
    options.duration("cooldown").ifPresent(b::cooldown);
    Optional<Double> multiplier = options.decimal("cooldown-multiplier");
    Optional<Duration> maxCooldown = options.duration("max-cooldown");
    if (multiplier.isPresent() != maxCooldown.isPresent()) {
      throw new IllegalArgumentException(
          "cooldown-multiplier and max-cooldown must be set together, was only "
              + (multiplier.isPresent() ? "cooldown-multiplier" : "max-cooldown"));
    }
    if (multiplier.isPresent()) {
      b.cooldownGrowth(multiplier.get(), maxCooldown.get());
    }
    options.integer("half-open-probes").ifPresent(b::halfOpenProbes);
    options.integer("successes-to-close").ifPresent(b::successesToClose);
    options.duration("probe-timeout").ifPresent(b::probeTimeout);
    options.duration("max-retry-after").ifPresent(b::maxRetryAfter);
    options.classes("ignore-exceptions", Throwable.class).ifPresent(b::ignoreAll);
    options.bool("record-rejections").ifPresent(b::recordRejections);
    return b.config();
  }

  /** The trips the keys describe; a window or minimum with no trip to apply to is an error. */
  private static List<Trip> trips(Options options) {
    Optional<Integer> consecutive = options.integer("consecutive-failures");
    Optional<Double> rate = options.percent("failure-rate-threshold");
    Optional<Integer> count = options.integer("failure-count-threshold");
    Optional<Double> slowRate = options.percent("slow-call-rate-threshold");
    Optional<Duration> slowDuration = options.duration("slow-call-duration-threshold");
    Optional<Integer> size = options.integer("sliding-window-size");
    Optional<Duration> window = options.duration("sliding-window-duration");
    Optional<Integer> minimum = options.integer("minimum-calls");
    List<Trip> trips = new ArrayList<>();
    consecutive.ifPresent(n -> trips.add(Trip.consecutive(n)));
    int calls = size.orElse(100);
    if (rate.isPresent()) {
      trips.add(window.isPresent()
          ? Trip.failureRateWithin(rate.get(), window.get(), minimum.orElse(10))
          : Trip.failureRate(rate.get(), calls, minimum.orElse(calls)));
    }
    if (count.isPresent()) {
      trips.add(Trip.failuresWithin(count.get(), window.orElseThrow(() -> new IllegalArgumentException(
          "failure-count-threshold needs sliding-window-duration, was not set"))));
    }
    if (slowRate.isPresent() != slowDuration.isPresent()) {
      throw new IllegalArgumentException(
          "slow-call-rate-threshold and slow-call-duration-threshold must be set together, was only "
              + (slowRate.isPresent() ? "slow-call-rate-threshold" : "slow-call-duration-threshold"));
    }
    if (slowRate.isPresent()) {
      trips.add(Trip.slowCallRate(slowDuration.get(), slowRate.get(), calls, minimum.orElse(calls)));
    }
    boolean countWindow = rate.isPresent() && window.isEmpty() || slowRate.isPresent();
    if (size.isPresent() && !countWindow) {
      throw new IllegalArgumentException(
          "sliding-window-size applies to failure-rate-threshold (without sliding-window-duration)"
              + " or slow-call-rate-threshold, was set without them");
    }
    if (window.isPresent() && rate.isEmpty() && count.isEmpty()) {
      throw new IllegalArgumentException(
          "sliding-window-duration applies to failure-rate-threshold or failure-count-threshold,"
              + " was set without them");
    }
    if (minimum.isPresent() && rate.isEmpty() && slowRate.isEmpty()) {
      throw new IllegalArgumentException(
          "minimum-calls applies to failure-rate-threshold or slow-call-rate-threshold, was set without them");
    }
    return trips;
  }
}
